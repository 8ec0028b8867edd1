package io.cohort.node.sim;

import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Random faults for seed sweeps: crash or restart, graceful stop, a random two-sided partition, a one-way block, a
 * pause or resume, a heal — drawn from the sweep's own seeded generator, so a seed replays the same schedule. At
 * least two nodes are always left running (no stop below that).
 */
public final class RandomFaults {

    private RandomFaults() {}

    /** Applies one random fault to a cluster of nodes {@code n1..n<nodes>}; returns what it did. */
    public static String applyOne(SimCluster sim, SplittableRandom plan, int nodes) {
        String name = "n" + (1 + plan.nextInt(nodes));
        SimNode node = sim.node(name);
        switch (plan.nextInt(7)) {
            case 0 -> {
                if (node.isDead()) {
                    sim.restart(name);
                    return "restart " + name;
                }
                sim.crash(name);
                return "crash " + name;
            }
            case 1 -> {
                if (!node.isDead() && sim.liveNodes().size() > 2) {
                    sim.stop(name);
                    return "stop " + name;
                }
                return "nothing";
            }
            case 2 -> {
                Set<String> left = new TreeSet<>();
                Set<String> right = new TreeSet<>();
                for (int i = 1; i <= nodes; i++) {
                    (plan.nextBoolean() ? left : right).add("n" + i);
                }
                sim.partition(left, right);
                return "partition " + left + " | " + right;
            }
            case 3 -> {
                String to = "n" + (1 + plan.nextInt(nodes));
                sim.blockOneWay(name, to);
                return "block " + name + "->" + to;
            }
            case 4 -> {
                if (node.isDead()) {
                    return "nothing";
                }
                if (node.isPaused()) {
                    sim.resume(name);
                    return "resume " + name;
                }
                sim.pause(name);
                return "pause " + name;
            }
            default -> {
                sim.heal();
                return "heal";
            }
        }
    }

    /** Ends every fault: heals the network, resumes paused nodes and restarts dead ones. */
    public static void healAll(SimCluster sim, int nodes) {
        sim.heal();
        for (int i = 1; i <= nodes; i++) {
            SimNode node = sim.node("n" + i);
            if (node.isDead()) {
                sim.restart("n" + i);
            } else if (node.isPaused()) {
                sim.resume("n" + i);
            }
        }
    }
}
