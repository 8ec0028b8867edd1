package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.junit.RequiresDocker;
import io.cohort.chaos.report.Reports;
import io.cohort.chaos.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The project's own container chaos run: five Cohort nodes, a process-group workload on every node, and a minute of
 * seeded faults of every kind (kill, pause, a partition, lossy and slow links); afterwards every check must pass.
 * Seed 4's schedule uses all five kinds. Replay or vary it with {@code -Dchaos.seed=N -Dchaos.nodes=N
 * -Dchaos.seconds=N}; the report is written under {@code chaos-tests/target/chaos-reports/}.
 */
@RequiresDocker
class PgChaosIT {

    @Test
    void processGroupsSurviveASeededMinuteOfFaults() throws Exception {
        long seed = Long.getLong("chaos.seed", 4);
        int nodes = Integer.getInteger("chaos.nodes", 5);
        Duration length = Duration.ofSeconds(Integer.getInteger("chaos.seconds", 60));
        ChaosRunConfig config =
                ChaosRunConfig.of(nodes, length, seed).withReportDir(Path.of("target", "chaos-reports"));

        RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).as(Reports.text(result)).isTrue();
        assertThat(result.faultsInjected()).isPositive();
        assertThat(result.operations()).isPositive();
    }
}
