package io.cohort.chaos.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.control.wire.RunningChild;
import io.cohort.chaos.control.wire.SupSnapshot;
import io.cohort.chaos.junit.WithChaosCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Durable supervisor specs in real containers: every node keeps its specs in its own filesystem, all three are killed
 * and started again as new incarnations, and every child runs again exactly once, reachable by name, under a larger
 * fencing token.
 */
@WithChaosCluster(nodes = 3, env = "COHORT_SUPERVISOR_STATE_DIR=/var/lib/cohort")
class DurableSupervisorIT {

    private static final Duration BOUND = Duration.ofSeconds(90);
    private static final Duration CALL = Duration.ofSeconds(5);
    private static final List<String> CHILDREN = List.of("d0", "d1", "d2", "d3", "d4", "d5");

    @Test
    void aRestartOfEveryNodeBringsEveryChildBackOnce(ChaosCluster cluster) throws Exception {
        for (String id : CHILDREN) {
            assertThat(cluster.node("n1").control().supStart(id, CALL)).isEqualTo("started");
        }
        await().atMost(BOUND).until(() -> running(cluster).keySet().containsAll(CHILDREN));
        Map<String, Long> before = new TreeMap<>();
        running(cluster).forEach((id, copies) -> before.put(id, copies.get(0).getToken()));
        await().atMost(BOUND).until(() -> {
            for (ClusterNode node : cluster.nodes()) {
                if (!node.control().supRead(Duration.ZERO, CALL).getSpecsSaved()) {
                    return false;
                }
            }
            return true; // every node has every spec in its store
        });

        for (String node : cluster.nodeNames()) {
            cluster.kill(node);
        }
        for (String node : cluster.nodeNames()) {
            cluster.restart(node); // a new incarnation, the same container filesystem
        }
        cluster.awaitConverged(BOUND);

        await().atMost(BOUND).until(() -> {
            Map<String, List<RunningChild>> now = running(cluster);
            return now.keySet().containsAll(CHILDREN) && now.values().stream().allMatch(copies -> copies.size() == 1);
        });
        Map<String, List<RunningChild>> after = running(cluster);
        for (String id : CHILDREN) {
            assertThat(after.get(id)).as("%s runs once", id).hasSize(1);
            assertThat(after.get(id).get(0).getToken())
                    .as("%s's fencing token grows across the restart of everyone", id)
                    .isGreaterThan(before.get(id));
            for (String node : cluster.nodeNames()) {
                assertThat(cluster.node(node).control().supCall(id, CALL, CALL).getPid())
                        .as("a call to %s by name from %s", id, node)
                        .isEqualTo(after.get(id).get(0).getPid());
            }
        }
    }

    /** Every incarnation running user code, over the running nodes, by child id. */
    private static Map<String, List<RunningChild>> running(ChaosCluster cluster)
            throws ControlClient.CallException, ControlClient.RemoteError {
        Map<String, List<RunningChild>> running = new TreeMap<>();
        for (ClusterNode node : cluster.nodes()) {
            if (node.state() != ClusterNode.State.RUNNING) {
                continue;
            }
            SupSnapshot snapshot = node.control().supRead(Duration.ZERO, CALL);
            for (RunningChild child : snapshot.getRunningList()) {
                running.computeIfAbsent(child.getId(), id -> new ArrayList<>()).add(child);
            }
        }
        return running;
    }
}
