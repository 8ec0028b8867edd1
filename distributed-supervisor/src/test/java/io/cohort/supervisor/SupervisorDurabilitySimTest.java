package io.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.sim.SimSweep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Durable supervisors ({@link SupervisorServer#durable}) under the simulator: a restart of the whole cluster brings
 * every child back exactly once, and never one that was terminated while some node was down.
 */
class SupervisorDurabilitySimTest {

    private static final List<String> NODES = List.of("n1", "n2", "n3");

    /** The configured membership makes a node that comes back alone wait for a majority. */
    private static SupervisorServer.Options options() {
        return SupervisorServer.Options.defaults().withMembers(Set.copyOf(NODES));
    }

    @Test
    void aRestartOfTheWholeClusterBringsEveryChildBackOnce() {
        SimSweep.run("full restart", 1_000, 30, seed -> {
            SupervisorSim world = SupervisorSim.startDurable(seed, 3, options(), Map.of());
            world.forbidDuplicates();
            world.startChildren("n1", "a", 15);
            world.startChildren("n3", "b", 15);
            world.settle("30 children running");
            world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS)); // saved
            NODES.forEach(world.sim::crash);

            long restartAt = world.sim.nowNs();
            world.sim.restart("n2");
            world.sim.runFor(Duration.ofSeconds(3));
            assertThat(world.running())
                    .as("a node back alone lacks a quorum: it starts nothing")
                    .isEmpty();
            world.sim.restart("n1");
            world.sim.restart("n3");
            world.settle("every child back");
            assertThat(world.running()).hasSize(30);
            List<SupervisorSim.Start> after = world.startsAfter(restartAt);
            assertThat(after)
                    .extracting(SupervisorSim.Start::id)
                    .as("each child started once after the restart")
                    .hasSize(30)
                    .doesNotHaveDuplicates();
            for (SupervisorSim.Start start : after) {
                long before = world.starts.stream()
                        .filter(s -> s.id().equals(start.id()) && s.atNs() < restartAt)
                        .mapToLong(SupervisorSim.Start::token)
                        .max()
                        .orElseThrow();
                assertThat(start.token())
                        .as("%s's fencing token grows across the restart (new views start at id 1)", start.id())
                        .isGreaterThan(before);
            }
        });
    }

    @Test
    void aChildTerminatedWhileANodeWasDownStaysGoneWhenItComesBack() {
        SimSweep.run("terminated while down", 2_000, 30, seed -> {
            SupervisorSim world = SupervisorSim.startDurable(seed, 3, options(), Map.of());
            world.forbidDuplicates();
            world.startChildren("n1", "w", 12);
            world.settle("children running");
            world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS));
            world.sim.crash("n3"); // its store still holds every spec
            world.settle("failed over");
            for (int i = 0; i < 6; i++) {
                world.terminateChild("n1", "w" + i);
            }
            world.settle("six terminated");
            long rejoinAt = world.sim.nowNs();
            world.sim.restart("n3");
            world.settle("n3 back");
            assertThat(world.startsAfter(rejoinAt))
                    .extracting(SupervisorSim.Start::id)
                    .as("n3 restores the terminated specs but must not run them, not even for a moment")
                    .noneMatch(id -> Integer.parseInt(id.substring(1)) < 6);
            assertThat(world.running().keySet()).containsExactlyInAnyOrder("w6", "w7", "w8", "w9", "w10", "w11");

            // And after a restart of everyone: n3's store still lists them, the others' stores say they were removed.
            world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS));
            NODES.forEach(world.sim::crash);
            NODES.forEach(world.sim::restart);
            world.settle("everyone back");
            assertThat(world.running().keySet()).containsExactlyInAnyOrder("w6", "w7", "w8", "w9", "w10", "w11");
        });
    }

    @Test
    void anUnreadableStoreIsSetAsideAndCounted() {
        SpecStore garbage = SpecStore.inMemory();
        garbage.save(new byte[] {7, 7, 7, 7, 7});
        SupervisorSim world = SupervisorSim.startDurable(5, 3, options(), Map.of("n2", garbage));
        assertThat(world.sim.node("n2").metrics().count("supervisor.specs.unreadable", "supervisor", "sup"))
                .isEqualTo(1);
        assertThat(garbage.load()).as("set aside: the next save starts afresh").isNull();
        world.startChildren("n2", "x", 5);
        world.settle("n2 works without its store's old content");
        world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS));
        assertThat(garbage.load()).as("saved again").isNotNull();
    }

    @Test
    void aStoreThatFailsIsCountedAndTheReplicaKeepsWorking() {
        java.util.concurrent.atomic.AtomicBoolean broken = new java.util.concurrent.atomic.AtomicBoolean(true);
        SpecStore healthy = SpecStore.inMemory();
        SpecStore failing = new SpecStore() {
            @Override
            public byte[] load() {
                throw new java.io.UncheckedIOException(new java.io.IOException("disk gone"));
            }

            @Override
            public void save(byte[] state) {
                if (broken.get()) {
                    throw new java.io.UncheckedIOException(new java.io.IOException("disk full"));
                }
                healthy.save(state);
            }

            @Override
            public void setAside() {}
        };
        SupervisorSim world = SupervisorSim.startDurable(6, 3, options(), Map.of("n2", failing));
        world.startChildren("n2", "f", 5);
        world.settle("the children run although n2 cannot read or write its store");
        world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS));
        assertThat(world.sim.node("n2").metrics().count("supervisor.specs.store_failures", "supervisor", "sup"))
                .as("the failed load and the failed save")
                .isGreaterThanOrEqualTo(2);
        assertThat(world.sup("n2").specsSaved()).isFalse();

        broken.set(false); // the disk is back: the next change is saved, with everything before it
        world.startChild("n1", ChildSpec.of("g", SupervisorSim.KIND, null));
        world.settle("one more child");
        world.sim.runFor(Duration.ofNanos(2 * SupervisorServer.PERSIST_DELAY_NS));
        assertThat(world.sup("n2").specsSaved()).isTrue();
        assertThat(healthy.load()).isNotNull();
    }

    @Test
    void withoutAStoreAFullRestartForgetsEverything() {
        SupervisorSim world = SupervisorSim.start(9, 3, options());
        world.startChildren("n1", "a", 5);
        world.settle("running");
        NODES.forEach(world.sim::crash);
        NODES.forEach(world.sim::restart);
        world.settle("back");
        assertThat(world.running()).isEmpty();
        assertThat(world.sup("n1").countChildren().specs()).isZero();
    }
}
