package io.cohort.node.jgroups;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.driver.MicrometerMetrics;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.tools.LoopbackNodes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Starts control planes on 127.0.0.1 for one test and closes them all afterwards. Each instance takes its own free
 * ports, so test classes never share a cluster by accident.
 */
final class TestNodes implements AutoCloseable {

    /** Timing for tests: the production defaults except a shorter join wait, so a first node starts quickly. */
    static final NodeConfig.Timing TIMING = new NodeConfig.Timing(
            NodeConfig.Timing.DEFAULT.fdTimeout(),
            NodeConfig.Timing.DEFAULT.fdInterval(),
            NodeConfig.Timing.DEFAULT.verifySuspectTimeout(),
            NodeConfig.Timing.DEFAULT.mergeMinInterval(),
            NodeConfig.Timing.DEFAULT.mergeMaxInterval(),
            Duration.ofMillis(800));

    private final String clusterName;
    private final List<Integer> ports;
    private final List<Node> started = new CopyOnWriteArrayList<>();

    TestNodes(String clusterName, int portCount) {
        this.clusterName = clusterName;
        this.ports = freePorts(portCount);
    }

    List<Integer> ports() {
        return ports;
    }

    List<Seed> seeds() {
        return ports.stream().map(p -> new Seed("127.0.0.1", p)).toList();
    }

    NodeConfig.Builder config(String name, int portIndex) {
        return NodeConfig.builder()
                .nodeName(name)
                .clusterName(clusterName)
                .bindAddress("127.0.0.1")
                .bindPort(ports.get(portIndex))
                .portRange(0)
                .seeds(seeds())
                .timing(TIMING);
    }

    Node start(String name, int portIndex) throws Exception {
        return start(name, portIndex, UnaryOperator.identity(), false);
    }

    Node start(String name, int portIndex, UnaryOperator<NodeConfig.Builder> tweak, boolean faults) throws Exception {
        NodeConfig config = tweak.apply(config(name, portIndex)).build();
        MicrometerMetrics metrics = new MicrometerMetrics(new SimpleMeterRegistry());
        JGroupsControlPlane plane = JGroupsControlPlane.builder(config)
                .metrics(metrics)
                .attributes(Map.of("data.host", "127.0.0.1", "data.port", String.valueOf(9000 + portIndex)))
                .faultInjection(faults)
                .build();
        Node node = new Node(plane, metrics);
        started.add(node);
        plane.start(node);
        return node;
    }

    @Override
    public void close() {
        for (Node node : started) {
            node.plane.close();
        }
    }

    static List<Integer> freePorts(int count) {
        return LoopbackNodes.reservePorts(count);
    }

    /** One started control plane and everything its listener saw, with arrival times. */
    static final class Node implements ControlPlane.Listener {
        final JGroupsControlPlane plane;
        final MicrometerMetrics metrics;
        final List<MembershipView> views = new CopyOnWriteArrayList<>();
        final List<Long> viewArrivalNs = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Received> messages = new ConcurrentLinkedQueue<>();

        record Received(NodeId from, String component, byte[] payload) {}

        Node(JGroupsControlPlane plane, MicrometerMetrics metrics) {
            this.plane = plane;
            this.metrics = metrics;
        }

        NodeId id() {
            return plane.self();
        }

        MembershipView view() {
            return plane.view();
        }

        @Override
        public void onView(MembershipView view) {
            viewArrivalNs.add(System.nanoTime());
            views.add(view);
        }

        @Override
        public void onMessage(NodeId from, String component, byte[] payload) {
            messages.add(new Received(from, component, payload));
        }

        long counter(String name, String... tags) {
            var search = metrics.registry().find(name).tags(tags);
            return search.counters().stream().mapToLong(c -> (long) c.count()).sum();
        }

        @Override
        public String toString() {
            return plane.self().toString();
        }
    }
}
