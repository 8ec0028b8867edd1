package io.cohort.registry;

import static io.cohort.registry.RegistrySim.BOUND;
import static io.cohort.registry.RegistrySim.agreed;
import static io.cohort.registry.RegistrySim.cluster;
import static io.cohort.registry.RegistrySim.reg;
import static io.cohort.registry.RegistrySim.register;
import static io.cohort.registry.RegistrySim.registerLater;
import static io.cohort.registry.RegistrySim.settle;
import static io.cohort.registry.RegistrySim.spawn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Signal;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimNode;
import io.cohort.node.sim.SimSweep;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The registry's semantics under the simulator, each scenario over many seeds. */
class RegistrySimTest {

    @Test
    void singleNodeRegistersLooksUpUpdatesAndForgetsExitedProcesses() {
        SimCluster sim = cluster(1, 1);
        RegistryServer r = reg(sim, "n1");
        Pid a = spawn(sim, "n1");
        Pid b = spawn(sim, "n1");
        assertThat(register(sim, "n1", "order-1", a)).isEqualTo(new RegisterResult.Registered(a));
        assertThat(r.whereis("order-1")).as("read your writes").isEqualTo(a);
        assertThat(register(sim, "n1", "order-1", b)).isEqualTo(new RegisterResult.Taken(a));
        assertThat(register(sim, "n1", "order-2", a)).isEqualTo(new RegisterResult.Registered(a));
        assertThat(r.keys(a)).containsExactly("order-1", "order-2");
        AtomicBoolean updated = new AtomicBoolean();
        sim.execute("n1", RegistryServer.class, (s, now) -> updated.set(s.updateMeta("order-1", old -> bytes("paid"))));
        sim.runFor(Duration.ofMillis(1));
        assertThat(updated).isTrue();
        assertThat(new String(r.lookup("order-1").meta(), StandardCharsets.UTF_8))
                .isEqualTo("paid");
        assertThat(r.count(reg -> reg.pid().equals(a))).isEqualTo(2);
        assertThat(r.select(reg -> reg.hasMeta()))
                .extracting(Registration::name)
                .containsExactly("order-1");
        AtomicBoolean removed = new AtomicBoolean();
        sim.execute("n1", RegistryServer.class, (s, now) -> removed.set(s.unregister("order-2", null)));
        sim.runFor(Duration.ofMillis(1));
        assertThat(removed).isTrue();
        assertThat(r.whereis("order-2")).isNull();
        sim.node("n1").processes().exit(a, ExitReason.KILLED);
        sim.runFor(Duration.ofMillis(1));
        assertThat(r.whereis("order-1")).as("an exited process loses its names").isNull();
        assertThat(r.size()).isZero();
        assertThat(register(sim, "n1", "order-1", a)).isEqualTo(new RegisterResult.NoProcess(a));
        assertThat(register(sim, "n1", "order-1", b)).isEqualTo(new RegisterResult.Registered(b));
    }

    @Test
    void onlyLocalProcessesMayBeRegistered() {
        SimCluster sim = cluster(3, 2);
        Pid remote = spawn(sim, "n2");
        AtomicBoolean threw = new AtomicBoolean();
        sim.execute("n1", RegistryServer.class, (r, now) -> {
            assertThatThrownBy(() -> r.register("x", remote, null)).isInstanceOf(IllegalArgumentException.class);
            threw.set(true);
        });
        sim.runFor(Duration.ofMillis(1));
        assertThat(threw).isTrue();
    }

    @Test
    void registrationsUnregistrationsAndExitsReachEveryNode() {
        SimSweep.run("three nodes", 10, 20, seed -> {
            SimCluster sim = cluster(seed, 3);
            Pid a = spawn(sim, "n1");
            Pid b = spawn(sim, "n2");
            register(sim, "n1", "a", a);
            register(sim, "n2", "b", b);
            register(sim, "n2", "b2", b);
            settle(sim, "registered");
            sim.check(() -> assertThat(reg(sim, "n3").whereis("a")).isEqualTo(a));
            sim.execute("n2", RegistryServer.class, (r, now) -> r.unregister("b2", null));
            sim.node("n1").processes().exit(a, ExitReason.NORMAL);
            settle(sim, "removed");
            sim.check(() -> {
                assertThat(reg(sim, "n3").whereis("a")).isNull();
                assertThat(reg(sim, "n3").whereis("b2")).isNull();
                assertThat(reg(sim, "n1").keys(b)).containsExactly("b");
            });
        });
    }

