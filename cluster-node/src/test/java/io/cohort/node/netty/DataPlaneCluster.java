package io.cohort.node.netty;

import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.jgroups.JGroupsControlPlane;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.tools.LoopbackNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Real nodes (JGroups membership, Netty data plane) on 127.0.0.1 for one test, with free ports and a cluster name of
 * their own, closed together afterwards. Keeps each node's control plane so a test can make a node leave the view
 * while its processes stay alive — what its peers see when it is killed or cut off.
 */
final class DataPlaneCluster implements AutoCloseable {

    static final Duration BOUND = Duration.ofSeconds(20);

    private static final NodeConfig.Timing TIMING = new NodeConfig.Timing(
            NodeConfig.Timing.DEFAULT.fdTimeout(),
            NodeConfig.Timing.DEFAULT.fdInterval(),
            NodeConfig.Timing.DEFAULT.verifySuspectTimeout(),
            NodeConfig.Timing.DEFAULT.mergeMinInterval(),
            NodeConfig.Timing.DEFAULT.mergeMaxInterval(),
            Duration.ofMillis(800));

    private final String clusterName;
    private final List<Integer> ports;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final Map<NodeId, ControlPlane> controlPlanes = new ConcurrentHashMap<>();

    DataPlaneCluster(String clusterName, int size) {
        this.clusterName = clusterName + "-" + ProcessHandle.current().pid();
        this.ports = freePorts(size);
    }

    String clusterName() {
        return clusterName;
    }

    NodeConfig.Builder config(int index) {
        return NodeConfig.builder()
                .nodeName("n" + index)
                .clusterName(clusterName)
                .bindAddress("127.0.0.1")
                .bindPort(ports.get(index))
                .portRange(0)
                .seeds(ports.stream().map(p -> new Seed("127.0.0.1", p)).toList())
                .timing(TIMING)
                .dataPort(0);
    }

    /** Starts nodes 0..n-1 one after another and waits until every one sees all of them. */
    List<Node> startAll(UnaryOperator<NodeConfig.Builder> tweak) throws Exception {
        List<Node> started = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            started.add(start(tweak.apply(config(i)).build()));
        }
        awaitViews(started);
        return started;
    }

    Node start(NodeConfig config) throws Exception {
        Node node = Node.builder(config)
                .controlPlane((nodeConfig, metrics, attributes) -> {
                    JGroupsControlPlane plane = JGroupsControlPlane.builder(nodeConfig)
                            .metrics(metrics)
                            .attributes(attributes)
                            .build();
                    controlPlanes.put(plane.self(), plane);
                    return plane;
                })
                .build();
        nodes.add(node);
        return node.start();
    }

    static void awaitViews(List<Node> nodes) {
        await().atMost(BOUND)
                .until(() -> nodes.stream()
                        .allMatch(n -> n.view() != null && n.view().size() == nodes.size()));
    }

    /** Takes {@code node} out of the membership as a crash would, leaving its processes running. */
    void cutOff(Node node) {
        controlPlanes.get(node.self()).close();
    }

    static long counter(Node node, String name, String... tags) {
        return node.meterRegistry().find(name).tags(tags).counters().stream()
                .mapToLong(c -> (long) c.count())
                .sum();
    }

    @Override
    public void close() {
        for (Node node : nodes) {
            node.close();
        }
    }

    static List<Integer> freePorts(int count) {
        return LoopbackNodes.reservePorts(count);
    }
}
