package io.cohort.supervisor;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.node.sim.SimNode;
import io.cohort.registry.RegisterResult;
import io.cohort.registry.RegistryServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A simulated cluster of supervisor replicas (each node: a registry, then the supervisor) whose children are the
 * simulator's stand-in processes, with a log of every start and the checks scenarios end with.
 */
final class SupervisorSim {

    static final Duration BOUND = Duration.ofSeconds(60);
    static final String KIND = "worker";

    /** One incarnation started anywhere. */
    record Start(String id, NodeId node, Pid pid, long token, byte[] state, long atNs) {}

    final SimCluster sim;
    /** Every start, in order. */
    final List<Start> starts = new ArrayList<>();
    /** What each stand-in hands over when asked (a test sets it). */
    final Map<Pid, byte[]> states = new HashMap<>();

    /** Each node name's store, kept across its restarts, when the replicas are durable; else null. */
    final Map<String, SpecStore> stores;

    private SupervisorSim(
            SimConfig config,
            int nodes,
            SupervisorServer.Options options,
            Set<String> without,
            Map<String, SpecStore> stores) {
        AtomicReference<SimCluster> holder = new AtomicReference<>();
        this.stores = stores;
        this.sim = SimCluster.start(config, nodes, id -> {
            if (without.contains(id.name())) {
                return List.of(new RegistryServer("sup", RegistryServer.Options.defaults()));
            }
            SupervisorServer server = new SupervisorServer("sup", options, new Children(holder, id));
            if (stores != null) {
                server.durable(stores.computeIfAbsent(id.name(), name -> SpecStore.inMemory()));
            }
            return List.of(
                    new RegistryServer("sup", RegistryServer.Options.defaults().withBatchDelayNs(0)), server);
        });
        holder.set(sim);
    }

    private SupervisorSim(SimConfig config, int nodes, SupervisorServer.Options options, Set<String> without) {
        this(config, nodes, options, without, null);
    }