    @Test
    void simultaneousRegistrationInOneViewEndsWithOneOwner() {
        SimSweep.run("simultaneous", 100, 30, seed -> {
            SimCluster sim = cluster(seed, 3);
            Pid a = spawn(sim, "n1");
            Pid b = spawn(sim, "n2");
            registerLater(sim, "n1", "x", a);
            registerLater(sim, "n2", "x", b);
            settle(sim, "one owner");
            sim.check(() -> {
                Pid owner = reg(sim, "n3").whereis("x");
                Pid loser = owner.equals(a) ? b : a;
                assertThat(sim.node(loser.node().name()).processes().isAlive(loser))
                        .as("the loser ends")
                        .isFalse();
                assertThat(sim.node(owner.node().name()).processes().isAlive(owner))
                        .isTrue();
            });
        });
    }

    /** Both sides of a netsplit bind the same names; after the heal every name has one owner, earliest first. */
    @Test
    void netsplitHealsToOneOwnerPerNameAndNotifiesEachLoserOnce() {
        SimSweep.run("netsplit", 200, 30, seed -> netsplit(seed, RegistryServer.Options.defaults()));
    }

    @Test
    void netsplitWithNotifyPolicyFreesTheNameAndLeavesTheLoserRunning() {
        SimSweep.run(
                "netsplit notify",
                300,
                10,
                seed -> netsplit(seed, RegistryServer.Options.defaults().withConflictPolicy(ConflictPolicy.NOTIFY)));
    }

