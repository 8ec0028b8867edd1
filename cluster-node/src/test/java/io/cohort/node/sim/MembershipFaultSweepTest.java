package io.cohort.node.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random fault schedules against the simulated membership and channel: crashes, restarts, graceful stops,
 * partitions, one-way blocks, pauses, on a lossy network. Throughout, every node's {@link Probe} checks that views
 * grow and that messages arrive once and in order; after the faults stop and everything is healed, the cluster must
 * come back to one view of exactly the live nodes, and no live view may name a dead incarnation.
 */
class MembershipFaultSweepTest {

    private static final int NODES = 5;

    @Test
    void randomFaultSchedulesAlwaysConvergeAfterHealing() {
        SimSweep.run("membership faults", 1_000, 40, seed -> runSchedule(seed, 12));
    }

    @Test
    @Tag("slow")
    void soak() {
        SimSweep.run("membership faults soak", 1_000_000, 2_000, seed -> runSchedule(seed, 40));
    }

    private static void runSchedule(long seed, int faults) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SimCluster sim = SimCluster.start(config, NODES, id -> List.of(new Probe()));
        SplittableRandom plan = new SplittableRandom(seed ^ 0x5eed);
        sim.runUntil("formed", sim::converged, Duration.ofSeconds(5));
        for (int i = 0; i < faults; i++) {
            applyRandomFault(sim, plan);
            sim.runFor(Duration.ofMillis(100 + plan.nextInt(5_000)));
        }
        sim.heal();
        for (int i = 1; i <= NODES; i++) {
            SimNode node = sim.node("n" + i);
            if (node.isDead()) {
                sim.restart("n" + i);
            } else if (node.isPaused()) {
                sim.resume("n" + i);
            }
        }
        sim.runUntil("converged after healing", sim::converged, Duration.ofSeconds(30));
        sim.check(() -> {
            Set<NodeId> live = new TreeSet<>();
            sim.liveNodes().forEach(node -> live.add(node.id()));
            assertThat(sim.node("n1").view().members()).containsExactlyInAnyOrderElementsOf(live);
        });
    }

    private static void applyRandomFault(SimCluster sim, SplittableRandom plan) {
        String name = "n" + (1 + plan.nextInt(NODES));
        SimNode node = sim.node(name);
        switch (plan.nextInt(7)) {
            case 0 -> {
                if (node.isDead()) {
                    sim.restart(name);
                } else {
                    sim.crash(name);
                }
            }
            case 1 -> {
                if (!node.isDead() && sim.liveNodes().size() > 2) {
                    sim.stop(name);
                }
            }
            case 2 -> {
                List<String> names = new ArrayList<>();
                for (int i = 1; i <= NODES; i++) {
                    names.add("n" + i);
                }
                Set<String> left = new TreeSet<>();
                Set<String> right = new TreeSet<>();
                for (String each : names) {
                    (plan.nextBoolean() ? left : right).add(each);
                }
                sim.partition(left, right);
            }
            case 3 -> sim.blockOneWay(name, "n" + (1 + plan.nextInt(NODES)));
            case 4 -> {
                if (!node.isDead()) {
                    if (node.isPaused()) {
                        sim.resume(name);
                    } else {
                        sim.pause(name);
                    }
                }
            }
            default -> sim.heal();
        }
    }
}
