package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** pg on three real nodes in one JVM: JGroups membership on loopback, real processes, the public facade. */
class PgRealNodesTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    private final List<Node> nodes = new ArrayList<>();
    private final List<ProcessGroups> groups = new ArrayList<>();
    private final CountDownLatch forever = new CountDownLatch(1);

    @AfterEach
    void close() {
        forever.countDown();
        nodes.forEach(Node::close);
    }

    private void startNodes(int count) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(freePort());
        }
        List<Seed> seeds = ports.stream().map(p -> new Seed("127.0.0.1", p)).toList();
        String cluster = "pg-real-" + ProcessHandle.current().pid();
        for (int i = 0; i < count; i++) {
            PgScope scope = new PgScope("s");
            Node node = Node.builder(NodeConfig.builder()
                            .nodeName("p" + (i + 1))
                            .clusterName(cluster)
                            .bindPort(ports.get(i))
                            .portRange(0)
                            .seeds(seeds)
                            .build())
                    .component(scope)
                    .start();
            nodes.add(node);
            groups.add(new ProcessGroups(node, scope));
        }
        await().atMost(BOUND).until(() -> nodes.stream().allMatch(n -> n.view().size() == count));
    }

    private Pid spawnIdle(int node) {
        return nodes.get(node).processes().spawn(self -> forever.await());
    }

    @Test
    void threeNodesShareMembershipAndForgetAClosedNodesMembers() throws Exception {
        startNodes(3);
        Pid a = spawnIdle(0);
        Pid b = spawnIdle(1);
        Pid c = spawnIdle(2);
        groups.get(0).join("room", a);
        groups.get(1).join("room", b, b);
        groups.get(2).join("room", c);
        await().atMost(BOUND)
                .until(() -> groups.stream().allMatch(g -> g.members("room").size() == 4));
        assertThat(groups.get(2).members("room")).containsExactlyInAnyOrder(a, b, b, c);
        assertThat(groups.get(1).localMembers("room")).containsExactly(b, b);

        assertThat(groups.get(1).leave("room", b)).isEqualTo(LeaveResult.LEFT);
        assertThat(groups.get(1).leave("elsewhere", b)).isEqualTo(LeaveResult.NOT_JOINED);
        nodes.get(0).processes().exit(a, a, io.cohort.node.process.ExitReason.KILLED);
        await().atMost(BOUND).until(() -> groups.get(2).members("room").size() == 2);
        assertThat(groups.get(2).members("room")).containsExactlyInAnyOrder(b, c);

        nodes.get(1).close(); // b's node leaves: its members vanish everywhere else
        await().atMost(BOUND).until(() -> groups.get(0).members("room").equals(List.of(c)));
        assertThat(groups.get(2).members("room")).containsExactly(c);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
