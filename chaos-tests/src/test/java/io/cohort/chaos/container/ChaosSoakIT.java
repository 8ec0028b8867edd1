package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.junit.RequiresDocker;
import io.cohort.chaos.report.Reports;
import io.cohort.chaos.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The long container soak, behind {@code -Pslow}: several seeds of two minutes each on five nodes, with the pg, registry
 * and supervisor workloads (about three minutes a seed here). {@code -Dchaos.soak.seeds=1,2,3} picks the seeds; every run's report is kept, and the first invalid
 * one fails the test with its summary.
 */
@Tag("slow")
@RequiresDocker
class ChaosSoakIT {

    @Test
    void groupsNamesAndChildrenSurviveSeveralSeedsOfFaults() throws Exception {
        List<RunResult> invalid = new ArrayList<>();
        for (String seed : System.getProperty("chaos.soak.seeds", "101,102,103").split(",")) {
            ChaosRunConfig config = ChaosRunConfig.of(5, Duration.ofSeconds(120), Long.parseLong(seed.trim()))
                    .withReportDir(Path.of("target", "chaos-reports"));
            RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));
            if (!result.valid()) {
                invalid.add(result);
            }
        }
        assertThat(invalid)
                .as(() -> invalid.isEmpty() ? "" : Reports.text(invalid.get(0)))
                .isEmpty();
    }
}
