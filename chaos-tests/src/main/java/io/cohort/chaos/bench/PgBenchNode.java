package io.cohort.chaos.bench;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.pg.PgScope;
import io.cohort.pg.ProcessGroups;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A node process for the pg workloads, in one role ({@code BENCH_ROLE}); every node runs the scope {@code bench}.
 * Steps that must wait for the other nodes wait for a file of that name in {@code TRIGGER_DIR}, which the workload
 * creates; results are {@link NodeEvent} lines of kind {@code bench}.
 *
 * <ul>
 *   <li>{@code idle}: only holds the scope.
 *   <li>{@code bystander} (B): holds the scope, sees the warm-up pass, waits for its JIT and reports {@code ready}.
 *   <li>{@code joiner} (A): spawns {@code P} idle processes, then on {@code join} joins them round-robin to {@code G}
 *       groups, one call each, after two warm-up rounds of {@code WARMUP} joins and leaves in the same scope; on
 *       {@code exit} makes them all exit.
 *   <li>{@code observer} (C): watches how many of node {@code A_NAME}'s members it knows; reports the first and the
 *       complete sighting and when they are all gone again; measures the heap per remote member and the read rates.
 *   <li>{@code fanout}: holds {@code M/3} members of group {@code fan}; node {@code a} also publishes, {@code K}
 *       messages back to back on {@code publish}, then {@code L} paced ones on {@code latency}, and every node
 *       writes each paced message's latency to its last local member into {@code TRIGGER_DIR}.
 * </ul>
 */
public final class PgBenchNode {

    static final String SCOPE = "bench";
    static final String FAN_GROUP = "fan";
    /** How often A joins and leaves its warm-up members before the timed joins. */
    static final int WARMUP_ROUNDS = 2;

    private static final int PAYLOAD_BYTES = 100;

