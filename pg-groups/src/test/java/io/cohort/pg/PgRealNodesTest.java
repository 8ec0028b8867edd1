package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.tools.LoopbackNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
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
        for (NodeConfig config : LoopbackNodes.configs("pg-real", "p", count)) {
            PgScope scope = new PgScope("s");
            Node node = Node.builder(config).component(scope).start();
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

    @Test
    void publishReachesEveryMembershipOnceWithOneFramePerRemoteNode() throws Exception {
        startNodes(3);
        Map<Pid, Queue<Object>> inboxes = new ConcurrentHashMap<>();
        List<Pid> onNode0 = List.of(spawnRecording(0, inboxes), spawnRecording(0, inboxes));
        Pid twice = spawnRecording(1, inboxes);
        Pid once = spawnRecording(1, inboxes);
        Pid far = spawnRecording(2, inboxes);
        groups.get(0).join("room", onNode0.toArray(Pid[]::new));
        groups.get(1).join("room", twice, twice, once);
        groups.get(2).join("room", far);
        await().atMost(BOUND).until(() -> groups.get(0).members("room").size() == 6);

        double framesBefore = framesSent(0);
        assertThat(groups.get(0).publish("room", "hello")).isEqualTo(6);
        await().atMost(BOUND)
                .until(() -> inboxes.values().stream().mapToInt(Queue::size).sum() == 6);
        assertThat(inboxes.get(twice)).containsExactly("hello", "hello");
        for (Pid pid : List.of(onNode0.get(0), onNode0.get(1), once, far)) {
            assertThat(inboxes.get(pid)).containsExactly("hello");
        }
        await().atMost(BOUND).until(() -> framesSent(0) >= framesBefore + 2);
        assertThat(framesSent(0)).isEqualTo(framesBefore + 2); // one frame each for nodes 1 and 2

        assertThat(groups.get(1).publishLocal("room", "local")).isEqualTo(3);
        await().atMost(BOUND).until(() -> inboxes.get(once).size() == 2);
        assertThat(inboxes.get(twice)).containsExactly("hello", "hello", "local", "local");
        assertThat(inboxes.get(far)).containsExactly("hello");

        // By key: every node that sees the same members picks the same one.
        for (String key : List.of("order-1", "order-2", "order-3")) {
            Optional<Pid> fromNode0 = groups.get(0).pick("room", Dispatch.byKey(key));
            assertThat(groups.get(2).pick("room", Dispatch.byKey(key))).isEqualTo(fromNode0);
        }
        Optional<Pid> chosen = groups.get(2).dispatch("room", "one", Dispatch.byKey("order-1"));
        assertThat(chosen).isPresent();
        await().atMost(BOUND).until(() -> inboxes.get(chosen.get()).contains("one"));
        assertThat(groups.get(0).dispatch("nobody", "lost", Dispatch.random())).isEmpty();
        assertThat(groups.get(0).publish("nobody", "lost")).isZero();
    }

    @Test
    void aThousandMembersThatExitAllVanishEverywhere() throws Exception {
        startNodes(3);
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            Pid pid = nodes.get(0).processes().spawn(self -> self.receive()); // ends at its first message
            pids.add(pid);
            groups.get(0).join("g" + (i % 10), pid);
            if (i % 4 == 0) {
                groups.get(0).join("g" + ((i + 1) % 10), pid); // some are in two groups
            }
        }
        await().atMost(BOUND).until(() -> total(groups.get(2)) == 1250);
        pids.forEach(pid -> nodes.get(0).processes().send(pid, "exit"));
        await().atMost(BOUND).until(() -> total(groups.get(0)) == 0 && total(groups.get(2)) == 0);
        await().atMost(BOUND).until(() -> groups.get(1).whichGroups().isEmpty());
    }

    private static int total(ProcessGroups groups) {
        int count = 0;
        for (int g = 0; g < 10; g++) {
            count += groups.members("g" + g).size();
        }
        return count;
    }

    private Pid spawnRecording(int node, Map<Pid, Queue<Object>> inboxes) {
        Pid pid = nodes.get(node).processes().spawn(self -> {
            Queue<Object> inbox = inboxes.computeIfAbsent(self.self(), p -> new ConcurrentLinkedQueue<>());
            while (true) {
                inbox.add(self.receive());
            }
        });
        inboxes.computeIfAbsent(pid, p -> new ConcurrentLinkedQueue<>());
        return pid;
    }

    private double framesSent(int node) {
        return nodes.get(node).meterRegistry().get("data.frames.sent").counter().count();
    }
}