    /** A cluster of durable replicas, each node name's {@link SpecStore} in {@link #stores} ({@code preset} first). */
    static SupervisorSim startDurable(
            long seed, int nodes, SupervisorServer.Options options, Map<String, SpecStore> preset) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SupervisorSim world = new SupervisorSim(config, nodes, options, Set.of(), new TreeMap<>(preset));
        world.sim.runUntil("formed", world.sim::converged, BOUND);
        return world;
    }

    /** A cluster where the nodes named in {@code without} run the registry but not the supervisor. */
    static SupervisorSim startWithout(long seed, int nodes, Set<String> without) {
        SupervisorSim world =
                new SupervisorSim(SimConfig.defaults(seed), nodes, SupervisorServer.Options.defaults(), without);
        world.sim.runUntil("formed", world.sim::converged, BOUND);
        return world;
    }

    static SupervisorSim start(long seed, int nodes, SupervisorServer.Options options) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SupervisorSim world = new SupervisorSim(config, nodes, options, Set.of());
        world.sim.runUntil("formed", world.sim::converged, BOUND);
        return world;
    }

    static SupervisorSim start(long seed, int nodes) {
        return start(seed, nodes, SupervisorServer.Options.defaults());
    }

    /** The stand-in runtime of one node incarnation. */
    private final class Children implements ChildRuntime {
        private final AtomicReference<SimCluster> sim;
        private final NodeId node;

        Children(AtomicReference<SimCluster> sim, NodeId node) {
            this.sim = sim;
            this.node = node;
        }

        @Override
        public Pid start(String kind, ChildStart start) {
            SimNode here = sim.get().node(node.name());
            Pid pid = here.processes().spawn();
            starts.add(new Start(
                    start.id(),
                    node,
                    pid,
                    start.token(),
                    start.handoffState(),
                    sim.get().nowNs()));
            // As the real child does in its init: register its id first, end at once if it is held.
            sim.get().execute(node.name(), RegistryServer.class, (registry, now) -> {
                if (!here.processes().isAlive(pid)) {
                    return;
                }
                if (!KIND.equals(kind)) {
                    here.processes().exit(pid, UNKNOWN_KIND);
                } else if (!(registry.register(start.id(), pid, null) instanceof RegisterResult.Registered)) {
                    here.processes().exit(pid, NAME_TAKEN);
                }
            });
            return pid;
        }

        @Override
        public void requestHandoff(Pid pid) {
            SimNode here = sim.get().node(node.name());
            sim.get().execute(node.name(), SupervisorServer.class, (supervisor, now) -> {
                if (here.processes().isAlive(pid)) {
                    supervisor.handedOff(pid, states.get(pid));
                    here.processes().exit(pid, HANDED_OFF);
                }
            });
        }
    }

    // ---- operations ---------------------------------------------------------------------------------------------

    SupervisorServer sup(String node) {
        return sim.node(node).component(SupervisorServer.class);
    }

    RegistryServer registry(String node) {
        return sim.node(node).component(RegistryServer.class);
    }

    void startChild(String node, ChildSpec spec) {
        sim.execute(node, SupervisorServer.class, (s, now) -> s.startChild(spec, KIND.equals(spec.kind())));
    }

    void startChildren(String node, String prefix, int count) {
        for (int i = 0; i < count; i++) {
            startChild(node, ChildSpec.of(prefix + i, KIND, new byte[] {(byte) i}));
        }
    }

    void terminateChild(String node, String id) {
        sim.execute(node, SupervisorServer.class, (s, now) -> s.terminateChild(id));
    }

    /** Where each child runs now, over the live nodes: id -> nodes (a duplicate has two). */
    Map<String, List<NodeId>> running() {
        Map<String, List<NodeId>> running = new TreeMap<>();
        for (SimNode node : sim.liveNodes()) {
            if (node.component(SupervisorServer.NAME_PREFIX + "sup") == null) {
                continue; // runs no supervisor
            }
            SupervisorServer server = node.component(SupervisorServer.class);
            for (Map.Entry<String, Pid> child : server.runningHere().entrySet()) {
                if (node.processes().isAlive(child.getValue())) {
                    running.computeIfAbsent(child.getKey(), k -> new ArrayList<>())
                            .add(node.id());
                }
            }
        }
        return running;
    }

    /** The node running {@code id} now (the first, if several), or null. */
    NodeId nodeOf(String id) {
        List<NodeId> nodes = running().get(id);
        return nodes == null ? null : nodes.get(0);
    }

    List<Start> startsAfter(long atNs) {
        return starts.stream().filter(s -> s.atNs() > atNs).toList();
    }

    /** While true, {@link #forbidDuplicates} checks nothing (a scenario where duplicates are expected for a while). */
    boolean duplicatesAllowed;

    /** An invariant: no child runs on two live, unpaused nodes at once. */
    void forbidDuplicates() {
        sim.addInvariant(() -> {
            if (duplicatesAllowed) {
                return;
            }
            Map<String, List<NodeId>> copies = new TreeMap<>();
            for (SimNode node : sim.liveNodes()) {
                if (node.isPaused()) {
                    continue; // frozen: it acts on nothing until it resumes and hears its view
                }
                node.component(SupervisorServer.class).runningHere().forEach((id, pid) -> {
                    if (node.processes().isAlive(pid)) {
                        copies.computeIfAbsent(id, k -> new ArrayList<>()).add(node.id());
                    }
                });
            }
            copies.forEach((id, nodes) -> {
                if (nodes.size() > 1) {
                    throw new AssertionError("child " + id + " runs on " + nodes + " at once");
                }
            });
        });
    }

    // ---- settled state -------------------------------------------------------------------------------------

    /**
     * Null when the cluster has one view, every replica holds the same specs, every live spec runs on exactly one live
     * node, failed ones run nowhere, and every node's registry resolves each running child to its process; otherwise
     * what still differs.
     */
    String unsettled() {
        if (!sim.converged()) {
            return "views differ";
        }
        List<SimNode> live = sim.liveNodes();
        SupervisorServer first = live.get(0).component(SupervisorServer.class);
        for (SimNode node : live) {
            if (!node.component(SupervisorServer.class).sameSpecsAs(first)) {
                return node.id() + " holds other specs than " + live.get(0).id() + ":\n    "
                        + node.component(SupervisorServer.class).specsText() + "\n    " + first.specsText();
            }
        }
        Set<String> wanted = first.liveSpecIds();
        Map<String, Pid> where = new TreeMap<>();
        for (SimNode node : live) {
            SupervisorServer server = node.component(SupervisorServer.class);
            for (Map.Entry<String, Pid> child : server.runningHere().entrySet()) {
                if (!node.processes().isAlive(child.getValue())) {
                    return child.getKey() + " has a dead pid on " + node.id();
                }
                if (where.put(child.getKey(), child.getValue()) != null) {
                    return child.getKey() + " runs twice";
                }
            }
        }
        if (!where.keySet().equals(wanted)) {
            Set<String> missing = new TreeSet<>(wanted);
            missing.removeAll(where.keySet());
            Set<String> extra = new TreeSet<>(where.keySet());
            extra.removeAll(wanted);
            return "not running: " + first(missing) + ", running without a spec: " + first(extra);
        }
        for (SimNode node : live) {
            RegistryServer registry = node.component(RegistryServer.class);
            for (Map.Entry<String, Pid> child : where.entrySet()) {
                if (!child.getValue().equals(registry.whereis(child.getKey()))) {
                    return node.id() + " resolves " + child.getKey() + " to " + registry.whereis(child.getKey())
                            + " not " + child.getValue();
                }
            }
        }
        return null;
    }

    private static String first(Set<String> ids) {
        return ids.size() <= 5 ? ids.toString() : ids.stream().limit(5).toList() + "... (" + ids.size() + ")";
    }

    void settle(String goal) {
        sim.runFor(Duration.ofMillis(1));
        try {
            sim.runUntil(goal, () -> unsettled() == null, BOUND);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n  still differing: " + unsettled(), e);
        }
    }
}
