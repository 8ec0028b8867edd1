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
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The checkers catch real faults: nodes run with a planted bug, and the run must come out invalid, with the right
 * check failing and the report saying how to reproduce it. No faults are injected, except partitions for the registry
 * bug, which needs conflicts.
 */
@RequiresDocker
class PlantedBugIT {

    private static ChaosRunConfig quietRun(String bug) {
        return ChaosRunConfig.of(3, Duration.ofSeconds(10), 11)
                .withFaults(FaultSchedule.Options.defaults().withKinds(EnumSet.noneOf(FaultSchedule.Kind.class)))
                .withQuietBound(Duration.ofSeconds(10))
                .withWorkloads(Set.of("pg"))
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

    @Test
    void aRegistryWhoseLosersSkipConflictResolutionFailsTheOneOwnerAndLoserChecks() throws Exception {
        // Partitions only, so both sides bind the same names and every heal resolves conflicts.
        ChaosRunConfig config = ChaosRunConfig.of(3, Duration.ofSeconds(35), 5)
                .withFaults(FaultSchedule.Options.defaults().withKinds(EnumSet.of(FaultSchedule.Kind.PARTITION)))
                .withWorkloads(Set.of("registry"))
                .withWorkload(2, 10)
                .withQuietBound(Duration.ofSeconds(30))
                .withReportDir(Path.of("target", "chaos-reports"))
                .withBug("registry-skip-conflict-resolution");

        RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).isFalse();
        assertThat(check(result, "registry-loser-notified").violations())
                .anySatisfy(v -> assertThat(v.message()).contains("got 0 loser notifications"));
        assertThat(check(result, "registry-one-owner").passed()).isFalse();
        assertThat(Reports.text(result))
                .contains("--plant-bug registry-skip-conflict-resolution")
                .contains("--faults partition");
    }

    @Test
    void aSupervisorThatKeepsDuplicatesFailsTheExactlyOnceCheck() throws Exception {
        ChaosRunConfig config = quietRun("supervisor-duplicates").withWorkloads(Set.of("supervisor"));

        RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).isFalse();
        assertThat(check(result, "supervisor-exactly-once").violations())
                .anySatisfy(v -> assertThat(v.message()).containsPattern("[23] node\\(s\\) say they run it"));
        assertThat(Reports.text(result)).contains("--plant-bug supervisor-duplicates");
    }

    private static CheckResult check(RunResult result, String name) {
        return result.checks().stream()
                .filter(c -> c.check().equals(name))
                .findFirst()
                .orElseThrow();
    }
}