    private static void netsplit(long seed, RegistryServer.Options options) {
        boolean notify = options.conflictPolicy() == ConflictPolicy.NOTIFY;
        SimCluster sim = cluster(seed, 5, options);
        Pid before = spawn(sim, "n2");
        register(sim, "n2", "before", before);
        settle(sim, "registered before");
        sim.partition(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
        sim.runUntil(
                "split",
                () -> sim.node("n1").view().size() == 2
                        && sim.node("n3").view().size() == 3
                        && sim.node("n1").component(RegistryServer.class).whereis("before") != null,
                BOUND);
        int conflicts = 20;
        List<Pid> early = new ArrayList<>();
        List<Pid> late = new ArrayList<>();
        for (int i = 0; i < conflicts; i++) {
            Pid pid = spawn(sim, "n1");
            early.add(pid);
            registerLater(sim, "n1", "c" + i, pid);
        }
        registerLater(sim, "n2", "only-a", spawn(sim, "n2"));
        sim.runFor(Duration.ofMillis(300)); // later than any clock skew: side A's stamps are earlier
        for (int i = 0; i < conflicts; i++) {
            String node = i % 2 == 0 ? "n3" : "n4";
            Pid pid = spawn(sim, node);
            if (i % 3 == 0) {
                sim.node(node).processes().trapExits(pid, true);
            }
            late.add(pid);
            registerLater(sim, node, "c" + i, pid);
        }
        registerLater(sim, "n5", "only-b", spawn(sim, "n5"));
        sim.runFor(Duration.ofMillis(300));
        sim.check(() -> assertThat(reg(sim, "n4").whereis("c1")).isEqualTo(late.get(1)));
        sim.heal();
        settle(sim, "healed");
        sim.check(() -> {
            RegistryServer observer = reg(sim, "n5");
            assertThat(observer.whereis("before")).isEqualTo(before);
            assertThat(observer.whereis("only-a"))
                    .as("no live registration lost")
                    .isNotNull();
            assertThat(observer.whereis("only-b")).isNotNull();
            long lost = 0;
            for (SimNode node : sim.liveNodes()) {
                lost += node.metrics().count("registry.conflicts.lost", "registry", "r");
            }
            assertThat(lost).as("one loss per conflict").isEqualTo(conflicts);
            for (int i = 0; i < conflicts; i++) {
                Pid winner = early.get(i);
                Pid loser = late.get(i);
                assertThat(observer.whereis("c" + i))
                        .as("earliest registration wins")
                        .isEqualTo(winner);
                SimNode loserNode = sim.node(loser.node().name());
                List<Object> mailbox = loserNode.processes().mailbox(loser);
                boolean trapping = i % 3 == 0;
                if (notify) {
                    assertThat(mailbox)
                            .as("exactly one notification")
                            .containsExactly(new NameConflict("r", "c" + i, loser, winner));
                } else if (trapping) {
                    assertThat(mailbox)
                            .as("a trapping loser gets the signal once, and loses the name")
                            .containsExactly(new Signal.Exit(new Pid(loser.node(), 0), ConflictPolicy.NAME_CONFLICT));
                } else {
                    assertThat(loserNode.processes().isAlive(loser))
                            .as("loser ends")
                            .isFalse();
                }
                assertThat(sim.node("n1").processes().mailbox(winner))
                        .as("the winner is not told")
                        .isEmpty();
            }
        });
    }

    @Test
    void aCrashedNodesNamesVanishAndItsNextLifeStartsEmpty() {
        SimSweep.run("crash", 400, 20, seed -> {
            SimCluster sim = cluster(seed, 3);
            Pid a = spawn(sim, "n1");
            Pid b = spawn(sim, "n2");
            register(sim, "n1", "a", a);
            register(sim, "n2", "b", b);
            settle(sim, "registered");
            sim.crash("n2");
            sim.runUntil("hidden", () -> reg(sim, "n1").whereis("b") == null, BOUND);
            sim.restart("n2");
            sim.runUntil("back", sim::converged, BOUND);
            Pid c = spawn(sim, "n2");
            assertThat(register(sim, "n2", "b", c))
                    .as("the name is free: the old life's entry is gone")
                    .isEqualTo(new RegisterResult.Registered(c));
            settle(sim, "new life registered");
            sim.check(() -> {
                assertThat(reg(sim, "n3").whereis("b")).isEqualTo(c);
                assertThat(reg(sim, "n3").whereis("a")).isEqualTo(a);
                assertThat(reg(sim, "n1").heldSlices())
                        .as("nothing of the dead incarnation is kept")
                        .doesNotContain(b.node());
            });
        });
    }

    @Test
    void aPartitionedNodeIsHiddenAtOnceAndResyncsOnlyWhatChanged() {
        SimSweep.run("partition resync", 500, 10, seed -> {
            SimCluster sim = cluster(seed, 3);
            List<Pid> pids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Pid pid = spawn(sim, "n1");
                pids.add(pid);
                registerLater(sim, "n1", "k" + i, pid);
            }
            settle(sim, "registered");
            sim.partition(Set.of("n1"), Set.of("n2", "n3"));
            sim.runUntil("hidden", () -> reg(sim, "n2").size() == 0, BOUND);
            sim.check(() -> assertThat(reg(sim, "n2").heldSlices())
                    .as("hidden, not deleted")
                    .contains(RegistrySim.id(sim, "n1")));
            sim.check(() -> assertThat(peerStatus(sim, "n2", "n1"))
                    .as("what an operator reads on n2 about n1")
                    .extracting(PeerStatus::inView, PeerStatus::visible, PeerStatus::entriesHeld)
                    .containsExactly(false, false, 200));
            for (int i = 0; i < 10; i++) {
                sim.node("n1").processes().exit(pids.get(i), ExitReason.KILLED);
            }
            sim.runFor(Duration.ofSeconds(1));
            sim.heal();
            settle(sim, "healed");
            sim.check(() -> {
                assertThat(reg(sim, "n2").size()).isEqualTo(190);
                assertThat(reg(sim, "n2").whereis("k5")).isNull();
                assertThat(reg(sim, "n2").whereis("k50")).isEqualTo(pids.get(50));
                assertThat(peerStatus(sim, "n2", "n1"))
                        .extracting(PeerStatus::inView, PeerStatus::visible, PeerStatus::awaitingAnswer)
                        .containsExactly(true, true, false);
                assertThat(peerStatus(sim, "n2", "n1").entriesHeld()).isEqualTo(190);
            });
        });
    }

