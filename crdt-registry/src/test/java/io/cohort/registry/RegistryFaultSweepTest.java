package io.cohort.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.sim.RandomFaults;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.node.sim.SimNode;
import io.cohort.node.sim.SimSweep;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Random registrations, unregistrations, meta updates and exits interleaved with random faults (crashes, restarts,
 * graceful stops, partitions, one-way links, pauses, a lossy network). After the faults end every replica must agree
 * on one owner per name, each a live process of a live incarnation ({@link RegistrySim#agreed}), and no registration
 * may be lost: a process that was registered, never unregistered and is still alive still holds its name — losing a
 * conflict would have ended it.
 */
class RegistryFaultSweepTest {

    private static final int NODES = 4;

    @Test
    void randomOperationsUnderRandomFaultsConverge() {
        SimSweep.run("registry faults", 7_000, 200, seed -> run(seed, 10));
    }

    @Test
    @Tag("slow")
    void soak() {
        SimSweep.run("registry faults soak", 700_000, 10_000, seed -> run(seed, 30));
    }

    private static void run(long seed, int rounds) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        RegistryServer.Options options = RegistryServer.Options.defaults()
                .withBatchDelayNs(seed % 3 == 0 ? 0 : 2_000_000)
                .withBatchLimits(3, 4) // tiny batches and sync parts, so cutting is exercised
                .withLostSliceRetentionNs(seed % 4 == 0 ? 1_000_000_000L : 60_000_000_000L);
        SimCluster sim = SimCluster.start(config, NODES, id -> List.of(new RegistryServer("r", options)));
        SplittableRandom plan = new SplittableRandom(seed ^ 0x9e3779b97f4a7c15L);
        Map<String, Pid> registered = new TreeMap<>(); // name -> the process a Registered result gave it
        sim.runUntil("formed", sim::converged, Duration.ofSeconds(5));
        for (int round = 0; round < rounds; round++) {
            for (int op = 0; op < 10; op++) {
                randomOperation(sim, plan, registered);
            }
            RandomFaults.applyOne(sim, plan, NODES);
            sim.runFor(Duration.ofMillis(50 + plan.nextInt(4_000)));
        }
        RandomFaults.healAll(sim, NODES);
        sim.runFor(Duration.ofMillis(1));
        RegistrySim.awaitAgreement(sim, "registry agreed after healing", Duration.ofSeconds(90));
        sim.check(() -> {
            RegistryServer observer = sim.liveNodes().get(0).component(RegistryServer.class);
            registered.forEach((name, pid) -> {
                SimNode owner = sim.node(pid.node().name());
                if (!owner.isDead() && owner.processes().isAlive(pid)) {
                    assertThat(observer.whereis(name))
                            .as("%s registered by live %s, never unregistered", name, pid)
                            .isEqualTo(pid);
                }
            });
        });
    }

    private static void randomOperation(SimCluster sim, SplittableRandom plan, Map<String, Pid> registered) {
        String node = "n" + (1 + plan.nextInt(NODES));
        SimNode target = sim.node(node);
        if (target.isDead() || target.isPaused()) {
            return;
        }
        String name = "k" + plan.nextInt(12);
        List<Pid> alive = target.processes().alive();
        switch (plan.nextInt(6)) {
            case 0, 1, 2 -> {
                Pid pid = alive.isEmpty() || plan.nextBoolean()
                        ? target.processes().spawn()
                        : alive.get(plan.nextInt(alive.size()));
                sim.execute(node, RegistryServer.class, (r, now) -> {
                    if (r.register(name, pid, null) instanceof RegisterResult.Registered) {
                        registered.put(name, pid);
                    }
                });
            }
            case 3 ->
                sim.execute(node, RegistryServer.class, (r, now) -> {
                    Registration own = r.own(name);
                    if (own != null && r.unregister(name, null)) {
                        registered.remove(name, own.pid());
                    }
                });
            case 4 -> {
                byte[] meta = ("m" + plan.nextInt(100)).getBytes(StandardCharsets.UTF_8);
                sim.execute(node, RegistryServer.class, (r, now) -> r.updateMeta(name, old -> meta));
            }
            default -> {
                if (!alive.isEmpty()) {
                    target.processes().exit(alive.get(plan.nextInt(alive.size())), ExitReason.KILLED);
                }
            }
        }
    }
}
