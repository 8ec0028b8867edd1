package io.cohort.chaos.bench;

import io.cohort.chaos.cli.LocalCluster;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.NodeProcess;
import io.cohort.node.tools.StandaloneNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry workloads of WORKLOADS.md ({@code reg_register}, {@code reg_lookup}, {@code reg_conflict},
 * {@code reg_crash}, {@code reg_memory}) on three node processes A, B, C on loopback, each running
 * {@link RegistryNode}.
 */
final class RegistryWorkloads {

    private static final Duration BOUND = Duration.ofSeconds(150);
    private static final List<String> NODES = List.of("a", "b", "c");

    private RegistryWorkloads() {}

    static List<Workload> all() {
        return List.of(
                workload(
                        "reg_register",
                        "A's N processes each register a name (reg_register_rate_nN, reg_convergence_nN)",
                        List.of("reg_register_rate_nN", "reg_convergence_nN"),
                        RegistryWorkloads::register),
                workload(
                        "reg_lookup",
                        "one thread on C resolves random known names (reg_lookup_rate_nN)",
                        List.of("reg_lookup_rate_nN"),
                        RegistryWorkloads::lookup),
                workload(
                        "reg_conflict",
                        "{A} | {B, C} both register K names, heal (reg_conflict_resolve_kK, reg_conflict_losers_notified_kK)",
                        List.of(
                                "reg_conflict_resolve_kK",
                                "reg_conflict_resolve_after_merge_kK",
                                "reg_conflict_losers_notified_kK"),
                        RegistryWorkloads::conflict),
                workload(
                        "reg_crash",
                        "kill -9 A holding N names (reg_crash_cleanup_nN)",
                        List.of("reg_crash_cleanup_nN"),
                        RegistryWorkloads::crash),
                workload(
                        "reg_memory",
                        "heap per entry on C, a remote node (reg_mem_per_entry_nN)",
                        List.of("reg_mem_per_entry_nN"),
                        RegistryWorkloads::memory));
    }

    @FunctionalInterface
    private interface Body {
        void run(Map<String, String> params, Report report) throws Exception;
    }

    private static Workload workload(String name, String description, List<String> metrics, Body body) {
        return new Workload() {
            @Override
            public List<String> metrics() {
                return metrics;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public void run(Map<String, String> params, Report report) throws Exception {
                body.run(params, report);
            }
        };
    }

    /** Sizes to run: {@code N} (one or several, comma-separated), else the given defaults. */
    private static List<Integer> sizes(Map<String, String> params, String key, String defaults) {
        return java.util.Arrays.stream(params.getOrDefault(key, defaults).split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
    }

    /**
     * Starts C and B as observers with {@code observerEnv}, and A as the registrar of {@code n} names, and returns
     * once A has started its timed registrations: after its warm-up, and after B and C reported a quiet JIT. C takes
     * its heap baseline before the warm-up.
     */
    private static void startRegistration(LocalCluster cluster, int n, Map<String, String> observerEnv)
            throws Exception {
        Path signals = Files.createTempDirectory("cohort-reg");
        try {
            String dir = signals.toString();
            Map<String, String> observer = new HashMap<>(observerEnv);
            observer.put("BENCH_ROLE", "observer");
            observer.put("N", Integer.toString(n));
            observer.put("SIGNAL_DIR", dir);
            cluster.start("c", RegistryNode.class.getName(), observer);
            cluster.start(
                    "b",
                    RegistryNode.class.getName(),
                    Map.of("BENCH_ROLE", "observer", "N", Integer.toString(n), "SIGNAL_DIR", dir));
            cluster.start(
                    "a",
                    RegistryNode.class.getName(),
                    Map.of("BENCH_ROLE", "registrar", "N", Integer.toString(n), "SIGNAL_DIR", dir));
            // A's warm-up, then B's and C's JITs quiet after it, then the timed part.
            cluster.process("a").await(e -> e.fields().containsKey("warmed"), BOUND);
            Files.createFile(signals.resolve("warmed"));
            cluster.process("b").await(e -> e.fields().containsKey("ready"), BOUND);
            cluster.process("c").await(e -> e.fields().containsKey("ready"), BOUND);
            Files.createFile(signals.resolve("go"));
            cluster.process("a").await(e -> e.fields().containsKey("timed"), BOUND);
        } finally {
            Files.deleteIfExists(signals.resolve("warmed"));
            Files.deleteIfExists(signals.resolve("go"));
            Files.deleteIfExists(signals);
        }
    }

    private static void register(Map<String, String> params, Report report) throws Exception {
        for (int n : sizes(params, "N", "10000,100000")) {
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                startRegistration(cluster, n, Map.of());
                NodeEvent registered =
                        cluster.process("a").await(e -> e.fields().containsKey("reg_end_us"), BOUND);
                NodeEvent converged = cluster.process("c").await(e -> e.fields().containsKey("converged_us"), BOUND);
                long startUs = Long.parseLong(registered.fields().get("reg_start_us"));
                long endUs = Long.parseLong(registered.fields().get("reg_end_us"));
                long convergedUs = Long.parseLong(converged.fields().get("converged_us"));
                report.note("n=" + n + ": A registered in " + (endUs - startUs) / 1000 + " ms; C resolved all "
                        + (convergedUs - endUs) / 1000 + " ms after A's last registration returned");
                report.metric("reg_register_rate_n" + n, n / ((endUs - startUs) / 1e6), "regs/s");
                report.metric("reg_convergence_n" + n, (convergedUs - startUs) / 1000.0, "ms");
            }
        }
    }

    private static void lookup(Map<String, String> params, Report report) throws Exception {
        String seconds = params.getOrDefault("SECONDS", "5");
        for (int n : sizes(params, "N", "10000")) {
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                startRegistration(cluster, n, Map.of("LOOKUP_SECONDS", seconds));
                NodeEvent rate = cluster.process("c").await(e -> e.fields().containsKey("lookup_rate"), BOUND);
                report.note("n=" + n + ": one thread on C, random names of A's, " + seconds
                        + " s after a 20M-lookup warm-up");
                report.metric(
                        "reg_lookup_rate_n" + n, Long.parseLong(rate.fields().get("lookup_rate")), "lookups/s");
            }
        }
    }

