package io.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.jgroups.JGroupsControlPlane;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.tools.LoopbackNodes;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryServer;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor on three real nodes in one JVM: JGroups membership on loopback, Netty between processes. */
class SupervisorRealNodesTest {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final Duration CALL = Duration.ofSeconds(5);

    private final List<Node> nodes = new ArrayList<>();
    private final List<DistributedSupervisor> supervisors = new ArrayList<>();
    private final List<JGroupsControlPlane> planes = new ArrayList<>();
    /** When set, each node's supervisor is durable, its store in a directory named after the node. */
    private Path durableIn;

    @AfterEach
    void close() {
        nodes.forEach(Node::close);
    }

    /** A counter that hands its count to its next incarnation on planned moves and starts from its args otherwise. */
    static final class Counter implements Server<Integer>, Handoff<Integer> {
        private final ChildStart start;

        Counter(ChildStart start) {
            this.start = start;
        }

        @Override
        public Next<Integer> init(ServerContext context) {
            byte[] handed = start.handoffState();
            return Next.state(handed == null ? 0 : ByteBuffer.wrap(handed).getInt());
        }

        @Override
        public Next<Integer> handleCall(Object request, ServerContext.From from, Integer count, ServerContext c) {
            return switch ((String) request) {
                case "inc" -> Next.reply(count + 1, count + 1);
                case "token" -> Next.reply(start.token(), count);
                case "node" -> Next.reply(start.node().name(), count);
                default -> Next.reply(count, count);
            };
        }

        @Override
        public byte[] handOff(Integer count) {
            return ByteBuffer.allocate(4).putInt(count).array();
        }
    }

    private void startNodes(int count, SupervisorServer.Options options) throws Exception {
        for (NodeConfig nodeConfig : LoopbackNodes.configs("sup-real", "s", count)) {
            ChildKinds kinds = new ChildKinds()
                    .register("counter", Counter::new)
                    .register("crasher", start -> {
                        throw new IllegalStateException("cannot start");
                    });
            RegistryServer names = new RegistryServer("jobs");
            SupervisorServer jobs = new SupervisorServer("jobs", options);
            if (durableIn != null) {
                jobs.durable(SpecStore.inDirectory(durableIn.resolve(nodeConfig.nodeName()), "jobs"));
            }
            Node node = Node.builder(nodeConfig)
                    .component(names)
                    .component(jobs)
                    .controlPlane((config, metrics, attributes) -> {
                        JGroupsControlPlane plane = JGroupsControlPlane.builder(config)
                                .metrics(metrics)
                                .attributes(attributes)
                                .faultInjection(true)
                                .build();
                        planes.add(plane);
                        return plane;
                    })
                    .start();
            nodes.add(node);
            supervisors.add(new DistributedSupervisor(node, jobs, new Registry(node, names), kinds));
        }
        await().atMost(BOUND).until(() -> nodes.stream().allMatch(n -> n.view().size() == count));
    }

    private void startCounters(DistributedSupervisor from, int count) {
        for (int i = 0; i < count; i++) {
            assertThat(from.startChild(ChildSpec.of("c" + i, "counter", null)))
                    .isEqualTo(new SupervisorServer.StartResult.Started("c" + i));
        }
    }

    /** Where each child runs according to the node itself (its own children), over the open nodes. */
    private Map<String, List<NodeId>> runningByOwnAccount() {
        Map<String, List<NodeId>> running = new TreeMap<>();
        for (DistributedSupervisor supervisor : supervisors) {
            if (supervisor.node().isClosed()) {
                continue;
            }
            for (ChildInfo child : supervisor.whichChildren()) {
                if (child.status() == ChildInfo.Status.RUNNING
                        && supervisor.node().self().equals(child.node())) {
                    running.computeIfAbsent(child.id(), k -> new ArrayList<>()).add(child.node());
                }
            }
        }
        return running;
    }

