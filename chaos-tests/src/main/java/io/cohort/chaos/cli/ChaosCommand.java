package io.cohort.chaos.cli;

import io.cohort.chaos.container.ChaosRun;
import io.cohort.chaos.container.ChaosRunConfig;
import io.cohort.chaos.container.Docker;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.report.RunResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort chaos}: a container chaos run with the pg, registry and supervisor workloads; prints the summary, writes
 * the report,
 * and exits 1 when a check fails.
 */
@Command(
        name = "chaos",
        mixinStandardHelpOptions = true,
        description = {
            "Starts node containers, runs pg, registry and supervisor workloads under a seeded fault schedule (kill,",
            "pause, partitions, lossy and slow links), undoes the faults, checks the invariants and writes a report.",
            "Needs a Docker engine and the node image (bin/build-image builds it)."
        })
final class ChaosCommand implements Callable<Integer> {

    @Option(names = "--nodes", description = "node containers (default: ${DEFAULT-VALUE})", defaultValue = "5")
    int nodes;

    @Option(
            names = "--duration",
            description = "how long faults are injected, e.g. 120s or 2m (default: ${DEFAULT-VALUE})",
            defaultValue = "60s")
    String duration;

    @Option(names = "--seed", description = "seed of the fault schedule and workload (default: a random one)")
    Long seed;

    @Option(
            names = "--faults",
            split = ",",
            description = "fault kinds to use: kill, pause, partition, lossy, slow (default: all)")
    Set<String> faults;

    @Option(
            names = "--workloads",
            split = ",",
            description = "workloads to run: pg, registry, supervisor (default: all)")
    Set<String> workloads;

    @Option(names = "--workers", description = "workers per node (default: ${DEFAULT-VALUE})", defaultValue = "1")
    int workers;

    @Option(
            names = "--rate",
            description = "operations per second per worker (default: ${DEFAULT-VALUE})",
            defaultValue = "10")
    int rate;

    @Option(
            names = "--quiet",
            description = "bound on agreeing again after the faults (default: ${DEFAULT-VALUE})",
            defaultValue = "60s")
    String quiet;

    @Option(
            names = "--report-dir",
            description = "where run reports go (default: ${DEFAULT-VALUE})",
            defaultValue = "chaos-reports")
    Path reportDir;

    @Option(names = "--image", description = "node image (default: $COHORT_NODE_IMAGE or cohort-node:dev)")
    String image;

    @Option(names = "--plant-bug", description = "run nodes with a planted bug, to see the checkers catch it")
    String bug;

    @Override
    public Integer call() throws Exception {
        Optional<String> missing = Docker.unavailableReason();
        if (missing.isPresent()) {
            System.err.println("cohort chaos: " + missing.get());
            return 2;
        }
        long chosenSeed = seed != null ? seed : System.nanoTime() % 100_000;
        ChaosRunConfig config = ChaosRunConfig.of(nodes, parse(duration), chosenSeed)
                .withWorkload(workers, rate)
                .withQuietBound(parse(quiet))
                .withReportDir(reportDir);
        if (faults != null && !faults.isEmpty()) {
            Set<FaultSchedule.Kind> kinds = EnumSet.noneOf(FaultSchedule.Kind.class);
            faults.forEach(kind -> kinds.add(FaultSchedule.Kind.parse(kind)));
            config = config.withFaults(FaultSchedule.Options.defaults().withKinds(kinds));
        }
        if (workloads != null && !workloads.isEmpty()) {
            config = config.withWorkloads(workloads);
        }
        if (image != null) {
            config = config.withImage(image);
        }
        if (bug != null) {
            config = config.withBug(bug);
        }
        RunResult result = ChaosRun.run(config, line -> System.out.println("[chaos] " + line));
        return result.valid() ? 0 : 1;
    }

    /** {@code 120s}, {@code 2m}, {@code 500ms}, or plain seconds. */
    static Duration parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        }
        if (t.endsWith("s")) {
            return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        if (t.endsWith("m")) {
            return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(t));
    }
}
