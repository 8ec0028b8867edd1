package io.cohort.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.NodeContext;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The quick tour of README.md, run: keep the two in step. */
class ReadmeExamplesTest {

    @Test
    void aNodeJoinsAndReportsItsView() throws Exception {
        int port = freePort();
        List<MembershipView.Change> changes = new CopyOnWriteArrayList<>();
        // README: "A node joins the cluster named in its configuration" (ports chosen free here).
        NodeConfig config = NodeConfig.builder()
                .nodeName("orders-1")
                .bindPort(port)
                .seeds(List.of(Seed.parse("127.0.0.1:" + port)))
                .build();
        try (Node node = Node.builder(config).onViewChange(changes::add).start()) {
            assertThat(node.view().members()).containsExactly(node.self());
            assertThat(changes).hasSize(1);
            assertThat(changes.get(0).joined()).containsExactly(node.self());
        }
    }

    @Test
    void aComponentSurvivesAPartitionInTheSimulator() {
        long seed = 4;
        // README: "the same component runs on a real node or in SimCluster".
        SimCluster sim = SimCluster.start(SimConfig.lossy(seed), 5, id -> List.of(new MyProtocol()));
        sim.runUntil("one view", sim::converged, Duration.ofSeconds(5));
        sim.partition(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
        sim.runFor(Duration.ofSeconds(10));
        assertThat(sim.node("n1").view().size()).isEqualTo(2);
        sim.heal();
        sim.runUntil("healed", sim::converged, Duration.ofSeconds(10));
        assertThat(sim.node("n5").component(MyProtocol.class).views).isGreaterThanOrEqualTo(3);
    }

    /** The smallest component: counts the views it sees. */
    static final class MyProtocol implements Component {
        int views;

        @Override
        public String name() {
            return "my-protocol";
        }

        @Override
        public void onStart(NodeContext context, long nowNs) {}

        @Override
        public void onView(MembershipView view, long nowNs) {
            views++;
        }

        @Override
        public void onMessage(NodeId from, byte[] payload, long nowNs) {}
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
