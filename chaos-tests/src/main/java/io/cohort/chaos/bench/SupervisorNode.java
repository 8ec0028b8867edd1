package io.cohort.chaos.bench;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryServer;
import io.cohort.supervisor.ChildInfo;
import io.cohort.supervisor.ChildKinds;
import io.cohort.supervisor.ChildSpec;
import io.cohort.supervisor.DistributedSupervisor;
import io.cohort.supervisor.SupervisorServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/**
 * A node process for the supervisor benchmarks ({@code sup_*}): a registry and a supervisor named {@code bench}, and
 * an idle child kind {@code idle}. Every node waits for a view of three (four with {@code REHEARSAL=1}: D is killed
 * first and its children taken over, then the nodes go on as below). C starts {@code S} permanent children
 * {@code w-0..}; every node reports {@code ready} once all S resolve by name here and run somewhere, with how many run
 * on A ({@code on_a}) as this node sees it. A {@code leaver} (A in {@code sup_leave}) leaves on the file {@code leave}
 * in {@code TRIGGER_DIR} and reports when its leave returned. Observers (B, C) then watch the children that ran on A:
 * they report when their view lost A and when the first and the last of them resolves here to a process of another
 * node ({@code view_us}, {@code first_us}, {@code last_us}), then, once the supervisor has settled, how many children run on this node ({@code local}).
 */
public final class SupervisorNode {

    private static final long BOUND_NS = 150_000_000_000L;

    private SupervisorNode() {}

    /** A child that only waits. */
    static final class Idle implements Server<Integer> {
        @Override
        public Next<Integer> init(ServerContext context) {
            return Next.state(0);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int count = Integer.parseInt(env.getOrDefault("S", "1000"));
        Path triggers = Path.of(env.getOrDefault("TRIGGER_DIR", "."));
        RegistryServer names = new RegistryServer("bench");
        SupervisorServer jobs = new SupervisorServer("bench");
        try (Node node = Node.builder(StandaloneNode.configFromEnvironment(env))
                .component(names)
                .component(jobs)
                .start()) {
            Registry registry = new Registry(node, names);
            DistributedSupervisor supervisor = new DistributedSupervisor(
                    node, jobs, registry, new ChildKinds().register("idle", start -> new Idle()));
            // A fourth node D, when there is one, is a rehearsal: killed first, so the measured failover is not the
            // first run of the takeover code in these JVMs.
            boolean rehearsal = "1".equals(env.get("REHEARSAL"));
            int size = rehearsal ? 4 : 3;
            awaitTrue(() -> node.view().size() == size, "a view of " + size);
            String role = env.getOrDefault("BENCH_ROLE", "observer");
            if (node.self().name().equals("c")) {
                Thread.sleep(500); // the peers' hosting of the new view arrives first
                for (int i = 0; i < count; i++) {
                    supervisor.startChild(ChildSpec.of("w-" + i, "idle", null));
                }
            }
            awaitTrue(() -> allResolve(registry, count), count + " children resolving");
            awaitTrue(
                    () -> supervisor.countChildren().running() == count, count + " children running per whichChildren");
            if (rehearsal && !node.self().name().equals("d")) {
                List<String> onD = childrenOn(supervisor, "d");
                Jit.awaitQuiet();
                report(node, Map.of("rehearsal_ready", "1", "on_d", Integer.toString(onD.size())));
                if (role.equals("observer")) {
                    report(node, awaitMoved(node, registry, onD, "d").fields("rehearsal_"));
                }
                awaitTrue(
                        () -> node.view().size() == 3
                                && allResolve(registry, count)
                                && supervisor.countChildren().running() == count,
                        "a settled view of three after the rehearsal");
            }
            List<String> onA = childrenOn(supervisor, "a");
            Jit.awaitQuiet(); // a steady cluster when the fault comes: no start-up compilations left in the queue
            report(node, Map.of("ready", "1", "on_a", Integer.toString(onA.size())));
            if (role.equals("leaver")) {
                awaitTrue(() -> Files.exists(triggers.resolve("leave")), "the leave trigger");
                boolean left = node.leave(Duration.ofSeconds(60)); // hands every child over, then closes
                report(node, Map.of("left_us", Long.toString(StandaloneNode.nowUs()), "left", left ? "1" : "0"));
                return; // closes the node
            }
            if (role.equals("observer")) {
                observe(node, registry, supervisor, onA, count);
            }
            new CountDownLatch(1).await(); // the benchmark ends this process
        }
    }

