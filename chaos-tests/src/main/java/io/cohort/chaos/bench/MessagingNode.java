package io.cohort.chaos.bench;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.process.Next;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.Servers;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.StandaloneNode;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A node process for {@code msg_remote}, in one of two roles ({@code BENCH_ROLE}):
 *
 * <ul>
 *   <li>{@code sink}: a process that counts {@code WARMUP + N} messages and reports when the last arrived, and an echo
 *       server that answers every call with its request; prints both pids;
 *   <li>{@code sender}: sends {@code WARMUP} 100-byte messages to {@code SINK_PID}, makes one call to
 *       {@code ECHO_PID} (which arrives after them), waits for both JITs to be quiet, reports the start, sends
 *       {@code N} more; then makes {@code CALLS} untimed calls to {@code ECHO_PID}, waits for the JITs again, makes
 *       {@code CALLS} timed ones and reports the round-trip percentiles.
 * </ul>
 *
 * Results are {@link NodeEvent} lines of kind {@code bench}, read by the benchmark that started it.
 */
public final class MessagingNode {

    /** A call with this request makes the echo server wait for its JIT to be quiet before it answers. */
    private static final String AWAIT_JIT = "await-jit";

    private static final int PAYLOAD_BYTES = 100;

    private MessagingNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        int count = Integer.parseInt(env.getOrDefault("N", "1000000"));
        int warmup = Integer.parseInt(env.getOrDefault("WARMUP", "0"));
        try (Node node = Node.builder(StandaloneNode.configFromEnvironment(env)).start()) {
            ProcessRuntime runtime = node.processes();
            if ("sink".equals(env.get("BENCH_ROLE"))) {
                runSink(node, runtime, warmup + count);
            } else {
                runSender(node, runtime, env, warmup, count);
            }
        }
    }

    private static void runSink(Node node, ProcessRuntime runtime, int count)
            throws InterruptedException, java.io.IOException {
        CountDownLatch done = new CountDownLatch(1);
        Pid sink = runtime.spawn(self -> {
            self.receive();
            long firstUs = StandaloneNode.nowUs();
            for (int i = 1; i < count; i++) {
                self.receive();
            }
            report(node, Map.of("received", Integer.toString(count), "first_us", Long.toString(firstUs)));
            done.countDown();
        });
        Pid echo = Servers.start(
                runtime,
                new Server<Integer>() {
                    @Override
                    public Next<Integer> init(ServerContext context) {
                        return Next.state(0);
                    }

                    @Override
                    public Next<Integer> handleCall(
                            Object request, ServerContext.From from, Integer n, ServerContext c) {
                        if (AWAIT_JIT.equals(request)) {
                            try {
                                Jit.awaitQuiet();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        return Next.reply(request, n + 1);
                    }
                },
                Duration.ofSeconds(5));
        int floorPort = startTcpEcho();
        report(
                node,
                Map.of("sink", sink.toString(), "echo", echo.toString(), "tcp_echo_port", Integer.toString(floorPort)));
        done.await();
        new CountDownLatch(1).await(); // keep serving calls until the benchmark ends this process
    }

    private static void runSender(Node node, ProcessRuntime runtime, Map<String, String> env, int warmup, int count)
            throws Exception {
        Pid sink = Pid.parse(env.get("SINK_PID"));
        Pid echo = Pid.parse(env.get("ECHO_PID"));
        int calls = Integer.parseInt(env.getOrDefault("CALLS", "20000"));
        long deadlineNs = System.nanoTime() + 60_000_000_000L;
        while (!node.view().contains(sink.node())) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("the sink's node " + sink.node() + " did not join our view in 60 s");
            }
            Thread.sleep(10); // polling the view; it holds the sink's node within a second normally
        }
        byte[] payload = new byte[PAYLOAD_BYTES];
        CountDownLatch sent = new CountDownLatch(1);
        runtime.spawn(self -> {
            for (int i = 0; i < warmup; i++) {
                self.send(sink, payload);
            }
            // The call's request travels behind the warm-up on the same connection, so its reply means the warm-up
            // has reached the sink's node and the timed part starts on a drained connection.
            Servers.call(runtime, echo, payload, Duration.ofSeconds(60));
            awaitJit(runtime, echo);
            report(node, Map.of("send_start_us", Long.toString(StandaloneNode.nowUs())));
            for (int i = 0; i < count; i++) {
                self.send(sink, payload);
            }
            report(node, Map.of("send_end_us", Long.toString(StandaloneNode.nowUs())));
            sent.countDown();
        });
        sent.await();
        for (int i = 0; i < calls; i++) { // the same calls untimed first, so both JVMs have compiled the call path
            Servers.call(runtime, echo, payload, Duration.ofSeconds(5));
        }
        awaitJit(runtime, echo);
        long[] rttNs = new long[calls];
        for (int i = 0; i < calls; i++) {
            long startNs = System.nanoTime();
            Servers.call(runtime, echo, payload, Duration.ofSeconds(5));
            rttNs[i] = System.nanoTime() - startNs;
        }
        Arrays.sort(rttNs);
        long[] floorNs = tcpRoundTrips(Integer.parseInt(env.get("TCP_ECHO_PORT")), calls);
        report(
                node,
                Map.of(
                        "rtt_p50_us", Long.toString(rttNs[calls / 2] / 1000),
                        "rtt_p99_us", Long.toString(rttNs[(int) (calls * 0.99)] / 1000),
                        "calls", Integer.toString(calls),
                        "tcp_rtt_p50_us", Long.toString(floorNs[calls / 2] / 1000),
                        "tcp_rtt_p99_us", Long.toString(floorNs[(int) (calls * 0.99)] / 1000)));
    }

    /**
     * The floor under a call's round trip on this machine: a plain blocking socket between the same two JVMs, one
     * thread on each end echoing {@value #PAYLOAD_BYTES}-byte blocks, no Cohort code. A call adds the hand-offs between the
     * event loops and the processes on both nodes; each is a thread wake-up, which costs tens of microseconds on a
     * virtual machine.
     */
    private static int startTcpEcho() throws java.io.IOException {
        java.net.ServerSocket server = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("tcp-echo").start(() -> {
            try (server;
                    java.net.Socket socket = server.accept()) {
                socket.setTcpNoDelay(true);
                java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
                java.io.OutputStream out = socket.getOutputStream();
                byte[] block = new byte[PAYLOAD_BYTES];
                while (true) {
                    in.readFully(block);
                    out.write(block);
                }
            } catch (java.io.IOException e) {
                // the sender closed its end: done
            }
        });
        return server.getLocalPort();
    }

    /** {@code count} timed round trips to {@link #startTcpEcho}'s port, after as many untimed. */
    private static long[] tcpRoundTrips(int port, int count) throws java.io.IOException {
        long[] rttNs = new long[count];
        try (java.net.Socket socket = new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
            java.io.OutputStream out = socket.getOutputStream();
            byte[] block = new byte[PAYLOAD_BYTES];
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < count; i++) {
                    long startNs = System.nanoTime();
                    out.write(block);
                    in.readFully(block);
                    rttNs[i] = System.nanoTime() - startNs;
                }
            }
        }
        Arrays.sort(rttNs);
        return rttNs;
    }

    /**
     * Waits until neither JVM's JIT has compiled anything for half a second: what a warm-up made hot is compiled
     * then, not during the timed part. Without this, the compilers of both nodes took about a core of this 2-core
     * machine through the first seconds of the timed sends and calls.
     */
    private static void awaitJit(ProcessRuntime runtime, Pid echo) throws InterruptedException {
        Jit.awaitQuiet();
        Servers.call(runtime, echo, AWAIT_JIT, Duration.ofSeconds(60));
        Jit.awaitQuiet();
    }

    private static void report(Node node, Map<String, String> fields) {
        System.out.println(NodeEvent.line("bench", node.self(), fields));
        System.out.flush();
    }
}
