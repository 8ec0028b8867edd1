package io.cohort.registry;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.node.sim.SimNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;

/** Scenario helpers for registries in the simulator, and the convergence check every scenario ends with. */
final class RegistrySim {

    static final Duration BOUND = Duration.ofSeconds(30);

    private RegistrySim() {}

    static SimCluster cluster(long seed, int nodes, RegistryServer.Options options) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SimCluster sim = SimCluster.start(config, nodes, id -> List.of(new RegistryServer("r", options)));
        sim.runUntil("formed", sim::converged, BOUND);
        return sim;
    }

    static SimCluster cluster(long seed, int nodes) {
        return cluster(seed, nodes, RegistryServer.Options.defaults());
    }

    static RegistryServer reg(SimCluster sim, String node) {
        return sim.node(node).component(RegistryServer.class);
    }

    static Pid spawn(SimCluster sim, String node) {
        return sim.node(node).processes().spawn();
    }

    /** Registers at once (as an event of the node) and returns the result after the event ran. */
    static RegisterResult register(SimCluster sim, String node, String name, Pid pid) {
        AtomicReference<RegisterResult> result = new AtomicReference<>();
        sim.execute(node, RegistryServer.class, (r, now) -> result.set(r.register(name, pid, null)));
        sim.runFor(Duration.ofNanos(1));
        return result.get();
    }

    /** Schedules a registration without running it (so several nodes can register in the same instant). */
    static void registerLater(SimCluster sim, String node, String name, Pid pid) {
        sim.execute(node, RegistryServer.class, (r, now) -> r.register(name, pid, null));
    }

    /**
     * True when the cluster has one view and every replica agrees: each name is held by exactly one node's own
     * slice, by a live process of a live incarnation, and every live replica resolves exactly those names to exactly
     * those processes, having joined every live node's slice exactly.
     */
    static boolean agreed(SimCluster sim) {
        return disagreement(sim) == null;
    }

    /** Null when {@link #agreed}; otherwise the first difference found, for failure messages. */
    static String disagreement(SimCluster sim) {
        if (!sim.converged()) {
            return "views differ";
        }
        Map<String, Pid> owners = new TreeMap<>();
        for (SimNode node : sim.liveNodes()) {
            RegistryServer server = node.component(RegistryServer.class);
            for (String name : server.ownNames()) {
                Pid pid = server.own(name).pid();
                Pid other = owners.put(name, pid);
                if (other != null) {
                    return name + " owned by " + pid + " and " + other;
                }
                if (!node.processes().isAlive(pid)) {
                    return name + " owned by dead " + pid;
                }
            }
        }
        for (SimNode node : sim.liveNodes()) {
            RegistryServer server = node.component(RegistryServer.class);
            for (SimNode peer : sim.liveNodes()) {
                Set<String> truth = peer.component(RegistryServer.class).ownNames();
                if (!server.visibleNodes().contains(peer.id())) {
                    return node.id() + " does not count " + peer.id();
                }
                if (!server.namesHeldOf(peer.id()).equals(truth)) {
                    return node.id() + " holds " + server.namesHeldOf(peer.id()) + " of " + peer.id() + ", which has "
                            + truth;
                }
            }
            if (server.size() != owners.size()) {
                return node.id() + " resolves " + server.size() + " names, owners hold " + owners.size();
            }
            for (Map.Entry<String, Pid> owner : owners.entrySet()) {
                if (!owner.getValue().equals(server.whereis(owner.getKey()))) {
                    return node.id() + " resolves " + owner.getKey() + " to " + server.whereis(owner.getKey());
                }
            }
        }
        return null;
    }

    /** Runs what was just scheduled, then until every replica agrees. */
    static void settle(SimCluster sim, String goal) {
        sim.runFor(Duration.ofMillis(1));
        awaitAgreement(sim, goal, BOUND);
    }

    /** Runs until every replica agrees; the failure says what still differs. */
    static void awaitAgreement(SimCluster sim, String goal, Duration bound) {
        try {
            sim.runUntil(goal, () -> agreed(sim), bound);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(e.getMessage() + "\n  still differing: " + disagreement(sim), e);
        }
    }

    /** Every name any live replica resolves. */
    static Set<String> allNames(SimCluster sim) {
        Set<String> names = new TreeSet<>();
        for (SimNode node : sim.liveNodes()) {
            node.component(RegistryServer.class).select(r -> true).forEach(r -> names.add(r.name()));
        }
        return names;
    }

    static NodeId id(SimCluster sim, String node) {
        return sim.node(node).id();
    }
}
