package io.cohort.chaos.bench;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.driver.MicrometerMetrics;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.ProcessTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code msg_local}: one sender process sends N messages to one receiver process on the same node (this JVM), as
 * fast as it can; the rate is N over the time from the first send to the receiver holding the last message. A
 * warm-up run of the same size comes first so the JIT has compiled the send and receive paths.
 */
final class LocalMessagingWorkload implements Workload {

    @Override
    public String name() {
        return "msg_local";
    }

    @Override
    public String description() {
        return "messages between two processes on one node (msg_local_rate)";
    }

    @Override
    public List<String> metrics() {
        return List.of("msg_local_rate");
    }

    @Override
    public void run(Map<String, String> params, Report report) throws Exception {
        int count = Integer.parseInt(params.getOrDefault("N", "2000000"));
        ProcessRuntime runtime = new ProcessRuntime(
                new ProcessTable(new NodeId("bench", 1)), new MicrometerMetrics(new SimpleMeterRegistry()));
        try {
            measure(runtime, count); // warm-up
            long bestNs = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                bestNs = Math.min(bestNs, measure(runtime, count));
            }
            report.note("messages=" + count + " best of 3 rounds after a warm-up; sender and receiver are processes");
            report.metric("msg_local_rate", count / (bestNs / 1e9), "msgs/s");
        } finally {
            runtime.close();
        }
    }

    private static long measure(ProcessRuntime runtime, int count) throws InterruptedException {
        CountDownLatch received = new CountDownLatch(1);
        Pid receiver = runtime.spawn(self -> {
            for (int i = 0; i < count; i++) {
                self.receive();
            }
            received.countDown();
        });
        long[] startNs = new long[1];
        CountDownLatch started = new CountDownLatch(1);
        runtime.spawn(self -> {
            Integer payload = 42;
            startNs[0] = System.nanoTime();
            started.countDown();
            for (int i = 0; i < count; i++) {
                self.send(receiver, payload);
            }
        });
        started.await();
        if (!received.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException("receiver did not get " + count + " messages in 120 s");
        }
        return System.nanoTime() - startNs[0];
    }
}