    private static void observe(
            Node node, Registry registry, DistributedSupervisor supervisor, List<String> onA, int count)
            throws InterruptedException {
        report(node, awaitMoved(node, registry, onA, "a").fields(""));
        awaitTrue(() -> node.view().size() == 2 && allResolve(registry, count), "a settled view of two");
        Thread.sleep(1_000); // duplicates, if any, would have started by now
        SupervisorServer.Counts counts = supervisor.countChildren();
        report(
                node,
                Map.of(
                        "local",
                        Integer.toString(counts.local()),
                        "running",
                        Integer.toString(counts.running()),
                        "started",
                        Long.toString((long) node.meterRegistry()
                                .find("supervisor.children.started")
                                .counter()
                                .count())));
    }

    /**
     * When this node's view first lacked node {@code from}, and when the first and the last of {@code watched}
     * resolved here to a process off it. The view is read by the same scans, not by a view listener: listeners run
     * after the components have been handed the view, and under load that was tens of milliseconds later.
     */
    private record Moved(long viewUs, long firstUs, long lastUs) {
        /** As event fields {@code <prefix>view_us}, {@code <prefix>first_us}, {@code <prefix>last_us}. */
        Map<String, String> fields(String prefix) {
            return Map.of(
                    prefix + "view_us",
                    Long.toString(viewUs),
                    prefix + "first_us",
                    Long.toString(firstUs),
                    prefix + "last_us",
                    Long.toString(lastUs));
        }
    }

    private static Moved awaitMoved(Node node, Registry registry, List<String> watchedIds, String from) {
        String[] watched = watchedIds.toArray(new String[0]);
        boolean[] moved = new boolean[watched.length];
        int movedCount = 0;
        long viewUs = 0;
        long firstUs = 0;
        long lastUs = 0; // stays 0 when there is nothing to watch
        long deadlineNs = System.nanoTime() + BOUND_NS;
        while (movedCount < watched.length || viewUs == 0) {
            if (viewUs == 0
                    && node.view().members().stream().noneMatch(m -> m.name().equals(from))) {
                viewUs = StandaloneNode.nowUs();
            }
            for (int i = 0; i < watched.length; i++) {
                if (!moved[i]) {
                    Pid pid = registry.whereis(watched[i]);
                    if (pid != null && !pid.node().name().equals(from)) {
                        moved[i] = true;
                        movedCount++;
                        long nowUs = StandaloneNode.nowUs();
                        if (firstUs == 0) {
                            firstUs = nowUs;
                        }
                        if (movedCount == watched.length) {
                            lastUs = nowUs; // not the loop's end: a leaver hands its children over before it leaves
                        }
                    }
                }
            }
            if (movedCount < watched.length || viewUs == 0) {
                if (System.nanoTime() - deadlineNs > 0) {
                    throw new IllegalStateException("only " + movedCount + " of " + watched.length + " of "
                            + from.toUpperCase(java.util.Locale.ROOT) + "'s children came back");
                }
                // A scan every 0.2 ms: spinning would take a core from the nodes doing the work (2 cores, 3 JVMs).
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        }
        return new Moved(viewUs, firstUs, lastUs);
    }

    private static List<String> childrenOn(DistributedSupervisor supervisor, String nodeName) {
        List<String> ids = new ArrayList<>();
        for (ChildInfo child : supervisor.whichChildren()) {
            if (child.node() != null && child.node().name().equals(nodeName)) {
                ids.add(child.id());
            }
        }
        return ids;
    }

    private static boolean allResolve(Registry registry, int count) {
        for (int i = 0; i < count; i++) {
            if (registry.whereis("w-" + i) == null) {
                return false;
            }
        }
        return true;
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + BOUND_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("not reached in " + BOUND_NS / 1_000_000_000L + " s: " + what);
            }
            Thread.sleep(1);
        }
    }

    private static void report(Node node, Map<String, String> fields) {
        System.out.println(NodeEvent.line("bench", node.self(), fields));
        System.out.flush();
    }
}
