package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.control.wire.View;
import io.cohort.chaos.fault.Fault;
import io.cohort.chaos.fault.Link;
import io.cohort.chaos.fault.Partitions;
import io.cohort.chaos.junit.WithChaosCluster;
import io.cohort.node.NodeId;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault API on three real node containers: each fault has the effect on membership it should, and the cluster
 * comes back to one view after it is undone. The tests share one cluster and leave it healthy for the next.
 */
@WithChaosCluster(nodes = 3)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosClusterIT {

    private static final Duration BOUND = Duration.ofSeconds(60);

    @Test
    @Order(1)
    void killedNodeLeavesTheViewAndRestartsAsANewIncarnation(ChaosCluster cluster) throws Exception {
        NodeId before = cluster.node("n2").nodeId().orElseThrow();
        cluster.kill("n2");
        cluster.awaitConverged(BOUND); // n1 and n3 agree on a view of the two of them
        assertThat(cluster.views().keySet()).containsExactly("n1", "n3");

        NodeId after = cluster.restart("n2");
        assertThat(after.name()).isEqualTo("n2");
        assertThat(after).isNotEqualTo(before);
        cluster.awaitConverged(BOUND);
        assertThat(cluster.views().get("n1").getMembersList()).contains(after.toString());
    }

    @Test
    @Order(2)
    void pausedNodeIsExcludedAndMergesBackOnResume(ChaosCluster cluster) throws Exception {
        NodeId paused = cluster.node("n3").nodeId().orElseThrow();
        cluster.pause("n3");
        awaitViewWithout(cluster, "n1", paused);
        cluster.resume("n3");
        cluster.awaitConverged(BOUND);
        assertThat(cluster.views().get("n3").getMembersList()).hasSize(3);
    }

    @Test
    @Order(3)
    void isolatedNodeSplitsOffAndHealedClusterMerges(ChaosCluster cluster) throws Exception {
        NodeId isolated = cluster.node("n1").nodeId().orElseThrow();
        cluster.partition(Partitions.isolate(cluster.nodeNames(), "n1"));
        awaitViewWithout(cluster, "n2", isolated);
        cluster.heal();
        cluster.awaitConverged(BOUND);
        assertThat(cluster.views().values()).extracting(View::getMembersCount).containsOnly(3);
    }

    @Test
    @Order(4)
    void slowAndLossyLinksAreAppliedAndCleared(ChaosCluster cluster) throws Exception {
        String how = cluster.slow("n2");
        assertThat(how).isIn("slow=netem", "slow=tbf");
        cluster.lossy(new Fault.Lossy(new TreeSet<>(List.of(new Link("n1", "n3"), new Link("n3", "n1"))), 0.3));
        assertThat(cluster.network().lossyAt("n3")).containsEntry("n1", 0.3);
        cluster.clearLinks();
        assertThat(cluster.network().isHealthy()).isTrue();
        cluster.awaitConverged(BOUND);
    }

    private static void awaitViewWithout(ChaosCluster cluster, String observer, NodeId gone) throws Exception {
        org.awaitility.Awaitility.await()
                .atMost(BOUND)
                .pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Map<String, View> views = cluster.views();
                    View view = views.get(observer);
                    return view != null && !List.copyOf(view.getMembersList()).contains(gone.toString());
                });
    }
}
