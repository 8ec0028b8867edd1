package io.cohort.node.tools;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.config.ConfigException;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.NodeConfigLoader;
import io.cohort.node.runtime.Component;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A node as its own process, configured from {@code COHORT_*} environment variables (and the file named by
 * {@code COHORT_CONFIG}, if any), printing a {@link NodeEvent} line for every view it installs. It leaves the cluster
 * gracefully on SIGTERM or SIGINT. Containers and the launchers ({@code bin/cohort node}, the demo, the benchmarks)
 * run this.
 */
public final class StandaloneNode {

    private StandaloneNode() {}

    public static void main(String[] args) throws Exception {
        NodeConfig config;
        try {
            config = configFromEnvironment(System.getenv());
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        run(config, List.of(), System.out);
    }

    /** The configuration the environment describes; {@code COHORT_CONFIG} names a file it overrides. */
    public static NodeConfig configFromEnvironment(Map<String, String> env) {
        String file = env.get("COHORT_CONFIG");
        return file == null || file.isBlank()
                ? NodeConfigLoader.fromEnvironment(env)
                : NodeConfigLoader.load(Path.of(file), env);
    }

    /** Runs a node with {@code components} until the process is told to stop; prints events to {@code out}. */
    public static void run(NodeConfig config, List<Component> components, PrintStream out) throws Exception {
        run(config, components, out, node -> {});
    }

    /**
     * Runs a node as {@link #run(NodeConfig, List, PrintStream)} does, handing it to {@code onStarted} once its first
     * view is installed (before the {@code started} line), e.g. to serve a control channel for it.
     */
    public static void run(NodeConfig config, List<Component> components, PrintStream out, Consumer<Node> onStarted)
            throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        Node.Builder builder = Node.builder(config);
        components.forEach(builder::component);
        Node node = builder.build();
        NodeId self = node.self();
        node.onViewChange(change -> {
            out.println(NodeEvent.viewLine(nowUs(), self, change.current()));
            out.flush();
        });
        out.println(NodeEvent.line("joining", nowUs(), self));
        out.flush();
        node.start();
        onStarted.accept(node);
        out.println(NodeEvent.line("started", nowUs(), node.self()));
        out.flush();
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> {
            node.close();
            out.println(NodeEvent.line("stopped", nowUs(), node.self()));
            out.flush();
            stopped.countDown();
        }));
        stopped.await();
    }

    /** The wall clock in microseconds since the epoch: comparable between processes on one machine. */
    public static long nowUs() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }
}
