package io.cohort.chaos.bench;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.jgroups.JGroupsControlPlane;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.Signal;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.registry.ConflictPolicy;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryServer;
import io.micrometer.core.instrument.Counter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A node process for the registry benchmarks ({@code reg_*}), with one registry {@code bench} and a role
 * ({@code BENCH_ROLE}):
 *
 * <ul>
 *   <li>{@code registrar}: once the view holds {@code EXPECT} nodes, warms up (the same registrations on other
 *       names, {@value #WARM_ROUNDS} rounds) and reports {@code warmed}; on the file {@code go} in {@code SIGNAL_DIR}
 *       starts {@code N} processes that each register the name {@code name-i} (all at once, as N independent
 *       callers); reports the first start and last return.
 *   <li>{@code observer}: reports its heap before; on the file {@code warmed} waits for its JIT to be quiet and
 *       reports {@code ready}; reports the time it resolves all {@code N} names, its heap per entry
 *       ({@code MEMORY=1}), a one-thread lookup rate ({@code LOOKUP_SECONDS}), and the time none is left
 *       ({@code WAIT_EMPTY=1}, for a crash of the registrar).
 *   <li>{@code conflict-a}, {@code conflict-b}, {@code conflict-c}: a partition {a} | {b, c} made with the control
 *       plane's fault injection; a registers {@code K} names, then b (on the file {@code b-go} in {@code SIGNAL_DIR})
 *       registers the same names; on the file {@code heal} every node lifts the partition and reports when it holds
 *       the merged view, and when every name resolves to a's process (the earlier registration wins) — on b, also
 *       when all K losers have ended with {@code name_conflict}. The processes end on the file {@code done}, once
 *       every node has resolved.
 * </ul>
 */
public final class RegistryNode {

    private static final long BOUND_NS = 120_000_000_000L;
    /** Most registrar processes waiting in {@code register} at once. */
    private static final int IN_FLIGHT = 8192;

    private static final int WARM_ROUNDS = 3;
    private static final int WARM_MIN = 20_000;

    private RegistryNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        AtomicReference<JGroupsControlPlane> plane = new AtomicReference<>();
        RegistryServer server = new RegistryServer("bench");
        try (Node node = Node.builder(StandaloneNode.configFromEnvironment(env))
                .component(server)
                .controlPlane((config, metrics, attributes) -> {
                    JGroupsControlPlane built = JGroupsControlPlane.builder(config)
                            .metrics(metrics)
                            .attributes(attributes)
                            .faultInjection(true)
                            .build();
                    plane.set(built);
                    return built;
                })
                .start()) {
            Registry registry = new Registry(node, server);
            int expect = Integer.parseInt(env.getOrDefault("EXPECT", "3"));
            // Twice in about 40 runs a fresh node never saw the full view (120 s): say what it saw instead.
            awaitTrue(
                    () -> node.view().size() == expect,
                    () -> "a view of " + expect + "; the view now " + node.view() + "; counters "
                            + nonZeroCounters(node));
            String role = env.getOrDefault("BENCH_ROLE", "observer");
            switch (role) {
                case "registrar" -> registrar(node, registry, Integer.parseInt(env.get("N")));
                case "observer" -> observer(node, registry, env);
                default -> conflict(node, registry, plane.get(), role, env);
            }
            report(node, Map.of("done", "1"));
            new CountDownLatch(1).await(); // the benchmark ends this process
        }
    }

    private static void registrar(Node node, Registry registry, int count) throws InterruptedException {
        Thread.sleep(1_000); // the peers' digests and syncs of the new view finish, C takes its heap baseline
        // Warm-up, not measured: the same work on other names, whose processes then end (so do their names), in
        // WARM_ROUNDS rounds of at least as many names as the timed part. One node alone, fresh, registered 45k, 110k,
        // 182k and 188k names/s in four rounds of 100000: the JIT needs a few hundred thousand registrations.
        for (int round = 0; round < WARM_ROUNDS; round++) {
            CountDownLatch warmEnd = new CountDownLatch(1);
            registerAll(node, registry, "warm" + round + "-", Math.max(count, WARM_MIN), warmEnd);
            warmEnd.countDown();
            awaitTrue(() -> registry.size() == 0, "the warm-up names gone");
        }
        Jit.awaitQuiet();
        // B and C compile what the warm-up made hot on them too (the delta path): the timed part starts on the file
        // go, which the benchmark makes once both have reported a quiet JIT after our warm-up. Not through the
        // registry: names of theirs, registered for the purpose, sent this node down the remote-delta path it had
        // not run in the warm-up, and its JIT recompiled through the timed part (0.74 s of compiler CPU in 1.8 s).
        Path signals = Path.of(System.getenv("SIGNAL_DIR"));
        report(node, Map.of("warmed", "1"));
        awaitTrue(() -> Files.exists(signals.resolve("go")), "the file go");
        report(node, Map.of("timed", "1"));
        long startUs = StandaloneNode.nowUs();
        registerAll(node, registry, "name-", count, new CountDownLatch(1));
        long endUs = StandaloneNode.nowUs();
        report(node, Map.of("reg_start_us", Long.toString(startUs), "reg_end_us", Long.toString(endUs)));
    }

    /** Starts {@code count} processes that each register {@code prefix + i}, then wait for {@code end}. */
    private static void registerAll(Node node, Registry registry, String prefix, int count, CountDownLatch end)
            throws InterruptedException {
        ProcessRuntime runtime = node.processes();
        CountDownLatch registered = new CountDownLatch(count);
        // At most IN_FLIGHT processes are inside register at once: a process blocked in a call holds a deep stack,
        // and 100000 of them at once outgrow the node's heap; once registered, a process idles cheaply.
        java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(
                Integer.parseInt(System.getenv().getOrDefault("IN_FLIGHT", Integer.toString(IN_FLIGHT))));
        for (int i = 0; i < count; i++) {
            String name = prefix + i;
            inFlight.acquire();
            runtime.spawn(self -> {
                try {
                    registry.register(name, self.self());
                } finally {
                    inFlight.release();
                    registered.countDown(); // a failed registration shows as a missing name on C, not a hang here
                }
                end.await();
            });
        }
        while (!registered.await(1, java.util.concurrent.TimeUnit.SECONDS)) {
            report(node, Map.of("registering", prefix + (count - registered.getCount())));
        }
    }

    private static void observer(Node node, Registry registry, Map<String, String> env) throws InterruptedException {
        int count = Integer.parseInt(env.get("N"));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(memory);
        report(node, Map.of("observing", "1"));
        Path signals = Path.of(env.get("SIGNAL_DIR"));
        awaitTrue(() -> Files.exists(signals.resolve("warmed")), "the registrar's warm-up");
        Jit.awaitQuiet();
        report(node, Map.of("ready", "1"));
        awaitTrue(
                () -> registry.whereis("name-" + (count - 1)) != null && allResolve(registry, count), count + " names");
        long convergedUs = StandaloneNode.nowUs();
        report(node, Map.of("converged_us", Long.toString(convergedUs)));
        if ("1".equals(env.get("MEMORY"))) {
            long after = usedAfterGc(memory);
            report(node, Map.of("mem_per_entry", Long.toString((after - before) / count)));
        }
        int lookupSeconds = Integer.parseInt(env.getOrDefault("LOOKUP_SECONDS", "0"));
        if (lookupSeconds > 0) {
            report(node, Map.of("lookup_rate", Long.toString(lookupRate(registry, count, lookupSeconds))));
        }
        if ("1".equals(env.get("WAIT_EMPTY"))) {
            awaitTrue(() -> registry.size() == 0, "no names");
            report(node, Map.of("cleared_us", Long.toString(StandaloneNode.nowUs())));
        }
    }

    private static boolean allResolve(Registry registry, int count) {
        for (int i = 0; i < count; i++) {
            if (registry.whereis("name-" + i) == null) {
                return false;
            }
        }
        return true;
    }

    /** Lookups of random known names on this thread: a warm-up pass, then {@code seconds} measured. */
    private static long lookupRate(Registry registry, int count, int seconds) {
        String[] names = new String[count];
        for (int i = 0; i < count; i++) {
            names[i] = "name-" + i;
        }
        int mask = Integer.highestOneBit(count) - 1; // random over the largest power of two <= count
        long found = 0;
        long x = 0x9e3779b97f4a7c15L;
        for (int i = 0; i < 20_000_000; i++) { // warm-up
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            found += registry.whereis(names[(int) x & mask]) != null ? 1 : 0;
        }
        long lookups = 0;
        long startNs = System.nanoTime();
        long endNs = startNs + seconds * 1_000_000_000L;
        long nowNs = startNs;
        while (nowNs < endNs) {
            for (int i = 0; i < 1_000_000; i++) {
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                found += registry.whereis(names[(int) x & mask]) != null ? 1 : 0;
            }
            lookups += 1_000_000;
            nowNs = System.nanoTime();
        }
        if (found < lookups) {
            throw new IllegalStateException("lookups missed");
        }
        return (long) (lookups / ((nowNs - startNs) / 1e9));
    }

    private static void conflict(
            Node node, Registry registry, JGroupsControlPlane plane, String role, Map<String, String> env)
            throws Exception {
        int conflicts = Integer.parseInt(env.get("K"));
        Path signals = Path.of(env.get("SIGNAL_DIR"));
        List<NodeId> others = new ArrayList<>();
        NodeId a = null;
        for (NodeId member : node.view().members()) {
            if (member.name().equals("a")) {
                a = member;
            }
            if (!member.equals(node.self())
                    && (role.equals("conflict-a") || member.name().equals("a"))) {
                others.add(member);
            }
        }
        plane.isolateFrom(others);
        int sideSize = role.equals("conflict-a") ? 1 : 2;
        awaitTrue(() -> node.view().size() == sideSize, "the split");
        report(node, Map.of("split", "1"));
        ProcessRuntime runtime = node.processes();
        CountDownLatch forever = new CountDownLatch(1);
        AtomicInteger endedByConflict = new AtomicInteger();
        if (role.equals("conflict-b")) {
            awaitTrue(() -> Files.exists(signals.resolve("b-go")), "b-go");
        }
        if (!role.equals("conflict-c")) {
            for (int i = 0; i < conflicts; i++) {
                Pid pid = runtime.spawn(self -> forever.await());
                registry.register("c-" + i, pid);
                runtime.spawn(
                        self -> { // counts how the registered process ends
                            self.monitor(pid);
                            Object down = self.receive();
                            if (down instanceof Signal.Down d && d.reason().equals(ConflictPolicy.NAME_CONFLICT)) {
                                endedByConflict.incrementAndGet();
                            }
                        });
            }
            report(node, Map.of("registered", Integer.toString(conflicts)));
        }
        awaitTrue(() -> Files.exists(signals.resolve("heal")), "heal");
        plane.heal();
        awaitTrue(() -> node.view().size() == 3, "the merged view");
        report(node, Map.of("merged_us", Long.toString(StandaloneNode.nowUs())));
        NodeId winnerNode = a;
        long[] agreedUs = {0};
        awaitTrue(
                () -> {
                    if (agreedUs[0] == 0) {
                        for (int i = 0; i < conflicts; i++) {
                            Pid owner = registry.whereis("c-" + i);
                            if (owner == null || !owner.node().equals(winnerNode)) {
                                return false;
                            }
                        }
                        agreedUs[0] = StandaloneNode.nowUs();
                    }
                    return !role.equals("conflict-b") || endedByConflict.get() >= conflicts;
                },
                () -> "one owner per name: " + notOwnedBy(registry, conflicts, winnerNode) + "; "
                        + endedByConflict.get() + " of this node's " + conflicts
                        + " processes ended by name_conflict; view " + node.view() + "; peers "
                        + peerStatus(registry) + "; counters " + nonZeroCounters(node));
        long resolvedUs = StandaloneNode.nowUs();
        Counter lost = node.meterRegistry()
                .find("registry.conflicts.lost")
                .tag("registry", "bench")
                .counter();
        Thread.sleep(500); // a second notification, if there were one, would show in this time
        report(
                node,
                Map.of(
                        "resolved_us",
                        Long.toString(resolvedUs),
                        "agreed_us",
                        Long.toString(agreedUs[0]),
                        "losers_ended",
                        Integer.toString(endedByConflict.get()),
                        "conflicts_lost",
                        Long.toString(lost == null ? 0 : (long) lost.count())));
        awaitTrue(() -> Files.exists(signals.resolve("done")), "every node resolved");
        forever.countDown();
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** How many of the conflict names do not resolve to a process of {@code winner} here, with the first of them. */
    private static String notOwnedBy(Registry registry, int conflicts, NodeId winner) {
        int count = 0;
        String first = null;
        for (int i = 0; i < conflicts; i++) {
            Pid owner = registry.whereis("c-" + i);
            if (owner == null || !owner.node().equals(winner)) {
                count++;
                if (first == null) {
                    first = "c-" + i + " -> " + owner;
                }
            }
        }
        return count + " names not owned by " + winner + (first == null ? "" : " (first: " + first + ")");
    }

    /** The replica's view of its peers, or why it could not be had (a wedged replica must not hide the failure). */
    private static String peerStatus(Registry registry) {
        try {
            return registry.peerStatus().toString();
        } catch (RuntimeException e) {
            return "unavailable: " + e;
        }
    }

    /**
     * The node's non-zero counters of the registry and of membership drops (digests resent, messages dropped and why):
     * what a stuck conflict resolution needs to be told apart from a slow one.
     */
    private static String nonZeroCounters(Node node) {
        List<String> counters = new ArrayList<>();
        for (String name : List.of("registry.dropped", "registry.digests.resent", "membership.messages.dropped")) {
            for (Counter counter : node.meterRegistry().find(name).counters()) {
                if (counter.count() > 0) {
                    counters.add(describe(counter));
                }
            }
        }
        return counters.isEmpty() ? "all zero" : String.join(", ", counters);
    }

    private static String describe(Counter counter) {
        StringBuilder text = new StringBuilder(counter.getId().getName());
        counter.getId().getTags().forEach(tag -> text.append('.').append(tag.getValue()));
        return text.append('=').append((long) counter.count()).toString();
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        awaitTrue(condition, () -> what);
    }

    /** Waits for {@code condition}; on timeout the exception says {@code what}, computed then. */
    private static void awaitTrue(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + BOUND_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("not reached in " + BOUND_NS / 1_000_000_000L + " s: " + what.get());
            }
            Thread.sleep(1);
        }
    }

    private static void report(Node node, Map<String, String> fields) {
        System.out.println(NodeEvent.line("bench", node.self(), fields));
        System.out.flush();
    }
}
