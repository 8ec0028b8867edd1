package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.junit.RequiresDocker;
import io.cohort.chaos.report.Reports;
import io.cohort.chaos.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The project's own container chaos run: five Cohort nodes, the pg, registry and supervisor workloads on every node,
 * and a minute of seeded faults of every kind (kill, pause, partitions, lossy and slow links); afterwards every check
 * must pass. Seed 4's schedule uses all five kinds. Replay or vary it with {@code -Dchaos.seed=N -Dchaos.nodes=N
 * -Dchaos.seconds=N -Dchaos.workloads=pg,registry}; the report is written under {@code chaos-tests/target/chaos-reports/}.
 */
@RequiresDocker
class ChaosRunIT {

    @Test
    void groupsNamesAndChildrenSurviveASeededMinuteOfFaults() throws Exception {
        long seed = Long.getLong("chaos.seed", 4);
        int nodes = Integer.getInteger("chaos.nodes", 5);
        Duration length = Duration.ofSeconds(Integer.getInteger("chaos.seconds", 60));
        Set<String> workloads = Arrays.stream(System.getProperty("chaos.workloads", "pg,registry,supervisor")
                        .split(","))
                .map(String::trim)
                .collect(Collectors.toSet());
        ChaosRunConfig config = ChaosRunConfig.of(nodes, length, seed)
                .withWorkloads(workloads)
                .withReportDir(Path.of("target", "chaos-reports"));

        RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));

        assertThat(result.valid()).as(Reports.text(result)).isTrue();
        assertThat(result.faultsInjected()).isPositive();
        assertThat(result.operations()).isPositive();
        assertThat(result.checks())
                .extracting(check -> check.check())
                .contains("pg-monitors", "registry-one-owner", "registry-loser-notified", "supervisor-exactly-once");
    }
}
