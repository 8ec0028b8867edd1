package io.cohort.chaos.bench;

import io.cohort.chaos.cli.LocalCluster;
import io.cohort.node.tools.NodeEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code msg_remote}: a sender process on node A, a receiver on node B, separate JVMs on loopback. A first sends
 * {@code WARMUP} messages and waits until neither JVM's JIT has compiled anything for half a second, then the rate is
 * N over the time from A's first timed send to B holding the last message; then A makes {@code CALLS} sequential calls
 * to an echo server on B untimed, waits for the JITs again, and makes as many timed ones for the round-trip
 * percentiles. {@code ROUNDS} rounds (3), each in fresh JVMs; the median of each figure is reported, as one round
 * varies a lot on a 2-core machine (GC and scheduling of four busy threads on two cores).
 */
final class RemoteMessagingWorkload implements Workload {

    private static final Duration BOUND = Duration.ofSeconds(180);

    @Override
    public String name() {
        return "msg_remote";
    }

    @Override
    public String description() {
        return "100-byte messages A -> B and call round trips (msg_remote_rate, msg_call_rtt_p50_us/p99_us)";
    }

    @Override
    public List<String> metrics() {
        return List.of("msg_remote_rate", "msg_call_rtt_p50_us", "msg_call_rtt_p99_us");
    }

    @Override
    public void run(Map<String, String> params, Report report) throws Exception {
        String count = params.getOrDefault("N", "1000000");
        String warmup = params.getOrDefault("WARMUP", count);
        String calls = params.getOrDefault("CALLS", "20000");
        int rounds = Integer.parseInt(params.getOrDefault("ROUNDS", "3"));
        List<Double> rates = new java.util.ArrayList<>();
        List<Double> p50s = new java.util.ArrayList<>();
        List<Double> p99s = new java.util.ArrayList<>();
        List<Double> floorP50s = new java.util.ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            try (LocalCluster cluster = new LocalCluster(List.of("b", "a"), event -> {})) {
                cluster.start(
                        "b", MessagingNode.class.getName(), Map.of("BENCH_ROLE", "sink", "N", count, "WARMUP", warmup));
                NodeEvent pids = cluster.process("b").await(e -> e.fields().containsKey("sink"), BOUND);
                cluster.start(
                        "a",
                        MessagingNode.class.getName(),
                        Map.of(
                                "BENCH_ROLE",
                                "sender",
                                "N",
                                count,
                                "WARMUP",
                                warmup,
                                "CALLS",
                                calls,
                                "SINK_PID",
                                pids.fields().get("sink"),
                                "ECHO_PID",
                                pids.fields().get("echo"),
                                "TCP_ECHO_PORT",
                                pids.fields().get("tcp_echo_port")));
                long startUs = Long.parseLong(cluster.process("a")
                        .await(e -> e.fields().containsKey("send_start_us"), BOUND)
                        .fields()
                        .get("send_start_us"));
                NodeEvent received = cluster.process("b").await(e -> e.fields().containsKey("received"), BOUND);
                NodeEvent rtt = cluster.process("a").await(e -> e.fields().containsKey("rtt_p50_us"), BOUND);
                double rate = Long.parseLong(count) / ((received.timeUs() - startUs) / 1e6);
                report.note("round " + round + ": " + (long) rate + " msgs/s, call p50 "
                        + rtt.fields().get("rtt_p50_us") + " us, p99 "
                        + rtt.fields().get("rtt_p99_us") + " us; plain TCP ping-pong between the same JVMs p50 "
                        + rtt.fields().get("tcp_rtt_p50_us") + " us, p99 "
                        + rtt.fields().get("tcp_rtt_p99_us")
                        + " us");
                floorP50s.add(Double.parseDouble(rtt.fields().get("tcp_rtt_p50_us")));
                rates.add(rate);
                p50s.add(Double.parseDouble(rtt.fields().get("rtt_p50_us")));
                p99s.add(Double.parseDouble(rtt.fields().get("rtt_p99_us")));
            }
        }
        report.note("messages=" + count + " timed after " + warmup + " warm-up messages in the same JVMs, calls="
                + calls + ", payload=100 bytes; each figure is the median of " + rounds
                + " rounds, each in fresh JVMs");
        report.note("floor: a plain blocking TCP ping-pong of 100 bytes between the same two JVMs (no Cohort code) has"
                + " a round trip of p50 " + median(floorP50s) + " us here; a call adds the hand-offs between event"
                + " loops and processes on both nodes");
        report.metric("msg_remote_rate", median(rates), "msgs/s");
        report.metric("msg_call_rtt_p50_us", median(p50s), "us");
        report.metric("msg_call_rtt_p99_us", median(p99s), "us");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
