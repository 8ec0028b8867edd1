package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.sim.RandomFaults;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.node.sim.SimNode;
import io.cohort.node.sim.SimSweep;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random joins, leaves and exits interleaved with random faults (crashes, restarts, partitions, one-way links,
 * pauses, a lossy network). After the faults end, every node must hold exactly the local members of every live node,
 * as multisets, in every group — pg's convergence promise — and no member of a dead incarnation may remain.
 */
class PgFaultSweepTest {

    private static final int NODES = 4;

    @Test
    void randomOperationsUnderRandomFaultsConverge() {
        SimSweep.run("pg faults", 5_000, 30, seed -> run(seed, 10));
    }

    @Test
    @Tag("slow")
    void soak() {
        SimSweep.run("pg faults soak", 500_000, 1_000, seed -> run(seed, 30));
    }

    private static void run(long seed, int rounds) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SimCluster sim = SimCluster.start(config, NODES, id -> List.of(new PgScope("s")));
        SplittableRandom plan = new SplittableRandom(seed ^ 0x9e3779b97f4a7c15L);
        sim.runUntil("formed", sim::converged, Duration.ofSeconds(5));
        for (int round = 0; round < rounds; round++) {
            for (int op = 0; op < 10; op++) {
                randomOperation(sim, plan);
            }
            RandomFaults.applyOne(sim, plan, NODES);
            sim.runFor(Duration.ofMillis(50 + plan.nextInt(4_000)));
        }
        RandomFaults.healAll(sim, NODES);
        sim.runFor(Duration.ofMillis(1));
        sim.runUntil("pg agreed after healing", () -> sim.converged() && PgSimTest.agreed(sim), Duration.ofSeconds(60));
        sim.check(() -> {
            for (SimNode node : sim.liveNodes()) {
                for (String group : node.component(PgScope.class).whichGroups()) {
                    for (Pid pid : node.component(PgScope.class).members(group)) {
                        assertThat(sim.node(pid.node().name()).id())
                                .as("member %s of a dead incarnation on %s", pid, node.id())
                                .isEqualTo(pid.node());
                    }
                }
            }
        });
    }

    private static void randomOperation(SimCluster sim, SplittableRandom plan) {
        String name = "n" + (1 + plan.nextInt(NODES));
        SimNode node = sim.node(name);
        if (node.isDead() || node.isPaused()) {
            return;
        }
        String group = "g" + plan.nextInt(5);
        List<Pid> alive = node.processes().alive();
        switch (plan.nextInt(4)) {
            case 0, 1 -> {
                Pid pid = alive.isEmpty() || plan.nextBoolean()
                        ? node.processes().spawn()
                        : alive.get(plan.nextInt(alive.size()));
                sim.execute(name, PgScope.class, (pg, now) -> pg.join(group, List.of(pid)));
            }
            case 2 -> {
                if (!alive.isEmpty()) {
                    Pid pid = alive.get(plan.nextInt(alive.size()));
                    sim.execute(name, PgScope.class, (pg, now) -> pg.leave(group, List.of(pid)));
                }
            }
            default -> {
                if (!alive.isEmpty()) {
                    node.processes().exit(alive.get(plan.nextInt(alive.size())), ExitReason.KILLED);
                }
            }
        }
    }
}