    private boolean allResolveEverywhere(int count) {
        for (DistributedSupervisor supervisor : supervisors) {
            if (supervisor.node().isClosed()) {
                continue;
            }
            for (int i = 0; i < count; i++) {
                if (supervisor.whereis("c" + i) == null) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void durableChildrenComeBackAfterTheWholeClusterRestarts(@TempDir Path stores) throws Exception {
        durableIn = stores;
        SupervisorServer.Options options = SupervisorServer.Options.defaults().withMembers(Set.of("s1", "s2", "s3"));
        startNodes(3, options);
        startCounters(supervisors.get(0), 10);
        await().atMost(BOUND).until(() -> allResolveEverywhere(10));
        assertThat(supervisors.get(1).terminateChild("c9")).isTrue();
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 9);
        nodes.forEach(Node::close); // a graceful stop saves; so does the timer after each change
        nodes.clear();
        supervisors.clear();
        for (String node : List.of("s1", "s2", "s3")) {
            assertThat(stores.resolve(node).resolve("jobs.specs")).isNotEmptyFile();
        }

        startNodes(3, options); // new incarnations on new ports, the same stores
        await().atMost(BOUND).until(() -> allResolveEverywhere(9));
        Map<String, List<NodeId>> running = runningByOwnAccount();
        assertThat(running).as("every child but the terminated one, once each").hasSize(9);
        assertThat(running.values()).allSatisfy(where -> assertThat(where).hasSize(1));
        assertThat(supervisors.get(2).whereis("c9")).isNull();
        assertThat(supervisors.get(2).countChildren().specs()).isEqualTo(9);
    }

    @Test
    void childrenRunOnceResolveEverywhereAndComeBackAfterTheirNodeGoes() throws Exception {
        startNodes(3, SupervisorServer.Options.defaults());
        startCounters(supervisors.get(2), 30);
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        assertThat(runningByOwnAccount().values())
                .allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        Set<NodeId> used =
                runningByOwnAccount().values().stream().flatMap(List::stream).collect(Collectors.toSet());
        assertThat(used).as("spread over the nodes").hasSize(3);
        assertThat(supervisors.get(0).call("c7", "inc", CALL)).isEqualTo(1);
        assertThat(supervisors.get(1).countChildren().specs()).isEqualTo(30);

        NodeId lost = nodes.get(0).self();
        List<String> onLost = runningByOwnAccount().entrySet().stream()
                .filter(e -> e.getValue().contains(lost))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(onLost).isNotEmpty();
        nodes.get(0).close(); // not a graceful leave for the supervisor: its children come back from the specs
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        assertThat(runningByOwnAccount().values())
                .allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        for (String id : onLost) {
            assertThat(supervisors.get(2).call(id, "node", CALL)).isNotEqualTo(lost.name());
        }
    }

    @Test
    void aGracefulLeaveHandsEachChildsStateToItsNextIncarnation() throws Exception {
        startNodes(3, SupervisorServer.Options.defaults());
        startCounters(supervisors.get(1), 20);
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 20 && allResolveEverywhere(20));
        for (int i = 0; i < 20; i++) {
            for (int n = 0; n <= i % 3; n++) {
                supervisors.get(2).call("c" + i, "inc", CALL);
            }
        }
        NodeId leaver = nodes.get(0).self();
        Map<String, Long> tokens = new TreeMap<>();
        for (int i = 0; i < 20; i++) {
            tokens.put("c" + i, (Long) supervisors.get(1).call("c" + i, "token", CALL));
        }
        assertThat(nodes.get(0).leave(BOUND))
                .as("every child moved before the node left")
                .isTrue();
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 20 && allResolveEverywhere(20));
        for (int i = 0; i < 20; i++) {
            String id = "c" + i;
            assertThat(supervisors.get(1).call(id, "get", CALL))
                    .as("count of %s", id)
                    .isEqualTo(1 + i % 3);
            assertThat(supervisors.get(1).call(id, "node", CALL)).isNotEqualTo(leaver.name());
            assertThat((Long) supervisors.get(2).call(id, "token", CALL)).isGreaterThanOrEqualTo(tokens.get(id));
        }
    }