    /** {@code observer}'s replication status of {@code peer}, taken on the observer's replica. */
    private static PeerStatus peerStatus(SimCluster sim, String observer, String peer) {
        List<PeerStatus> status = new ArrayList<>();
        sim.execute(observer, RegistryServer.class, (r, now) -> status.addAll(r.peerStatus(now)));
        sim.runFor(Duration.ofMillis(1));
        return status.stream()
                .filter(s -> s.node().equals(RegistrySim.id(sim, peer)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(observer + " has no status of " + peer + ": " + status));
    }

    @Test
    void subscribersOnEveryNodeSeeRegisteredUnregisteredAndConflictResolved() {
        SimSweep.run("events", 600, 10, seed -> {
            SimCluster sim = cluster(seed, 3);
            Pid watcher = spawn(sim, "n3");
            AtomicLong ref = new AtomicLong();
            sim.execute("n3", RegistryServer.class, (r, now) -> ref.set(r.subscribe(watcher)));
            sim.runFor(Duration.ofMillis(1));
            Pid a = spawn(sim, "n1");
            register(sim, "n1", "x", a);
            settle(sim, "registered");
            sim.partition(Set.of("n1"), Set.of("n2", "n3"));
            sim.runUntil("split", () -> reg(sim, "n3").whereis("x") == null, BOUND);
            Pid b = spawn(sim, "n2");
            sim.runFor(Duration.ofMillis(100));
            register(sim, "n2", "x", b);
            sim.runFor(Duration.ofMillis(100));
            sim.heal();
            settle(sim, "healed");
            sim.check(() -> {
                long r = ref.get();
                assertThat(sim.node("n3").processes().mailbox(watcher))
                        .as("n3's view of x over time")
                        .containsExactly(
                                new RegistryEvent.Registered(r, "x", a),
                                new RegistryEvent.Unregistered(r, "x", a), // n1 left the view
                                new RegistryEvent.Registered(r, "x", b),
                                new RegistryEvent.Unregistered(r, "x", b), // n1's earlier registration is back
                                new RegistryEvent.Registered(r, "x", a),
                                new RegistryEvent.ConflictResolved(r, "x", a, b));
            });
        });
    }

    /**
     * Found by the container chaos suite (seed 4): a node paused past failure detection never installs the view that
     * excluded it, so in the merge view its subgroup holds every member and it has no "other side" to sync with. The
     * writes it missed while out of the others' view must still reach it.
     */
    @Test
    void aNodePausedPastFailureDetectionGetsTheWritesItMissed() {
        SimSweep.run("paused", 100, 20, seed -> {
            SimCluster sim = cluster(seed, 3).pausedNodesKeepTheirView();
            Pid a = spawn(sim, "n1");
            register(sim, "n1", "x", a);
            settle(sim, "registered");
            sim.pause("n3");
            sim.runUntil("n3 excluded", () -> !sim.node("n1").view().contains(RegistrySim.id(sim, "n3")), BOUND);
            AtomicBoolean removed = new AtomicBoolean();
            sim.execute("n1", RegistryServer.class, (r, now) -> removed.set(r.unregister("x", null)));
            Pid b = spawn(sim, "n2");
            register(sim, "n2", "y", b);
            sim.runFor(Duration.ofMillis(50));
            sim.resume("n3");
            sim.runUntil(
                    "n3 back in a merge view",
                    () -> sim.node("n1").view().contains(RegistrySim.id(sim, "n3"))
                            && sim.node("n3").view().isMerge(),
                    BOUND);
            settle(sim, "merged");
            sim.check(() -> {
                assertThat(removed).isTrue();
                assertThat(reg(sim, "n3").whereis("x"))
                        .as("a name removed during the pause")
                        .isNull();
                assertThat(reg(sim, "n3").whereis("y"))
                        .as("a name registered during the pause")
                        .isEqualTo(b);
            });
        });
    }

    /**
     * Found by the container chaos suite (seed 4, again): after a pause past failure detection, one node never counted
     * the paused node's names, because the answer to its digest never reached it and nothing asked again. An
     * unanswered digest is now resent until one answer arrives; here the first answers in both directions vanish.
     */
    @Test
    void aDigestWhoseAnswerIsLostIsSentAgain() {
        SimSweep.run("lost sync", 300, 20, seed -> {
            SimCluster sim = cluster(seed, 3).pausedNodesKeepTheirView();
            Pid kept = spawn(sim, "n3");
            register(sim, "n3", "kept", kept);
            settle(sim, "registered");
            sim.pause("n3");
            sim.runUntil("n3 excluded", () -> !sim.node("n1").view().contains(RegistrySim.id(sim, "n3")), BOUND);
            Pid fresh = spawn(sim, "n1");
            register(sim, "n1", "fresh", fresh);
            Set<String> lostOnce = new java.util.TreeSet<>();
            sim.loseMessages((from, to, component, payload) -> {
                try {
                    return io.cohort.registry.wire.RegistryMessage.parseFrom(payload)
                                    .hasSync()
                            && lostOnce.add(from.name() + "->" + to.name());
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    return false;
                }
            });
            sim.resume("n3");
            sim.runUntil("n3's first answer to n1 lost", () -> lostOnce.contains("n3->n1"), BOUND);
            sim.check(() -> assertThat(peerStatus(sim, "n1", "n3"))
                    .as("what an operator reads on n1 while its digest to n3 is unanswered")
                    .extracting(PeerStatus::inView, PeerStatus::visible, PeerStatus::awaitingAnswer)
                    .containsExactly(true, false, true));
            settle(sim, "merged although the first syncs were lost");
            sim.check(() -> {
                assertThat(lostOnce).as("syncs lost").contains("n3->n1", "n1->n3");
                for (String node : List.of("n1", "n2", "n3")) {
                    assertThat(reg(sim, node).whereis("kept"))
                            .as("kept on " + node)
                            .isEqualTo(kept);
                    assertThat(reg(sim, node).whereis("fresh"))
                            .as("fresh on " + node)
                            .isEqualTo(fresh);
                }
                assertThat(sim.node("n1").metrics().count("registry.digests.resent", "registry", "r"))
                        .as("digests n1 resent")
                        .isPositive();
            });
        });
    }

    @Test
    void malformedAndUnknownMessagesAreCountedDrops() {
        SimCluster sim = cluster(7, 2);
        Pid a = spawn(sim, "n1");
        register(sim, "n1", "a", a);
        settle(sim, "registered");
        var from = RegistrySim.id(sim, "n2");
        sim.execute("n1", RegistryServer.class, (r, now) -> {
            r.onMessage(from, new byte[] {1, 2, 3, 4, 5}, now);
            r.onMessage(
                    from,
                    io.cohort.registry.wire.RegistryMessage.newBuilder()
                            .setVersion(99)
                            .build()
                            .toByteArray(),
                    now);
            r.onMessage(
                    from,
                    io.cohort.registry.wire.RegistryMessage.newBuilder()
                            .setVersion(1)
                            .setDelta(io.cohort.registry.wire.Delta.newBuilder()
                                    .addEntries(io.cohort.registry.wire.Entry.newBuilder()
                                            .setName("")
                                            .setCounter(0)))
                            .build()
                            .toByteArray(),
                    now);
        });
        sim.runFor(Duration.ofMillis(10));
        assertThat(sim.node("n1").metrics().count("registry.dropped", "registry", "r", "reason", "malformed"))
                .isEqualTo(2);
        assertThat(sim.node("n1").metrics().count("registry.dropped", "registry", "r", "reason", "unknown_version"))
                .isEqualTo(1);
        assertThat(reg(sim, "n1").whereis("a")).isEqualTo(a);
        assertThat(agreed(sim)).isTrue();
    }

    @Test
    void hundredThousandNamesConvergeAndANewNodeGetsThemAll() {
        SimCluster sim = cluster(42, 3);
        int names = 100_000;
        sim.execute("n1", RegistryServer.class, (r, now) -> {
            for (int i = 0; i < names; i++) {
                r.register("name-" + i, sim.node("n1").processes().spawn(), null);
            }
        });
        sim.runFor(Duration.ofMillis(1));
        sim.runUntil(
                "all names everywhere",
                () -> reg(sim, "n2").size() == names && reg(sim, "n3").size() == names,
                BOUND);
        sim.addNode("n4");
        sim.runUntil("n4 synced", () -> sim.converged() && reg(sim, "n4").size() == names, BOUND);
        sim.check(() -> assertThat(reg(sim, "n4").whereis("name-77777"))
                .isEqualTo(reg(sim, "n1").whereis("name-77777")));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