    private static void crash(Map<String, String> params, Report report) throws Exception {
        for (int n : sizes(params, "N", "10000")) {
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                startRegistration(cluster, n, Map.of("WAIT_EMPTY", "1"));
                cluster.process("c").await(e -> e.fields().containsKey("converged_us"), BOUND);
                long killedUs = cluster.process("a").kill();
                NodeEvent cleared = cluster.process("c").await(e -> e.fields().containsKey("cleared_us"), BOUND);
                report.metric(
                        "reg_crash_cleanup_n" + n,
                        (Long.parseLong(cleared.fields().get("cleared_us")) - killedUs) / 1000.0,
                        "ms");
            }
        }
    }

    private static void memory(Map<String, String> params, Report report) throws Exception {
        for (int n : sizes(params, "N", "100000")) {
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                startRegistration(cluster, n, Map.of("MEMORY", "1"));
                NodeEvent measured = cluster.process("c").await(e -> e.fields().containsKey("mem_per_entry"), BOUND);
                report.note("n=" + n + ": heap used on C after GC, after minus before, per name (names 'name-i')");
                report.metric(
                        "reg_mem_per_entry_n" + n,
                        Long.parseLong(measured.fields().get("mem_per_entry")),
                        "bytes");
            }
        }
    }

    private static void conflict(Map<String, String> params, Report report) throws Exception {
        int k = Integer.parseInt(params.getOrDefault("K", "1000"));
        Path signals = Files.createTempDirectory("cohort-reg-conflict");
        try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
            for (String name : NODES) {
                cluster.start(
                        name,
                        RegistryNode.class.getName(),
                        Map.of(
                                "BENCH_ROLE",
                                "conflict-" + name,
                                "K",
                                Integer.toString(k),
                                "SIGNAL_DIR",
                                signals.toString()));
            }
            cluster.process("a").await(e -> e.fields().containsKey("registered"), BOUND);
            Files.createFile(signals.resolve("b-go")); // b registers after a: a's registrations are the earlier
            cluster.process("b").await(e -> e.fields().containsKey("registered"), BOUND);
            long healUs = StandaloneNode.nowUs();
            Files.createFile(signals.resolve("heal"));
            long mergedUs = 0;
            long resolvedUs = 0;
            long agreedUs = 0;
            for (String name : NODES) {
                NodeProcess process = cluster.process(name);
                NodeEvent merged = process.await(e -> e.fields().containsKey("merged_us"), BOUND);
                NodeEvent resolved = process.await(e -> e.fields().containsKey("resolved_us"), BOUND);
                mergedUs = Math.max(mergedUs, Long.parseLong(merged.fields().get("merged_us")));
                resolvedUs =
                        Math.max(resolvedUs, Long.parseLong(resolved.fields().get("resolved_us")));
                agreedUs = Math.max(agreedUs, Long.parseLong(resolved.fields().get("agreed_us")));
            }
            // Only now may the winners end: a node that resolved early must not take its names away from one
            // that is still resolving (seen: B got A's sync late, and found A's names already gone).
            Files.createFile(signals.resolve("done"));
            NodeEvent loser = cluster.process("b").await(e -> e.fields().containsKey("losers_ended"), BOUND);
            report.note("k=" + k + ": membership merged " + (mergedUs - healUs) / 1000 + " ms after the heal; "
                    + "every node resolved every name to A's process " + (agreedUs - mergedUs) / 1000
                    + " ms after that; "
                    + "losers ended by name_conflict on B: " + loser.fields().get("losers_ended")
                    + ", registry.conflicts.lost on B: " + loser.fields().get("conflicts_lost"));
            report.metric("reg_conflict_resolve_k" + k, (resolvedUs - healUs) / 1000.0, "ms");
            report.metric("reg_conflict_resolve_after_merge_k" + k, (resolvedUs - mergedUs) / 1000.0, "ms");
            report.metric(
                    "reg_conflict_losers_notified_k" + k,
                    Long.parseLong(loser.fields().get("losers_ended")),
                    "count");
        } finally {
            Files.deleteIfExists(signals.resolve("b-go"));
            Files.deleteIfExists(signals.resolve("heal"));
            Files.deleteIfExists(signals.resolve("done"));
            Files.deleteIfExists(signals);
        }
    }
}