    private PgBenchNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        PgScope scope = new PgScope(SCOPE);
        try (Node node = Node.builder(StandaloneNode.configFromEnvironment(env))
                .component(scope)
                .start()) {
            ProcessGroups groups = new ProcessGroups(node, scope);
            Path triggers = Path.of(env.getOrDefault("TRIGGER_DIR", "."));
            int viewSize = Integer.parseInt(env.getOrDefault("VIEW_SIZE", "3"));
            // Once a fresh node never saw the full view (120 s): say what it saw instead.
            awaitCondition(
                    () -> node.view().size() >= viewSize,
                    () -> "a view of " + viewSize + "; the view now " + node.view());
            switch (env.getOrDefault("BENCH_ROLE", "idle")) {
                case "joiner" -> joiner(node, groups, env, triggers);
                case "observer" -> observer(node, scope, groups, env);
                case "fanout" -> fanout(node, groups, env, triggers);
                case "bystander" -> bystander(node, scope, env);
                default -> report(node, Map.of("idle", "1"));
            }
            new CountDownLatch(1).await(); // until the workload ends this process
        }
    }

    // ---- pg_join, pg_exit, pg_crash: node A ----------------------------------------------------------------

    private static void joiner(Node node, ProcessGroups groups, Map<String, String> env, Path triggers)
            throws Exception {
        int members = Integer.parseInt(env.getOrDefault("P", "10000"));
        int groupCount = Integer.parseInt(env.getOrDefault("G", "100"));
        int warmup = Integer.parseInt(env.getOrDefault("WARMUP", "0"));
        ProcessRuntime runtime = node.processes();
        // Warm-up: the same joins first, in the same scope, then as many leaves (C sees the count rise to WARMUP and
        // fall back to 0), so the JIT has compiled the join path here and the delta path on B and C. A warm-up of a
        // tenth of the size in a scope of its own left the compilers of all three nodes busy through the timed joins:
        // about a core of this 2-core machine, and half the join rate.
        // The processes are spawned first and then joined back to back, as in the timed part: joins interleaved with
        // spawns made smaller deltas, and the timed part's larger ones took the compilers of all three nodes through
        // new branches and loops (deoptimizations and recompilations at its start, about a third of both cores).
        // Two rounds of it: the leaves of the first round left profiles that the timed joins right after them broke
        // again (deoptimizations of the delta path on B and C at the timed start); after a second round the
        // compiled code has seen both.
        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            List<Pid> warmPids = new ArrayList<>(warmup);
            for (int i = 0; i < warmup; i++) {
                warmPids.add(runtime.spawn(self -> self.receive()));
            }
            for (int i = 0; i < warmup; i++) {
                groups.join("g" + (i % groupCount), warmPids.get(i));
            }
            report(node, Map.of("warm_joined_" + round, Integer.toString(warmup)));
            awaitTrigger(triggers, "warm-leave-" + round);
            for (int i = 0; i < warmup; i++) {
                groups.leave("g" + (i % groupCount), warmPids.get(i));
            }
            warmPids.forEach(pid -> runtime.send(pid, "end")); // not members any more: their exits change nothing
            awaitCondition(() -> warmPids.stream().noneMatch(runtime::isAlive), "the warm-up processes to end");
        }
        List<Pid> pids = new ArrayList<>(members);
        CountDownLatch started = new CountDownLatch(members);
        for (int i = 0; i < members; i++) {
            pids.add(runtime.spawn(self -> {
                started.countDown();
                self.receive(); // ends at its first message
            }));
        }
        // Every process has run up to its receive, so the stacks they park with (about 1 KB each) exist now and the
        // full collections below move them to the old generation. Spawned but not yet run, they got their stacks
        // during the timed joins instead, and each young collection there copied up to 100 MB of them: 0.1-0.2 s
        // pauses, half the time of 100000 joins.
        awaitCondition(() -> started.getCount() == 0, () -> started.getCount() + " processes yet to start");
        long baseline = heapAfterGc();
        Jit.awaitQuiet();
        report(node, Map.of("ready", "1"));
        awaitTrigger(triggers, "join");
        long startNs = System.nanoTime();
        report(node, Map.of("join_start_us", Long.toString(StandaloneNode.nowUs())));
        long slowJoins = 0;
        long slowNs = 0;
        for (int i = 0; i < members; i++) {
            long joinStartNs = System.nanoTime();
            groups.join("g" + (i % groupCount), pids.get(i));
            long tookNs = System.nanoTime() - joinStartNs;
            if (tookNs > 100_000) {
                slowJoins++;
                slowNs += tookNs;
            }
        }
        long elapsedNs = System.nanoTime() - startNs;
        report(node, Map.of("slow_joins", Long.toString(slowJoins), "slow_join_ms", Long.toString(slowNs / 1_000_000)));
        report(node, Map.of("join_end_us", Long.toString(StandaloneNode.nowUs()), "join_rate", Long.toString((long)
                (members * 1e9 / elapsedNs))));
        // Not before C has seen every member: the full collections of heapAfterGc stop this JVM for up to a second,
        // and the scope's last delta may not have left yet (seen: C trailing A's last join by 1.1 s, A's GC).
        awaitTrigger(triggers, "measure");
        long perMember = (heapAfterGc() - baseline) / members;
        report(node, Map.of("local_bytes_per_member", Long.toString(perMember)));
        awaitTrigger(triggers, "exit");
        report(node, Map.of("exit_start_us", Long.toString(StandaloneNode.nowUs())));
        for (Pid pid : pids) {
            runtime.send(pid, "exit");
        }
    }

    // ---- pg_join, pg_exit, pg_crash: node B ----------------------------------------------------------------

    /**
     * B receives A's deltas like C and does nothing else; it too waits for the warm-up to pass and its JIT to be
     * quiet before the timed joins, since its compilations take a share of the same two cores.
     */
    private static void bystander(Node node, PgScope scope, Map<String, String> env) throws InterruptedException {
        int warmup = Integer.parseInt(env.getOrDefault("WARMUP", "0"));
        int groupCount = Integer.parseInt(env.getOrDefault("G", "100"));
        List<String> names = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            names.add("g" + g);
        }
        awaitWarmup(node, scope, names, nodeNamed(node, env.getOrDefault("A_NAME", "a")), warmup);
    }

    /**
     * Sees A's warm-up members come and go ({@link #WARMUP_ROUNDS} times), waits for this JIT to be quiet, and reports
     * {@code ready}; returns the heap after a full collection just before that, with none of A's members known.
     */
    private static long awaitWarmup(Node node, PgScope scope, List<String> names, NodeId a, int warmup)
            throws InterruptedException {
        for (int round = 0; round < WARMUP_ROUNDS; round++) {
            while (countOf(scope, names, a) < warmup) {
                LockSupport.parkNanos(1_000_000);
            }
            report(node, Map.of("warm_seen_" + round, "1"));
            while (countOf(scope, names, a) > 0) {
                LockSupport.parkNanos(1_000_000);
            }
        }
        Jit.awaitQuiet();
        long heap = heapAfterGc();
        report(node, Map.of("ready", "1"));
        return heap;
    }

    private static NodeId nodeNamed(Node node, String name) {
        return node.view().members().stream()
                .filter(id -> id.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no node named " + name + " in " + node.view()));
    }

    // ---- pg_join, pg_read, pg_memory, cleanups: node C ---------------------------------------------------------

    private static void observer(Node node, PgScope scope, ProcessGroups groups, Map<String, String> env)
            throws Exception {
        int members = Integer.parseInt(env.getOrDefault("P", "10000"));
        int groupCount = Integer.parseInt(env.getOrDefault("G", "100"));
        int warmup = Integer.parseInt(env.getOrDefault("WARMUP", "0"));
        String aName = env.getOrDefault("A_NAME", "a");
        NodeId a = nodeNamed(node, aName);
        List<String> names = new ArrayList<>();
        for (int g = 0; g < groupCount; g++) {
            names.add("g" + g);
        }
        long baseline = awaitWarmup(node, scope, names, a, warmup);
        while (countOf(scope, names, a) == 0) {
            LockSupport.parkNanos(100_000);
        }
        report(node, Map.of("first_seen_us", Long.toString(StandaloneNode.nowUs())));
        while (countOf(scope, names, a) < members) {
            LockSupport.parkNanos(100_000);
        }
        report(node, Map.of("seen_all_us", Long.toString(StandaloneNode.nowUs())));

        long withMembers = heapAfterGc();
        String group = names.get(0);
        Map<String, String> reads = new HashMap<>();
        reads.put("group_size", Integer.toString(groups.members(group).size()));
        reads.put(
                "members_rate",
                Long.toString(readRate(() -> groups.members(group).size())));
        reads.put(
                "local_members_rate",
                Long.toString(readRate(() -> groups.localMembers(group).size())));
        report(node, reads);

        // When A left the view is read by the same scans, not by a view listener: listeners run after the
        // components have been handed the view, and under load that was tens of milliseconds later.
        long viewUs = 0;
        while (true) {
            if (viewUs == 0 && !node.view().contains(a)) {
                viewUs = StandaloneNode.nowUs();
            }
            if (countOf(scope, names, a) == 0) {
                break;
            }
            LockSupport.parkNanos(100_000);
        }
        report(node, Map.of("none_us", Long.toString(StandaloneNode.nowUs()), "view_us", Long.toString(viewUs)));
        // Two measures of what the members cost: what they added to the heap since just before the timed joins (after
        // the warm-up rounds, so nothing of start-up is left to be collected in between), and what their removal
        // frees. The second also moves with whatever else the node kept or dropped during the reads and the exits
        // (-8 to 112 bytes over 7 runs, while the first gave 26-28: a Pid and its slot in a member array, 24 + 4
        // bytes); the first is the metric.
        long freed = (withMembers - heapAfterGc()) / members;
        report(
                node,
                Map.of(
                        "remote_bytes_per_member",
                        Long.toString((withMembers - baseline) / members),
                        "remote_freed_per_member",
                        Long.toString(freed)));
    }

    private static int countOf(PgScope scope, List<String> groups, NodeId node) {
        int count = 0;
        for (String group : groups) {
            count +=
                    scope.snapshot(group).remote().getOrDefault(node, List.of()).size();
        }
        return count;
    }

    /** Calls per second of {@code read} on this one thread, over about two seconds after a warm-up. */
    private static long readRate(java.util.function.IntSupplier read) {
        long sink = 0;
        for (int i = 0; i < 2_000_000; i++) {
            sink += read.getAsInt();
        }
        long calls = 0;
        long startNs = System.nanoTime();
        long elapsedNs;
        do {
            for (int i = 0; i < 1_000_000; i++) {
                sink += read.getAsInt();
            }
            calls += 1_000_000;
            elapsedNs = System.nanoTime() - startNs;
        } while (elapsedNs < 2_000_000_000L);
        if (sink == 42) {
            System.out.println(); // keeps the reads from being optimised away
        }
        return (long) (calls * 1e9 / elapsedNs);
    }

    // ---- pg_fanout: every node ----------------------------------------------------------------------------------

    private static void fanout(Node node, ProcessGroups groups, Map<String, String> env, Path triggers)
            throws Exception {
        int total = Integer.parseInt(env.getOrDefault("M", "1000"));
        int burst = Integer.parseInt(env.getOrDefault("K", "5000"));
        int paced = Integer.parseInt(env.getOrDefault("L", "1000"));
        int index = Integer.parseInt(env.getOrDefault("NODE_INDEX", "0"));
        int nodes = Integer.parseInt(env.getOrDefault("VIEW_SIZE", "3"));
        int local = total / nodes + (index < total % nodes ? 1 : 0);
        AtomicLong burstDelivered = new AtomicLong();
        AtomicLong pacedDelivered = new AtomicLong();
        AtomicLongArray worstUs = new AtomicLongArray(paced);
        long burstTarget = (long) burst * local;
        long pacedTarget = (long) paced * local;
        ProcessRuntime runtime = node.processes();
        Pid[] pids = new Pid[local];
        for (int i = 0; i < local; i++) {
            pids[i] = runtime.spawn(self -> {
                while (true) {
                    ByteBuffer message = ByteBuffer.wrap((byte[]) self.receive());
                    long nowUs = StandaloneNode.nowUs();
                    int seq = message.getInt(0);
                    if (seq < 0) {
                        if (burstDelivered.incrementAndGet() == burstTarget) {
                            report(node, Map.of("burst_done_us", Long.toString(nowUs)));
                        }
                    } else {
                        long latencyUs = nowUs - message.getLong(4);
                        worstUs.accumulateAndGet(seq, latencyUs, Math::max);
                        if (pacedDelivered.incrementAndGet() == pacedTarget) {
                            writeLatencies(triggers, node, worstUs);
                            report(node, Map.of("paced_done_us", Long.toString(nowUs)));
                        }
                    }
                }
            });
        }
        groups.join(FAN_GROUP, pids);
        awaitCondition(() -> groups.members(FAN_GROUP).size() == total, total + " members of " + FAN_GROUP);
        report(node, Map.of("members_seen", Integer.toString(total)));
        if (index != 0) {
            return;
        }
        awaitTrigger(triggers, "publish");
        report(node, Map.of("publish_start_us", Long.toString(StandaloneNode.nowUs())));
        for (int k = 0; k < burst; k++) {
            groups.publish(FAN_GROUP, message(-1 - k));
        }
        report(node, Map.of("publish_end_us", Long.toString(StandaloneNode.nowUs())));
        awaitTrigger(triggers, "latency");
        for (int k = 0; k < paced; k++) {
            groups.publish(FAN_GROUP, message(k));
            LockSupport.parkNanos(2_000_000); // paced: latency, not queueing behind the previous publish
        }
    }

    private static byte[] message(int seq) {
        ByteBuffer buffer = ByteBuffer.allocate(PAYLOAD_BYTES);
        buffer.putInt(0, seq);
        buffer.putLong(4, StandaloneNode.nowUs());
        return buffer.array();
    }

    private static void writeLatencies(Path dir, Node node, AtomicLongArray worstUs) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < worstUs.length(); i++) {
            text.append(worstUs.get(i)).append('\n');
        }
        try {
            Path file = dir.resolve("latency-" + node.self().name() + ".txt");
            Files.writeString(dir.resolve("tmp-" + node.self().name()), text);
            Files.move(dir.resolve("tmp-" + node.self().name()), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void awaitTrigger(Path dir, String name) throws InterruptedException {
        Path file = dir.resolve(name);
        awaitCondition(() -> Files.exists(file), "the trigger " + file);
    }

    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what)
            throws InterruptedException {
        awaitCondition(condition, () -> what);
    }

    /** Waits for {@code condition}; on timeout the exception says {@code what}, computed then. */
    private static void awaitCondition(
            java.util.function.BooleanSupplier condition, java.util.function.Supplier<String> what)
            throws InterruptedException {
        long deadlineNs = System.nanoTime() + 120_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("gave up waiting for " + what.get() + " after 120 s");
            }
            Thread.sleep(1);
        }
    }

    static void report(Node node, Map<String, String> fields) {
        System.out.println(NodeEvent.line("bench", node.self(), fields));
        System.out.flush();
    }
}
