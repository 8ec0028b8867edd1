package io.cohort.node.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three nodes, each its own JVM on loopback, as they run in production: they form one view; SIGKILL of one makes
 * the others install a view without it (its closed sockets are noticed, no timeout involved); a restart of the same
 * name joins as a new incarnation.
 */
class ThreeProcessClusterTest {

    private static final Duration BOUND = Duration.ofSeconds(60);

    private final List<NodeProcess> processes = new ArrayList<>();
    private final Map<String, Integer> ports = new TreeMap<>();

    @AfterEach
    void killEverything() throws InterruptedException {
        for (NodeProcess process : processes) {
            process.kill();
        }
    }

    @Test
    void threeJvmsFormAClusterSurviveAKillAndTakeTheNodeBack() throws Exception {
        List<NodeProcess> started = startFormed("p1", "p2", "p3");
        NodeProcess p1 = started.get(0);
        NodeProcess p2 = started.get(1);
        NodeProcess p3 = started.get(2);
        List<NodeId> ids = List.of(joining(p1), joining(p2), joining(p3));

        NodeId killed = ids.get(1);
        long killedUs = p2.kill();
        for (NodeProcess survivor : List.of(p1, p3)) {
            NodeEvent view = survivor.await(
                    e -> isView(e) && e.timeUs() >= killedUs && !e.members().contains(killed), BOUND);
            assertThat(view.members()).containsExactlyInAnyOrder(ids.get(0), ids.get(2));
        }

        NodeProcess reborn = start("p2");
        NodeId second = joining(reborn);
        assertThat(second.name()).isEqualTo("p2");
        assertThat(second.incarnation()).isGreaterThan(killed.incarnation());
        for (NodeProcess process : List.of(p1, p3, reborn)) {
            NodeEvent view = process.await(e -> isView(e) && e.members().contains(second), BOUND);
            assertThat(view.members()).containsExactlyInAnyOrder(ids.get(0), second, ids.get(2));
        }
    }

    @Test
    void aHungJvmLeavesWithinTheFailureDetectionTimeoutAndMergesBackWhenItResumes() throws Exception {
        List<NodeProcess> started = startFormed("h1", "h2", "h3");
        NodeProcess h1 = started.get(0);
        NodeProcess h2 = started.get(1);
        NodeProcess h3 = started.get(2);
        List<NodeId> ids = List.of(joining(h1), joining(h2), joining(h3));

        NodeId hung = ids.get(2);
        long pausedUs = h3.pause();
        long removedUs = 0;
        for (NodeProcess survivor : List.of(h1, h2)) {
            NodeEvent view = survivor.await(
                    e -> isView(e) && e.timeUs() >= pausedUs && !e.members().contains(hung), BOUND);
            removedUs = Math.max(removedUs, view.timeUs());
        }
        // Reported, not asserted: timing belongs to benchmarks. Defaults: FD_ALL3 3 s + VERIFY_SUSPECT2 0.25 s.
        System.out.printf(java.util.Locale.ROOT, "hung node removed after %d ms%n", (removedUs - pausedUs) / 1000);

        long resumedUs = StandaloneNode.nowUs();
        h3.resume();
        for (NodeProcess process : List.of(h1, h2, h3)) {
            NodeEvent merged = process.await(
                    e -> isView(e) && e.timeUs() >= resumedUs && e.members().size() == 3, BOUND);
            assertThat(merged.members()).containsExactlyInAnyOrderElementsOf(ids); // same incarnation: it never died
        }
    }

    /** Starts one JVM per name and waits until each has installed a view of exactly those nodes. */
    private List<NodeProcess> startFormed(String... names) throws Exception {
        for (String name : names) {
            ports.put(name, freePort());
        }
        List<NodeProcess> started = new ArrayList<>();
        for (String name : names) {
            started.add(start(name));
        }
        List<NodeId> ids = new ArrayList<>();
        for (NodeProcess process : started) {
            ids.add(joining(process));
        }
        for (NodeProcess process : started) {
            process.await(
                    e -> isView(e)
                            && e.members().size() == names.length
                            && e.members().containsAll(ids),
                    BOUND);
        }
        return started;
    }

    private NodeProcess start(String name) throws IOException {
        String seeds = String.join(
                ",", ports.values().stream().map(p -> "127.0.0.1:" + p).toList());
        Map<String, String> env = Map.of(
                "COHORT_NODE_NAME",
                name,
                "COHORT_CLUSTER",
                "three-process-test-" + ProcessHandle.current().pid(),
                "COHORT_BIND_ADDRESS",
                "127.0.0.1",
                "COHORT_BIND_PORT",
                Integer.toString(ports.get(name)),
                "COHORT_PORT_RANGE",
                "0",
                "COHORT_SEEDS",
                seeds);
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        NodeProcess process = NodeProcess.start(
                name,
                classpath,
                StandaloneNode.class.getName(),
                List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true"),
                env,
                event -> {});
        processes.add(process);
        return process;
    }

    private static NodeId joining(NodeProcess process) throws InterruptedException {
        return process.await(e -> e.kind().equals("joining"), BOUND).node();
    }

    private static boolean isView(NodeEvent event) {
        return event.kind().equals("view");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
