package io.cohort.node.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimClusterTest {

    private static SimCluster cluster(SimConfig config, int nodes) {
        return SimCluster.start(config, nodes, id -> List.of(new Probe()));
    }

    private static Probe probe(SimCluster sim, String name) {
        return sim.node(name).component(Probe.class);
    }

    @Test
    void nodesStartingTogetherFormOneView() {
        SimSweep.run("form", 1, 20, seed -> {
            SimCluster sim = cluster(SimConfig.defaults(seed), 5);
            sim.runUntil("one view of five", sim::converged, Duration.ofSeconds(2));
            MembershipView view = sim.node("n1").view();
            assertThat(view.members()).hasSize(5);
            for (SimNode node : sim.liveNodes()) {
                assertThat(probe(sim, node.id().name()).last()).isEqualTo(view);
            }
        });
    }

    @Test
    void lossDuplicationAndReorderingAreHiddenByTheChannel() {
        SimSweep.run("lossy fifo", 100, 10, seed -> {
            SimCluster sim = cluster(SimConfig.lossy(seed), 3);
            sim.runUntil("one view", sim::converged, Duration.ofSeconds(5));
            sim.runFor(Duration.ofSeconds(2));
            sim.liveNodes().forEach(node -> probe(sim, node.id().name()).stopSending());
            sim.runFor(Duration.ofSeconds(1));
            sim.check(() -> {
                for (SimNode receiver : sim.liveNodes()) {
                    for (SimNode sender : sim.liveNodes()) {
                        if (sender == receiver) {
                            continue;
                        }
                        List<Long> got =
                                probe(sim, receiver.id().name()).received.get(sender.id());
                        long sent = probe(sim, sender.id().name()).sent();
                        assertThat(got)
                                .as("%s from %s", receiver.id(), sender.id())
                                .isNotEmpty();
                        // Consecutive (nothing lost once connected) and complete up to the last number sent.
                        assertThat(got.get(got.size() - 1)).isEqualTo(sent - 1);
                        assertThat(got.size()).isEqualTo(sent - got.get(0));
                    }
                }
            });
            assertThat(sim.node("n1").metrics().countAllTags("transport.dropped"))
                    .isZero();
        });
    }

    @Test
    void crashedNodeLeavesEveryViewAndComesBackAsANewIncarnation() {
        SimSweep.run("crash/restart", 1, 20, seed -> {
            SimCluster sim = cluster(SimConfig.defaults(seed), 3);
            sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
            NodeId first = sim.node("n2").id();
            sim.crash("n2");
            long crashedAt = sim.nowNs();
            sim.runUntil("survivors drop n2", () -> viewsWithout(sim, first), Duration.ofSeconds(1));
            // Detection is modelled on FD_SOCK2: milliseconds, not the suspicion timeout.
            assertThat(sim.nowNs() - crashedAt).isLessThan(sim.config().suspectTimeoutNs());

            SimNode second = sim.restart("n2");
            assertThat(second.id().incarnation()).isGreaterThan(first.incarnation());
            sim.runUntil("n2 back", sim::converged, Duration.ofSeconds(5));
            assertThat(sim.node("n1").view().members()).contains(second.id()).doesNotContain(first);
        });
    }

    @Test
    void netsplitSplitsTheViewAndHealingMergesIt() {
        SimSweep.run("netsplit", 1, 20, seed -> {
            SimCluster sim = cluster(SimConfig.defaults(seed), 5);
            sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
            sim.partition(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
            sim.runUntil("two sides", () -> sideViews(sim), Duration.ofSeconds(10));

            sim.heal();
            sim.runUntil("merged", sim::converged, Duration.ofSeconds(10));
            MembershipView merged = sim.node("n1").view();
            assertThat(merged.isMerge()).isTrue();
            assertThat(merged.subgroups())
                    .extracting(
                            group -> group.stream().map(NodeId::name).sorted().toList())
                    .containsExactlyInAnyOrder(List.of("n1", "n2"), List.of("n3", "n4", "n5"));
            assertThat(merged.mergedPeersOf(sim.node("n1").id()))
                    .extracting(NodeId::name)
                    .containsExactlyInAnyOrder("n3", "n4", "n5");
        });
    }

    @Test
    void aPartitionShorterThanTheTimeoutChangesNoView() {
        SimCluster sim = cluster(SimConfig.defaults(7), 3);
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
        MembershipView before = sim.node("n1").view();
        sim.partition(Set.of("n1"), Set.of("n2", "n3"));
        sim.runFor(Duration.ofMillis(1_000));
        sim.heal();
        sim.runFor(Duration.ofSeconds(5));
        assertThat(sim.node("n1").view()).isEqualTo(before);
        assertThat(sim.node("n3").view()).isEqualTo(before);
    }

    @Test
    void aOneWayLinkFailureSplitsMembership() {
        SimCluster sim = cluster(SimConfig.defaults(11), 3);
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
        sim.blockOneWay("n1", "n3");
        sim.runUntil(
                "n1 and n3 apart",
                () -> !sim.node("n1").view().contains(sim.node("n3").id())
                        && !sim.node("n3").view().contains(sim.node("n1").id()),
                Duration.ofSeconds(10));
        sim.heal();
        sim.runUntil("merged", sim::converged, Duration.ofSeconds(10));
    }

    @Test
    void aLongPauseExcludesTheNodeWhichMergesBackAfterResuming() {
        SimSweep.run("pause", 1, 10, seed -> {
            SimCluster sim = cluster(SimConfig.defaults(seed), 3);
            sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
            NodeId paused = sim.node("n3").id();
            sim.pause("n3");
            sim.runUntil("n3 excluded", () -> !sim.node("n1").view().contains(paused), Duration.ofSeconds(10));
            assertThat(sim.node("n3").view().contains(sim.node("n1").id()))
                    .as("a paused node installs nothing")
                    .isTrue();
            sim.resume("n3");
            sim.runUntil("merged", sim::converged, Duration.ofSeconds(10));
            assertThat(sim.node("n3").id()).isEqualTo(paused); // same incarnation: it never died
            assertThat(sim.node("n1").view().isMerge()).isTrue();
        });
    }

    @Test
    void aGracefulStopRunsOnStopAndLeavesQuickly() {
        SimCluster sim = cluster(SimConfig.defaults(3), 3);
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
        NodeId leaving = sim.node("n1").id();
        sim.stop("n1");
        long stoppedAt = sim.nowNs();
        sim.runUntil("n1 gone", () -> viewsWithout(sim, leaving), Duration.ofSeconds(1));
        assertThat(sim.nowNs() - stoppedAt).isLessThan(Duration.ofMillis(100).toNanos());
        assertThat(sim.node("n2").view().coordinator().name()).isEqualTo("n2");
    }

    @Test
    void theSameSeedReplaysTheSameRunAndAnotherSeedDoesNot() {
        long first = scriptedRun(42);
        assertThat(scriptedRun(42)).isEqualTo(first);
        assertThat(scriptedRun(43)).isNotEqualTo(first);
    }

    @Test
    void aGoalNotReachedFailsWithTheOneLineRepro() {
        SimCluster sim = cluster(SimConfig.defaults(5), 2);
        assertThatThrownBy(() -> sim.runUntil("never", () -> false, Duration.ofMillis(300)))
                .isInstanceOf(SimulationFailure.class)
                .hasMessageContaining("never")
                .hasMessageContaining("seed=5 nodes=2 ticks=");
        assertThat(sim.nowNs()).isEqualTo(Duration.ofMillis(300).toNanos());
    }

    @Test
    void anInvariantBrokenInsideTheRunCarriesTheRepro() {
        SimCluster sim = cluster(SimConfig.defaults(9), 3);
        sim.addInvariant(() -> {
            if (sim.node("n1").view().size() == 3) {
                throw new AssertionError("three is too many");
            }
        });
        assertThatThrownBy(() -> sim.runFor(Duration.ofSeconds(1)))
                .isInstanceOf(SimulationFailure.class)
                .hasMessageContaining("three is too many")
                .hasMessageContaining("seed=9 nodes=3");
    }

    @Test
    void nodeClocksAreSkewedAndDriftButTimersKeepLocalTime() {
        SimCluster sim = cluster(SimConfig.defaults(21), 3);
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(2));
        SimNode n1 = sim.node("n1");
        SimNode n2 = sim.node("n2");
        assertThat(n1.wallTimeNs()).isNotEqualTo(n2.wallTimeNs());
        assertThat(Math.abs(n1.wallTimeNs() - n2.wallTimeNs()))
                .isLessThanOrEqualTo(2 * sim.config().maxClockSkewNs());
        long localBefore = n1.nowNs();
        long trueBefore = sim.nowNs();
        sim.runFor(Duration.ofSeconds(10));
        long localElapsed = n1.nowNs() - localBefore;
        long trueElapsed = sim.nowNs() - trueBefore;
        assertThat(Math.abs(localElapsed - trueElapsed))
                .isLessThanOrEqualTo(trueElapsed / 1_000_000 * sim.config().maxClockDriftPpm() + 1_000_000);
    }

    /** A fixed script of faults; returns the trace hash at its end. */
    private static long scriptedRun(long seed) {
        SimCluster sim = cluster(SimConfig.lossy(seed), 4);
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(5));
        sim.partition(Set.of("n1"), Set.of("n2", "n3", "n4"));
        sim.runFor(Duration.ofSeconds(5));
        sim.crash("n3");
        sim.runFor(Duration.ofMillis(500));
        sim.restart("n3");
        sim.heal();
        sim.runUntil("merged", sim::converged, Duration.ofSeconds(10));
        return sim.traceHash() ^ sim.ticks();
    }

    private static boolean viewsWithout(SimCluster sim, NodeId gone) {
        return sim.liveNodes().stream().noneMatch(node -> node.view().contains(gone));
    }

    private static boolean sideViews(SimCluster sim) {
        MembershipView left = sim.node("n1").view();
        MembershipView right = sim.node("n3").view();
        return left.size() == 2
                && right.size() == 3
                && sim.node("n2").view().equals(left)
                && sim.node("n4").view().equals(right)
                && sim.node("n5").view().equals(right);
    }
}
