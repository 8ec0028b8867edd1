package io.cohort.chaos.bench;

import io.cohort.chaos.cli.LocalCluster;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.NodeProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pg workloads of WORKLOADS.md. {@code pg_join}, {@code pg_read}, {@code pg_memory} and {@code pg_exit} come
 * from one run per member count (A joins, C observes, then A's members exit), shared when several are asked for;
 * {@code pg_crash} kills (then, in a second run, stops) A while it holds its members; {@code pg_fanout} publishes to
 * a group spread over three nodes. Member counts: {@code --param P=10000,100000} (the default), groups {@code G=100}.
 */
final class PgWorkloads {

    private static final Duration BOUND = Duration.ofSeconds(180);
    private static final List<String> NODES = List.of("a", "b", "c");

    private PgWorkloads() {}

    static List<Workload> all() {
        return List.of(
                new Membership(
                        "pg_join",
                        "A joins P processes to G groups, one call each (pg_join_rate, pg_convergence, lag)",
                        List.of("pg_join_rate_pP", "pg_convergence_pP", "pg_lag_after_last_join_pP"),
                        PgWorkloads::reportJoin),
                new Membership(
                        "pg_read",
                        "members/localMembers of a P/G-member group on C, one thread",
                        List.of("pg_get_members_rate_pP", "pg_get_local_members_rate_pP"),
                        PgWorkloads::reportRead),
                new Crash(),
                new Membership(
                        "pg_exit",
                        "A's P members all exit -> C sees none",
                        List.of("pg_exit_cleanup_pP"),
                        PgWorkloads::reportExit),
                new Membership(
                        "pg_memory",
                        "heap per member, remote (on C) and local (on A)",
                        List.of("pg_mem_remote_per_member_pP", "pg_mem_local_per_member_pP"),
                        PgWorkloads::reportMemory),
                new Fanout());
    }

    static List<Integer> sizes(Map<String, String> params) {
        return Arrays.stream(params.getOrDefault("P", "10000,100000").split(","))
                .map(String::trim)
                .map(Integer::parseInt)
                .toList();
    }

    static int groups(Map<String, String> params) {
        return Integer.parseInt(params.getOrDefault("G", "100"));
    }

    // ---- the shared membership run ---------------------------------------------------------------------------

    /** What one membership run measured; times in µs. */
    record MembershipRun(
            int members,
            NodeEvent joinStart,
            NodeEvent joinEnd,
            NodeEvent local,
            NodeEvent seen,
            NodeEvent reads,
            long exitStartUs,
            long noneUs,
            NodeEvent remoteMemory) {

        long field(NodeEvent event, String name) {
            return Long.parseLong(event.fields().get(name));
        }
    }

    private static final Map<String, MembershipRun> RUNS = new HashMap<>();

    static synchronized MembershipRun membershipRun(int members, int groups, Report report) throws Exception {
        String key = members + "/" + groups;
        MembershipRun cached = RUNS.get(key);
        if (cached != null) {
            return cached;
        }
        Path triggers = Files.createTempDirectory("cohort-pg-bench");
        try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
            startJoining(cluster, members, groups, triggers);
            NodeProcess a = cluster.process("a");
            NodeProcess c = cluster.process("c");
            NodeEvent joinStart = await(a, "join_start_us");
            NodeEvent joinEnd = await(a, "join_end_us");
            NodeEvent slow = await(a, "slow_joins");
            report.note("P=" + members + ": joins slower than 100 us: "
                    + slow.fields().get("slow_joins") + ", " + slow.fields().get("slow_join_ms")
                    + " ms in all (garbage-collection pauses, and waits for a core shared with B and C)");
            NodeEvent seen = await(c, "seen_all_us");
            trigger(triggers, "measure"); // A measures its heap only now: its full GCs would delay its last delta
            NodeEvent local = await(a, "local_bytes_per_member");
            NodeEvent reads = await(c, "members_rate");
            trigger(triggers, "exit");
            long exitStartUs = Long.parseLong(await(a, "exit_start_us").fields().get("exit_start_us"));
            long noneUs = Long.parseLong(await(c, "none_us").fields().get("none_us"));
            NodeEvent remoteMemory = await(c, "remote_bytes_per_member");
            MembershipRun run = new MembershipRun(
                    members, joinStart, joinEnd, local, seen, reads, exitStartUs, noneUs, remoteMemory);
            report.note("P=" + members + " G=" + groups + ": joins on A, observed on C, then A's members exit");
            RUNS.put(key, run);
            return run;
        } finally {
            deleteTree(triggers);
        }
    }

    private static void reportJoin(MembershipRun run, Report report) {
        long startUs = run.field(run.joinStart, "join_start_us");
        long endUs = run.field(run.joinEnd, "join_end_us");
        long seenUs = run.field(run.seen, "seen_all_us");
        int p = run.members();
        report.metric("pg_join_rate_p" + p, run.field(run.joinEnd, "join_rate"), "joins/s");
        report.metric("pg_convergence_p" + p, (seenUs - startUs) / 1000.0, "ms");
        report.metric("pg_lag_after_last_join_p" + p, Math.max(0, seenUs - endUs) / 1000.0, "ms");
    }

    private static void reportRead(MembershipRun run, Report report) {
        int p = run.members();
        report.note("group of " + run.reads.fields().get("group_size") + " members");
        report.metric("pg_get_members_rate_p" + p, run.field(run.reads, "members_rate"), "calls/s");
        report.metric("pg_get_local_members_rate_p" + p, run.field(run.reads, "local_members_rate"), "calls/s");
    }

    private static void reportExit(MembershipRun run, Report report) {
        report.metric("pg_exit_cleanup_p" + run.members(), Math.max(0, run.noneUs - run.exitStartUs) / 1000.0, "ms");
    }

    private static void reportMemory(MembershipRun run, Report report) {
        int p = run.members();
        report.note("heap after GC, delta over the run's members (A's counts pg's own structures only: its processes"
                + " were spawned before the baseline; C's is the heap with all of A's members known minus the heap just"
                + " before the timed joins, after the warm-up rounds; what removing them all freed again on C: "
                + run.field(run.remoteMemory, "remote_freed_per_member") + " bytes per member)");
        report.metric(
                "pg_mem_remote_per_member_p" + p, run.field(run.remoteMemory, "remote_bytes_per_member"), "bytes");
        report.metric("pg_mem_local_per_member_p" + p, run.field(run.local, "local_bytes_per_member"), "bytes");
    }

    interface Reporter {
        void report(MembershipRun run, Report report);
    }

    /** A workload read off the shared membership run. */
    record Membership(String name, String description, List<String> metrics, Reporter reporter) implements Workload {

        @Override
        public void run(Map<String, String> params, Report report) throws Exception {
            for (int members : sizes(params)) {
                reporter.report(membershipRun(members, groups(params), report), report);
            }
        }
    }

    // ---- pg_crash -------------------------------------------------------------------------------------------------

    static final class Crash implements Workload {

        @Override
        public String name() {
            return "pg_crash";
        }

        @Override
        public String description() {
            return "kill -9 (then SIGSTOP) of A holding P members -> C sees none of them";
        }

        @Override
        public List<String> metrics() {
            return List.of("pg_crash_cleanup_pP", "pg_crash_detect_pP", "pg_hang_cleanup_pP", "pg_hang_detect_pP");
        }

        @Override
        public void run(Map<String, String> params, Report report) throws Exception {
            NodeConfig.Timing timing = NodeConfig.Timing.DEFAULT;
            report.note("failure detection: FD_SOCK2 on, FD_ALL3 timeout "
                    + timing.fdTimeout().toMillis()
                    + " ms, interval " + timing.fdInterval().toMillis() + " ms, VERIFY_SUSPECT2 "
                    + timing.verifySuspectTimeout().toMillis() + " ms (NodeConfig defaults)");
            for (int members : sizes(params)) {
                Cleanup crash = cleanup(members, groups(params), false);
                report.metric("pg_crash_cleanup_p" + members, crash.cleanupMs(), "ms");
                report.metric("pg_crash_detect_p" + members, crash.detectMs(), "ms");
                report.note("pg_crash p" + members + ": " + crash.describe());
                Cleanup hang = cleanup(members, groups(params), true);
                report.metric("pg_hang_cleanup_p" + members, hang.cleanupMs(), "ms");
                report.metric("pg_hang_detect_p" + members, hang.detectMs(), "ms");
                report.note("pg_hang p" + members + ": " + hang.describe());
            }
        }

        /** Milliseconds from the fault: C's view without A, C seeing none of A's members, A reaped (0 if not killed). */
        private record Cleanup(double detectMs, double cleanupMs, double reapedMs) {
            String describe() {
                return "C saw none of A's members " + Math.round((cleanupMs - detectMs) * 10) / 10.0
                        + " ms after its view without A"
                        + (reapedMs > 0
                                ? "; A's process was gone (reaped) " + reapedMs
                                        + " ms after SIGKILL: the kernel closes its sockets only then"
                                : "");
            }
        }

        private static Cleanup cleanup(int members, int groups, boolean hang) throws Exception {
            Path triggers = Files.createTempDirectory("cohort-pg-bench");
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                startJoining(cluster, members, groups, triggers);
                NodeProcess a = cluster.process("a");
                NodeProcess c = cluster.process("c");
                await(c, "members_rate"); // C has seen them all and finished its reads
                long faultUs = hang ? a.pause() : a.kill();
                NodeEvent none = await(c, "none_us");
                long noneUs = Long.parseLong(none.fields().get("none_us"));
                long viewUs = Long.parseLong(none.fields().get("view_us"));
                return new Cleanup(
                        viewUs > 0 ? (viewUs - faultUs) / 1000.0 : Double.NaN,
                        (noneUs - faultUs) / 1000.0,
                        hang || a.reapedUs() == 0 ? 0 : (a.reapedUs() - faultUs) / 1000.0);
            } finally {
                deleteTree(triggers);
            }
        }
    }

    // ---- pg_fanout ------------------------------------------------------------------------------------------------

    static final class Fanout implements Workload {

        @Override
        public String name() {
            return "pg_fanout";
        }

        @Override
        public String description() {
            return "publish to a group of M members over A, B, C: K back to back, then L paced (rate, latency)";
        }

        @Override
        public List<String> metrics() {
            return List.of("pg_fanout_deliveries_rate", "pg_fanout_latency_p50_us", "pg_fanout_latency_p99_us");
        }

        @Override
        public void run(Map<String, String> params, Report report) throws Exception {
            int total = Integer.parseInt(params.getOrDefault("M", "1000"));
            int burst = Integer.parseInt(params.getOrDefault("K", "5000"));
            int paced = Integer.parseInt(params.getOrDefault("L", "1000"));
            Path triggers = Files.createTempDirectory("cohort-pg-bench");
            try (LocalCluster cluster = new LocalCluster(NODES, Workload::trace)) {
                for (int i = 0; i < NODES.size(); i++) {
                    Map<String, String> env = new HashMap<>();
                    env.put("BENCH_ROLE", "fanout");
                    env.put("NODE_INDEX", Integer.toString(i));
                    env.put("M", Integer.toString(total));
                    env.put("K", Integer.toString(burst));
                    env.put("L", Integer.toString(paced));
                    env.put("TRIGGER_DIR", triggers.toString());
                    cluster.start(NODES.get(i), PgBenchNode.class.getName(), env);
                }
                for (String name : NODES) {
                    await(cluster.process(name), "members_seen");
                }
                trigger(triggers, "publish");
                long startUs = Long.parseLong(
                        await(cluster.process("a"), "publish_start_us").fields().get("publish_start_us"));
                long doneUs = 0;
                for (String name : NODES) {
                    doneUs = Math.max(
                            doneUs,
                            Long.parseLong(await(cluster.process(name), "burst_done_us")
                                    .fields()
                                    .get("burst_done_us")));
                }
                double rate = (double) burst * total / ((doneUs - startUs) / 1e6);
                trigger(triggers, "latency");
                long[] worst = new long[paced];
                for (String name : NODES) {
                    await(cluster.process(name), "paced_done_us");
                    List<String> lines = Files.readAllLines(triggers.resolve("latency-" + name + ".txt"));
                    for (int i = 0; i < paced; i++) {
                        worst[i] = Math.max(worst[i], Long.parseLong(lines.get(i)));
                    }
                }
                Arrays.sort(worst);
                report.note("M=" + total + " members over a, b, c; K=" + burst + " publishes back to back; L=" + paced
                        + " paced publishes (one per 2 ms) for latency to the last member; 100-byte messages");
                report.metric("pg_fanout_deliveries_rate", rate, "deliveries/s");
                report.metric("pg_fanout_latency_p50_us", worst[paced / 2], "us");
                report.metric("pg_fanout_latency_p99_us", worst[(int) (paced * 0.99)], "us");
            } finally {
                deleteTree(triggers);
            }
        }
    }

    /**
     * Starts B (idle), C (observer) and A (joiner); lets A leave its warm-up joins once C has seen them all; waits until
     * A's processes exist and both A and C have a quiet JIT, then lets A join.
     */
    private static void startJoining(LocalCluster cluster, int members, int groups, Path triggers) throws Exception {
        Map<String, String> env = Map.of(
                "P",
                Integer.toString(members),
                "G",
                Integer.toString(groups),
                "WARMUP", // as many joins as the timed ones, joined and left again in the same scope before them
                Integer.toString(members),
                "TRIGGER_DIR",
                triggers.toString());
        cluster.start("b", PgBenchNode.class.getName(), with(env, "BENCH_ROLE", "bystander"));
        cluster.start("c", PgBenchNode.class.getName(), with(env, "BENCH_ROLE", "observer"));
        cluster.start("a", PgBenchNode.class.getName(), with(env, "BENCH_ROLE", "joiner"));
        for (int round = 0; round < PgBenchNode.WARMUP_ROUNDS; round++) {
            await(cluster.process("a"), "warm_joined_" + round);
            await(cluster.process("c"), "warm_seen_" + round);
            trigger(triggers, "warm-leave-" + round);
        }
        await(cluster.process("a"), "ready");
        await(cluster.process("b"), "ready");
        await(cluster.process("c"), "ready");
        trigger(triggers, "join");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private static Map<String, String> with(Map<String, String> env, String key, String value) {
        Map<String, String> all = new HashMap<>(env);
        all.put(key, value);
        return all;
    }

    private static NodeEvent await(NodeProcess process, String field) throws InterruptedException {
        return process.await(e -> e.kind().equals("bench") && e.fields().containsKey(field), BOUND);
    }

    private static void trigger(Path dir, String name) throws IOException {
        Files.createFile(dir.resolve(name));
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> paths = new ArrayList<>();
        try (var walk = Files.walk(dir)) {
            walk.forEach(paths::add);
        }
        for (int i = paths.size() - 1; i >= 0; i--) {
            Files.deleteIfExists(paths.get(i));
        }
    }
}
