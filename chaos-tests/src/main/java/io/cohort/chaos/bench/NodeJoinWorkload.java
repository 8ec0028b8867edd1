package io.cohort.chaos.bench;

import io.cohort.chaos.cli.LocalCluster;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@code node_join}: three node processes on loopback; a fourth joins (time from its {@code joining} event to every
 * node holding the four-member view), then is killed with SIGKILL (time from the kill to every survivor holding a
 * view without it). Repeated {@code ROUNDS} times; the median and the worst are reported. Last, one SIGSTOP of the
 * fourth node: time until every survivor holds a view without it ({@code node_hang_detect_ms}).
 */
final class NodeJoinWorkload implements Workload {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final List<String> BASE = List.of("a", "b", "c");
    private static final List<String> ALL = List.of("a", "b", "c", "d");

    @Override
    public String name() {
        return "node_join";
    }

    @Override
    public String description() {
        return "a fourth node joins three; then it is killed with SIGKILL (node_join_ms, node_crash_detect_ms)";
    }

    @Override
    public List<String> metrics() {
        return List.of(
                "node_join_ms",
                "node_join_max_ms",
                "node_crash_detect_ms",
                "node_crash_detect_max_ms",
                "node_hang_detect_ms");
    }

    @Override
    public void run(Map<String, String> params, Report report) throws Exception {
        int rounds = Integer.parseInt(params.getOrDefault("ROUNDS", "5"));
        List<Double> joins = new ArrayList<>();
        List<Double> detections = new ArrayList<>();
        double hangDetectMs;
        try (LocalCluster cluster = new LocalCluster(ALL, event -> {})) {
            for (String name : BASE) {
                cluster.start(name);
            }
            cluster.awaitView(BASE, BOUND);
            NodeConfig.Timing timing = NodeConfig.Timing.DEFAULT;
            report.note("failure detection: FD_SOCK2 on, FD_ALL3 timeout "
                    + timing.fdTimeout().toMillis()
                    + " ms, interval " + timing.fdInterval().toMillis() + " ms, VERIFY_SUSPECT2 "
                    + timing.verifySuspectTimeout().toMillis() + " ms (NodeConfig defaults)");
            for (int round = 0; round < rounds; round++) {
                cluster.start("d");
                long joiningUs = cluster.process("d")
                        .await(e -> e.kind().equals("joining"), BOUND)
                        .timeUs();
                long joinedUs = cluster.awaitView(ALL, BOUND);
                joins.add((joinedUs - joiningUs) / 1000.0);

                NodeId victim = cluster.idOf("d", BOUND);
                long killedUs = cluster.process("d").kill();
                long detectedUs = cluster.awaitViewWithout(BASE, victim, killedUs, BOUND);
                detections.add((detectedUs - killedUs) / 1000.0);
            }
            // A hung node (SIGSTOP) keeps its sockets open: only the heartbeat timeout finds it.
            cluster.start("d");
            cluster.awaitView(ALL, BOUND);
            NodeId hung = cluster.idOf("d", BOUND);
            long pausedUs = cluster.process("d").pause();
            hangDetectMs = (cluster.awaitViewWithout(BASE, hung, pausedUs, BOUND) - pausedUs) / 1000.0;
            cluster.process("d").kill();
        }
        report.note("rounds=" + rounds + " join_ms=" + joins + " crash_detect_ms=" + detections);
        report.metric("node_join_ms", median(joins), "ms");
        report.metric("node_join_max_ms", Collections.max(joins), "ms");
        report.metric("node_crash_detect_ms", median(detections), "ms");
        report.metric("node_crash_detect_max_ms", Collections.max(detections), "ms");
        report.metric("node_hang_detect_ms", hangDetectMs, "ms");
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
