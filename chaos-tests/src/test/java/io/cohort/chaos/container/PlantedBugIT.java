package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.junit.RequiresDocker;
import io.cohort.chaos.report.Reports;
import io.cohort.chaos.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * The checkers catch real faults: nodes run with a planted bug, and the run must come out invalid, with the right
 * check failing and the report saying how to reproduce it. No faults are injected: the bugs need none.
 */
@RequiresDocker
class PlantedBugIT {

    private static ChaosRunConfig quietRun(String bug) {
        return ChaosRunConfig.of(3, Duration.ofSeconds(10), 11)
                .withFaults(FaultSchedule.Options.defaults().withKinds(EnumSet.noneOf(FaultSchedule.Kind.class)))
                .withQuietBound(Duration.ofSeconds(10))
                .withReportDir(Path.of("target", "chaos-reports"))
                .withBug(bug);
    }

    @Test
    void acknowledgedJoinsThatAreLostFailTheLocalHistoryCheck() throws Exception {
        RunResult result = ChaosRun.run(quietRun("pg-lost-join"), line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).isFalse();
        CheckResult check = check(result, "pg-local-history");
        assertThat(check.passed()).isFalse();
        assertThat(check.violations()).anySatisfy(v -> assertThat(v.message()).contains("lost write"));
        assertThat(Reports.text(result))
                .contains("reproduce with: bin/cohort chaos --nodes 3 --duration 10s --seed 11")
                .contains("--plant-bug pg-lost-join");
    }

    @Test
    void aReplicaThatStopsApplyingItsPeersFailsTheConvergenceCheck() throws Exception {
        RunResult result = ChaosRun.run(quietRun("pg-frozen-read"), line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).isFalse();
        assertThat(check(result, "pg-convergence").passed()).isFalse();
        assertThat(check(result, "pg-local-history").passed()).isTrue();
        assertThat(result.convergedAfterMs()).isEqualTo(-1);
    }

    private static CheckResult check(RunResult result, String name) {
        return result.checks().stream()
                .filter(c -> c.check().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
