package io.cohort.chaos.container;

import io.cohort.chaos.fault.FaultSchedule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What a chaos run does: how many nodes, how long the faults go on, the seed that fixes the fault schedule and the
 * workers' choices, and where the report goes.
 *
 * @param nodes number of node containers
 * @param length how long faults are injected while the workload runs
 * @param seed the seed of the schedule and the workload
 * @param faults which faults and how they are timed
 * @param workersPerNode workload workers per node, each with its own control connection
 * @param opsPerSecond operations each worker starts per second (at most)
 * @param quietBound how long the nodes get, after every fault is undone, to agree again before the checks
 * @param reportDir where the run's report directory is created
 * @param image the node image
 * @param bug a planted bug for the nodes ({@code pg-lost-join}, {@code pg-frozen-read}), or empty
 * @param env extra environment for every node
 * @param workloads which workloads run: {@code pg}, {@code registry}, {@code supervisor}
 */
public record ChaosRunConfig(
        int nodes,
        Duration length,
        long seed,
        FaultSchedule.Options faults,
        int workersPerNode,
        int opsPerSecond,
        Duration quietBound,
        Path reportDir,
        String image,
        String bug,
        Map<String, String> env,
        Set<String> workloads) {

    /** Every workload, the default. */
    public static final Set<String> WORKLOADS = Set.of("pg", "registry", "supervisor");

    public ChaosRunConfig {
        Objects.requireNonNull(length);
        Objects.requireNonNull(faults);
        Objects.requireNonNull(quietBound);
        Objects.requireNonNull(reportDir);
        Objects.requireNonNull(image);
        Objects.requireNonNull(bug);
        env = Map.copyOf(env);
        workloads = Set.copyOf(workloads);
        if (workloads.isEmpty() || !WORKLOADS.containsAll(workloads)) {
            throw new IllegalArgumentException("workloads must be some of " + WORKLOADS + ": " + workloads);
        }
        if (nodes < 1 || workersPerNode < 1 || opsPerSecond < 1) {
            throw new IllegalArgumentException("nodes, workers per node and ops per second must be positive");
        }
    }

    /** Defaults: every fault kind, one worker per node at 10 ops/s, 60 s to converge, reports in chaos-reports/. */
    public static ChaosRunConfig of(int nodes, Duration length, long seed) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                FaultSchedule.Options.defaults(),
                1,
                10,
                Duration.ofSeconds(60),
                Path.of("chaos-reports"),
                CohortImage.tag(),
                "",
                Map.of(),
                WORKLOADS);
    }

    public ChaosRunConfig withWorkloads(Set<String> newWorkloads) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                faults,
                workersPerNode,
                opsPerSecond,
                quietBound,
                reportDir,
                image,
                bug,
                env,
                newWorkloads);
    }

    public boolean runs(String workload) {
        return workloads.contains(workload);
    }

    public ChaosRunConfig withFaults(FaultSchedule.Options newFaults) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                newFaults,
                workersPerNode,
                opsPerSecond,
                quietBound,
                reportDir,
                image,
                bug,
                env,
                workloads);
    }

    public ChaosRunConfig withReportDir(Path dir) {
        return new ChaosRunConfig(
                nodes, length, seed, faults, workersPerNode, opsPerSecond, quietBound, dir, image, bug, env, workloads);
    }

    public ChaosRunConfig withImage(String newImage) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                faults,
                workersPerNode,
                opsPerSecond,
                quietBound,
                reportDir,
                newImage,
                bug,
                env,
                workloads);
    }

    public ChaosRunConfig withBug(String newBug) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                faults,
                workersPerNode,
                opsPerSecond,
                quietBound,
                reportDir,
                image,
                newBug,
                env,
                workloads);
    }

    public ChaosRunConfig withWorkload(int workers, int rate) {
        return new ChaosRunConfig(
                nodes, length, seed, faults, workers, rate, quietBound, reportDir, image, bug, env, workloads);
    }

    public ChaosRunConfig withQuietBound(Duration bound) {
        return new ChaosRunConfig(
                nodes,
                length,
                seed,
                faults,
                workersPerNode,
                opsPerSecond,
                bound,
                reportDir,
                image,
                bug,
                env,
                workloads);
    }

    /** The launcher command that replays this run's schedule. */
    public String repro() {
        List<String> parts = new ArrayList<>(List.of(
                "bin/cohort chaos",
                "--nodes " + nodes,
                "--duration " + (length.toMillis() % 1000 == 0 ? length.toSeconds() + "s" : length.toMillis() + "ms"),
                "--seed " + seed));
        if (!faults.kinds().equals(FaultSchedule.Options.defaults().kinds())) {
            parts.add("--faults "
                    + faults.kinds().stream()
                            .map(kind -> kind.name().toLowerCase(java.util.Locale.ROOT))
                            .collect(Collectors.joining(",")));
        }
        if (!workloads.equals(WORKLOADS)) {
            parts.add("--workloads " + String.join(",", new java.util.TreeSet<>(workloads)));
        }
        if (!bug.isEmpty()) {
            parts.add("--plant-bug " + bug);
        }
        if (!image.equals(CohortImage.tag())) {
            parts.add("--image " + image);
        }
        return String.join(" ", parts);
    }
}