    @Test
    void aChildThatCannotStartIsMarkedFailedAndItsSiblingsRun() throws Exception {
        startNodes(3, SupervisorServer.Options.defaults());
        startCounters(supervisors.get(0), 10);
        supervisors
                .get(0)
                .startChild(ChildSpec.of("bad", "crasher", null)
                        .withIntensity(new ChildSpec.Intensity(
                                2, Duration.ofSeconds(10), Duration.ofMillis(1), Duration.ofMillis(5))));
        await().atMost(BOUND)
                .until(() -> supervisors.stream()
                        .allMatch(s -> s.whichChildren().stream()
                                .anyMatch(c -> c.id().equals("bad") && c.status() == ChildInfo.Status.FAILED)));
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 10 && allResolveEverywhere(10));
        assertThat(supervisors.get(2).countChildren().failed()).isEqualTo(1);
    }

    @Test
    void underQuorumACutOffNodeStopsItsChildrenAndTheMajorityRunsThemOnce() throws Exception {
        startNodes(3, SupervisorServer.Options.defaults());
        startCounters(supervisors.get(1), 30);
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        NodeId cut = nodes.get(0).self();
        planes.get(0).isolateFrom(List.of(nodes.get(1).self(), nodes.get(2).self()));
        planes.get(1).isolateFrom(List.of(cut));
        planes.get(2).isolateFrom(List.of(cut));
        // The lease (1.5 s) runs out before failure detection (3 s) excludes anyone: the cut-off node's children stop
        // while it still holds the old view, so the majority, restarting them after its own view, never overlaps.
        await().atMost(BOUND)
                .until(() -> supervisors.get(0).countChildren().local() == 0
                        || nodes.get(0).view().size() < 3);
        assertThat(nodes.get(0).view().size())
                .as("the cut-off node stopped its children before its view changed")
                .isEqualTo(3);
        assertThat(nodes.get(0)
                        .meterRegistry()
                        .counter("supervisor.lease.lost", "supervisor", "jobs")
                        .count())
                .isEqualTo(1.0);
        await().atMost(BOUND)
                .until(() -> nodes.get(0).view().size() == 1
                        && nodes.get(1).view().size() == 2
                        && nodes.get(2).view().size() == 2);
        await().atMost(BOUND)
                .until(() -> supervisors.get(0).countChildren().local() == 0
                        && supervisors.get(1).countChildren().local()
                                        + supervisors.get(2).countChildren().local()
                                == 30);
        planes.forEach(JGroupsControlPlane::heal);
        await().atMost(BOUND).until(() -> nodes.stream().allMatch(n -> n.view().size() == 3));
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        assertThat(runningByOwnAccount().values())
                .allSatisfy(nodes -> assertThat(nodes).hasSize(1));
        assertThat(supervisors.get(0).countChildren().local()
                        + supervisors.get(1).countChildren().local()
                        + supervisors.get(2).countChildren().local())
                .isEqualTo(30);
    }

    private void cutOff(int index) {
        List<NodeId> others = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            if (i != index) {
                others.add(nodes.get(i).self());
                planes.get(i).isolateFrom(List.of(nodes.get(index).self()));
            }
        }
        planes.get(index).isolateFrom(others);
    }

    @Test
    void underAvailableBothSidesRunAndTheHealKeepsOneCopyEach() throws Exception {
        startNodes(
                3, SupervisorServer.Options.defaults().withPartitionPolicy(SupervisorServer.PartitionPolicy.AVAILABLE));
        startCounters(supervisors.get(1), 30);
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        cutOff(0);
        await().atMost(BOUND)
                .until(() -> supervisors.get(0).countChildren().local() == 30
                        && supervisors.get(1).countChildren().local()
                                        + supervisors.get(2).countChildren().local()
                                == 30);
        planes.forEach(JGroupsControlPlane::heal);
        await().atMost(BOUND).until(() -> nodes.stream().allMatch(n -> n.view().size() == 3));
        await().atMost(BOUND)
                .until(() -> runningByOwnAccount().size() == 30
                        && runningByOwnAccount().values().stream().allMatch(where -> where.size() == 1)
                        && allResolveEverywhere(30));
    }

    @Test
    void aFlappingNodeLeavesEveryChildRunningOnceAndItsTokensGrowing() throws Exception {
        startNodes(3, SupervisorServer.Options.defaults());
        startCounters(supervisors.get(2), 30);
        await().atMost(BOUND).until(() -> runningByOwnAccount().size() == 30 && allResolveEverywhere(30));
        Map<String, Long> before = tokens();
        List<String> onFlapper = runningByOwnAccount().entrySet().stream()
                .filter(e -> e.getValue().contains(nodes.get(0).self()))
                .map(Map.Entry::getKey)
                .toList();
        assertThat(onFlapper).as("the flapping node runs some children").isNotEmpty();
        for (int flap = 0; flap < 3; flap++) { // bounded: three cuts, each healed
            cutOff(0);
            await().atMost(BOUND)
                    .until(() -> nodes.get(1).view().size() == 2
                            && nodes.get(2).view().size() == 2);
            planes.forEach(JGroupsControlPlane::heal);
            await().atMost(BOUND)
                    .until(() -> nodes.stream().allMatch(n -> n.view().size() == 3));
        }
        await().atMost(BOUND)
                .until(() -> runningByOwnAccount().size() == 30
                        && runningByOwnAccount().values().stream().allMatch(where -> where.size() == 1)
                        && allResolveEverywhere(30));
        Map<String, Long> after = tokens();
        for (String id : before.keySet()) {
            if (onFlapper.contains(id)) {
                assertThat(after.get(id))
                        .as("%s ran again elsewhere, under a larger token", id)
                        .isGreaterThan(before.get(id));
            } else {
                assertThat(after.get(id)).as("%s never moved", id).isEqualTo(before.get(id));
            }
        }
        assertThat(supervisors.get(0).whichChildren())
                .allSatisfy(child -> assertThat(child.token()).isEqualTo(after.get(child.id())));
    }

    /** Each counter's fencing token, as the incarnation itself reports it. */
    private Map<String, Long> tokens() {
        Map<String, Long> tokens = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            tokens.put("c" + i, ((Number) supervisors.get(1).call("c" + i, "token", CALL)).longValue());
        }
        return tokens;
    }
}
