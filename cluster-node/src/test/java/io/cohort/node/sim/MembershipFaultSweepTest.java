package io.cohort.node.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.time.Duration;
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
            RandomFaults.applyOne(sim, plan, NODES);
            sim.runFor(Duration.ofMillis(100 + plan.nextInt(5_000)));
        }
        RandomFaults.healAll(sim, NODES);
        sim.runUntil("converged after healing", sim::converged, Duration.ofSeconds(30));
        sim.check(() -> {
            Set<NodeId> live = new TreeSet<>();
            sim.liveNodes().forEach(node -> live.add(node.id()));
            assertThat(sim.node("n1").view().members()).containsExactlyInAnyOrderElementsOf(live);
        });
    }
}
