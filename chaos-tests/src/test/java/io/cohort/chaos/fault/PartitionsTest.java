package io.cohort.chaos.fault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class PartitionsTest {

    private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

    private static Set<String> reachableFrom(Fault.Partition partition, String node) {
        Set<String> reach = new TreeSet<>();
        for (String other : FIVE) {
            if (other.equals(node) || !partition.blocked().contains(new Link(node, other))) {
                reach.add(other);
            }
        }
        return reach;
    }

    @Test
    void isolateCutsOneNodeBothWays() {
        Fault.Partition p = Partitions.isolate(FIVE, "n3");
        assertThat(p.blocked()).hasSize(8).contains(new Link("n3", "n1"), new Link("n1", "n3"));
        assertThat(reachableFrom(p, "n3")).containsExactly("n3");
        assertThat(reachableFrom(p, "n1")).containsExactly("n1", "n2", "n4", "n5");
    }

    @Test
    void bridgeKeepsTheMiddleNodeConnectedToBothHalves() {
        Fault.Partition p = Partitions.bridge(FIVE);
        assertThat(reachableFrom(p, "n3")).containsExactlyElementsOf(FIVE);
        assertThat(reachableFrom(p, "n1")).containsExactly("n1", "n2", "n3");
        assertThat(reachableFrom(p, "n5")).containsExactly("n3", "n4", "n5");
    }

    @Test
    void majorityRingGivesEveryNodeADifferentMajority() {
        Fault.Partition p = Partitions.majorityRing(FIVE);
        Set<Set<String>> views = new HashSet<>();
        for (String node : FIVE) {
            Set<String> reach = reachableFrom(p, node);
            assertThat(reach).hasSize(3);
            views.add(reach);
        }
        assertThat(views).hasSize(5);
        assertThat(p.blocked()).allMatch(link -> p.blocked().contains(link.reversed()));
    }

    @Test
    void oneWayCutsOnlyOneDirection() {
        Fault.Partition p = Partitions.oneWay(List.of("n1"), List.of("n2", "n3"));
        assertThat(p.blocked()).containsExactly(new Link("n1", "n2"), new Link("n1", "n3"));
    }

    @Test
    void halvesSplitSymmetrically() {
        Fault.Partition p = Partitions.halves(FIVE);
        assertThat(reachableFrom(p, "n1")).containsExactly("n1", "n2");
        assertThat(reachableFrom(p, "n4")).containsExactly("n3", "n4", "n5");
    }

    @Test
    void networkStateKeepsCutsLossAndSlownessApart() {
        NetworkState state = NetworkState.HEALTHY
                .after(Partitions.isolate(FIVE, "n1"))
                .after(new Fault.Lossy(new TreeSet<>(List.of(new Link("n2", "n3"))), 0.25))
                .after(new Fault.Slow("n4"));
        assertThat(state.droppedAt("n2")).containsExactly("n1");
        assertThat(state.lossyAt("n3")).containsEntry("n2", 0.25);
        assertThat(state.isSlow("n4")).isTrue();
        NetworkState healed = state.after(new Fault.Heal());
        assertThat(healed.droppedAt("n2")).isEmpty();
        assertThat(healed.lossyAt("n3")).isNotEmpty();
        assertThat(healed.after(new Fault.ClearLinks()).isHealthy()).isTrue();
        assertThat(state.after(new Fault.Kill("n1"))).isEqualTo(state);
    }
}
