package io.cohort.chaos.bench;

import io.cohort.chaos.cli.LocalCluster;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.NodeProcess;
import io.cohort.node.tools.StandaloneNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The supervisor workloads of WORKLOADS.md ({@code sup_failover}, {@code sup_hang}, {@code sup_leave}) on three node
 * processes A, B, C on loopback, each running {@link SupervisorNode}: S permanent children (default 1000) placed
 * over the three, then A is killed, frozen, or leaves. Times run from the fault to the moment the last of A's
 * children resolves by name to a process on B or C on both B and C (the later of the two).
 */
final class SupervisorWorkloads {

    private static final Duration BOUND = Duration.ofSeconds(170);
    private static final List<String> NODES = List.of("a", "b", "c");

    private SupervisorWorkloads() {}

    static List<Workload> all() {
        return List.of(
                workload(
                        "sup_failover",
                        "kill -9 A running a third of S children: back on B or C, by name, everywhere",
                        List.of(
                                "sup_failover_children_on_a",
                                "sup_failover_first_ms",
                                "sup_failover_last_ms",
                                "sup_failover_restarted",
                                "sup_failover_duplicates",
                                "sup_failover_detect_ms"),
                        (params, report) -> run(params, report, "failover")),
                workload(
                        "sup_hang",
                        "SIGSTOP of A running a third of S children: back after failure detection",
                        List.of("sup_hang_last_ms", "sup_hang_duplicates", "sup_hang_detect_ms"),
                        (params, report) -> run(params, report, "hang")),
                workload(
                        "sup_leave",
                        "graceful leave of A: every child handed over, none lost",
                        List.of("sup_leave_last_ms", "sup_leave_lost", "sup_leave_duplicates"),
                        (params, report) -> run(params, report, "leave")));
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

    private static void run(Map<String, String> params, Report report, String fault) throws Exception {
        int count = Integer.parseInt(params.getOrDefault("S", "1000"));
        Path triggers = Files.createTempDirectory("cohort-sup-bench");
        // By default the fault hits JVMs that have never taken over a child, as a real cluster's first failure
        // does. With REHEARSAL=1 a fourth node D is killed first and its children taken over, so the measured
        // takeover is the second in these JVMs (as in a cluster that has lived through a failure or a deploy); the
        // rehearsal's own times are printed too.
        boolean rehearsal =
                !fault.equals("leave") && params.getOrDefault("REHEARSAL", "0").equals("1");
        List<String> names = rehearsal ? List.of("a", "b", "c", "d") : NODES;
        try (LocalCluster cluster = new LocalCluster(names, event -> {})) {
            Map<String, String> env =
                    new java.util.HashMap<>(Map.of("S", Integer.toString(count), "TRIGGER_DIR", triggers.toString()));
            if (rehearsal) {
                env.put("REHEARSAL", "1");
            }
            cluster.start("a", SupervisorNode.class.getName(), with(env, fault.equals("leave") ? "leaver" : "idle"));
            cluster.start("b", SupervisorNode.class.getName(), with(env, "observer"));
            cluster.start("c", SupervisorNode.class.getName(), with(env, "observer"));
            if (rehearsal) {
                cluster.start("d", SupervisorNode.class.getName(), with(env, "idle"));
                rehearse(cluster, report);
            }
            NodeProcess a = cluster.process("a");
            int onA = Integer.parseInt(
                    await(cluster.process("c"), "ready").fields().get("on_a"));
            await(cluster.process("b"), "ready");
            await(a, "ready");
            long faultUs;
            switch (fault) {
                case "failover" -> faultUs = a.kill();
                case "hang" -> {
                    NodeConfig.Timing timing = NodeConfig.Timing.DEFAULT;
                    report.note("failure detection: FD_SOCK2 on, FD_ALL3 timeout "
                            + timing.fdTimeout().toMillis() + " ms, interval "
                            + timing.fdInterval().toMillis() + " ms, VERIFY_SUSPECT2 "
                            + timing.verifySuspectTimeout().toMillis() + " ms (NodeConfig defaults)");
                    faultUs = a.pause();
                }
                default -> {
                    faultUs = StandaloneNode.nowUs();
                    Files.createFile(triggers.resolve("leave"));
                }
            }
            long viewUs = 0;
            long firstUs = Long.MAX_VALUE;
            long lastUs = 0;
            int local = 0;
            long started = 0;
            StringBuilder perNode = new StringBuilder();
            for (String observer : List.of("b", "c")) {
                NodeProcess process = cluster.process(observer);
                NodeEvent moved = await(process, "last_us");
                perNode.append("; ")
                        .append(observer.toUpperCase(java.util.Locale.ROOT))
                        .append(": view ")
                        .append(since(faultUs, Long.parseLong(moved.fields().get("view_us"))))
                        .append(" ms, all resolved ")
                        .append(since(faultUs, Long.parseLong(moved.fields().get("last_us"))))
                        .append(" ms");
                firstUs = earliest(firstUs, Long.parseLong(moved.fields().get("first_us")));
                lastUs = Math.max(lastUs, Long.parseLong(moved.fields().get("last_us")));
                viewUs = Math.max(viewUs, Long.parseLong(moved.fields().get("view_us")));
                NodeEvent settled = await(process, "local");
                local += Integer.parseInt(settled.fields().get("local"));
                started += Long.parseLong(settled.fields().get("started"));
            }
            int duplicates = Math.max(0, local - count);
            int lost = Math.max(0, count - local);
            report.note("s=" + count + ": " + onA + " children on A; after the fault B and C run " + local
                    + ", having started " + started + " incarnations in all (including the initial placement); "
                    + "the later of B and C installed the view without A "
                    + (viewUs > 0 ? since(faultUs, viewUs) + " ms after the fault" : "(not seen)")
                    + (a.reapedUs() > 0
                            ? "; A's process was gone (reaped) " + since(faultUs, a.reapedUs()) + " ms after SIGKILL"
                            : "")
                    + perNode);
            switch (fault) {
                case "failover" -> {
                    report.metric("sup_failover_children_on_a", onA, "count");
                    report.metric("sup_failover_first_ms", since(faultUs, firstUs), "ms");
                    report.metric("sup_failover_last_ms", since(faultUs, lastUs), "ms");
                    report.metric("sup_failover_restarted", local - (count - onA), "count");
                    report.metric("sup_failover_duplicates", duplicates, "count");
                    report.metric("sup_failover_detect_ms", since(faultUs, viewUs), "ms");
                }
                case "hang" -> {
                    report.metric("sup_hang_last_ms", since(faultUs, lastUs), "ms");
                    report.metric("sup_hang_duplicates", duplicates, "count");
                    report.metric("sup_hang_detect_ms", since(faultUs, viewUs), "ms");
                }
                default -> {
                    report.metric("sup_leave_last_ms", since(faultUs, lastUs), "ms");
                    report.metric("sup_leave_lost", lost, "count");
                    report.metric("sup_leave_duplicates", duplicates, "count");
                }
            }
        } finally {
            Files.deleteIfExists(triggers.resolve("leave"));
            Files.deleteIfExists(triggers);
        }
    }

    /** Kills D once A, B and C are ready for it, and notes when its children were back. */
    private static void rehearse(LocalCluster cluster, Report report) throws InterruptedException {
        int onD = Integer.parseInt(
                await(cluster.process("c"), "rehearsal_ready").fields().get("on_d"));
        await(cluster.process("b"), "rehearsal_ready");
        await(cluster.process("a"), "rehearsal_ready");
        long killedUs = cluster.process("d").kill();
        long firstUs = Long.MAX_VALUE;
        long lastUs = 0;
        for (String observer : List.of("b", "c")) {
            NodeEvent moved = await(cluster.process(observer), "rehearsal_last_us");
            firstUs = earliest(firstUs, Long.parseLong(moved.fields().get("rehearsal_first_us")));
            lastUs = Math.max(lastUs, Long.parseLong(moved.fields().get("rehearsal_last_us")));
        }
        report.note("rehearsal: kill -9 of a fourth node D running " + onD + " of the children, the first takeover in "
                + "these JVMs: first back on A, B or C after " + since(killedUs, firstUs) + " ms, last after "
                + since(killedUs, lastUs) + " ms (the measured takeover below is the second)");
    }

    /** The earlier of two times in µs, where 0 means "none" (a node had no child to watch). */
    private static long earliest(long us, long candidateUs) {
        return candidateUs > 0 ? Math.min(us, candidateUs) : us;
    }

    /** Milliseconds from {@code fromUs} to {@code toUs}; NaN when {@code toUs} was never seen. */
    private static double since(long fromUs, long toUs) {
        return toUs > 0 && toUs != Long.MAX_VALUE ? (toUs - fromUs) / 1000.0 : Double.NaN;
    }

    private static Map<String, String> with(Map<String, String> env, String role) {
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("BENCH_ROLE", role);
        return all;
    }

    private static NodeEvent await(NodeProcess process, String field) throws InterruptedException {
        return process.await(e -> e.fields().containsKey(field), BOUND);
    }
}
