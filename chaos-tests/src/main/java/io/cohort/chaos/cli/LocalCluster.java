package io.cohort.chaos.cli;

import io.cohort.node.NodeId;
import io.cohort.node.tools.LoopbackNodes;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.NodeProcess;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

/**
 * A cluster of node processes on loopback for the demo and the benchmarks: free ports on 127.0.0.1, a cluster name
 * of its own (so two runs never see each other), every node seeded with every port. Closing it stops every process
 * it started.
 */
public final class LocalCluster implements AutoCloseable {

    private final String clusterName =
            "cohort-local-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    /** The process running each node now. */
    private final Map<String, NodeProcess> processes = new LinkedHashMap<>();
    /** Every process started, also those a restart replaced: {@link #close} ends them all. */
    private final List<NodeProcess> started = new ArrayList<>();

    private final Map<String, String> extraEnv = new HashMap<>();
    private final Consumer<NodeEvent> onEvent;

    /**
     * @param names the nodes this cluster may run; each gets a free port now
     * @param onEvent told of every event line of every node
     */
    public LocalCluster(List<String> names, Consumer<NodeEvent> onEvent) {
        this.onEvent = onEvent;
        List<Integer> free = LoopbackNodes.reservePorts(names.size());
        for (int i = 0; i < names.size(); i++) {
            ports.put(names.get(i), free.get(i));
        }
    }

    /** Adds an environment variable for every node started afterwards (e.g. failure-detection timing). */
    public LocalCluster env(String key, String value) {
        extraEnv.put(key, value);
        return this;
    }

    public NodeProcess start(String name) throws IOException {
        return start(name, io.cohort.node.tools.StandaloneNode.class.getName(), Map.of());
    }

    /** Starts {@code name} running {@code mainClass} (a node with a workload of its own) with extra environment. */
    public NodeProcess start(String name, String mainClass, Map<String, String> workloadEnv) throws IOException {
        Integer port = ports.get(name);
        if (port == null) {
            throw new IllegalArgumentException("unknown node " + name);
        }
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("COHORT_NODE_NAME", name);
        env.put("COHORT_CLUSTER", clusterName);
        env.put("COHORT_BIND_ADDRESS", "127.0.0.1");
        env.put("COHORT_BIND_PORT", Integer.toString(port));
        env.put("COHORT_PORT_RANGE", "0");
        env.put("COHORT_DISCOVERY", "TCPPING");
        env.put("COHORT_SEEDS", seeds());
        env.putAll(workloadEnv);
        NodeProcess process =
                NodeProcess.start(name, System.getProperty("java.class.path"), mainClass, jvmOptions(), env, onEvent);
        processes.put(name, process);
        started.add(process);
        return process;
    }

    /**
     * The node JVMs' options: {@code COHORT_NODE_JVM_OPTIONS} (space-separated) when set, else a 1 GiB parallel-GC
     * heap. 1 GiB: a benchmark node holds 100000 processes (about 3 KB of heap each, most of it the parked virtual
     * thread's stack) and their memberships; at 512 MiB it spent the timed phase in full GCs.
     */
    static List<String> jvmOptions() {
        String custom = System.getenv("COHORT_NODE_JVM_OPTIONS");
        List<String> options = new ArrayList<>();
        if (custom != null && !custom.isBlank()) {
            options.addAll(List.of(custom.trim().split("\\s+")));
        } else {
            options.addAll(List.of("-Xmx1g", "-XX:+UseParallelGC"));
        }
        options.add("-Djava.net.preferIPv4Stack=true");
        return options;
    }

    public NodeProcess process(String name) {
        return processes.get(name);
    }

    /** The incarnation {@code name} runs now, once it has reported one. */
    public NodeId idOf(String name, Duration bound) throws InterruptedException {
        return processes.get(name).await(e -> e.kind().equals("joining"), bound).node();
    }

    /**
     * Waits until every node in {@code names} has installed a view of exactly those nodes' current incarnations, and
     * returns the latest time (µs) at which one of them installed it.
     */
    public long awaitView(List<String> names, Duration bound) throws InterruptedException {
        List<NodeId> expected = new ArrayList<>();
        for (String name : names) {
            expected.add(idOf(name, bound));
        }
        long latestUs = 0;
        for (String name : names) {
            NodeEvent event =
                    processes.get(name).await(e -> e.kind().equals("view") && sameMembers(e, expected), bound);
            latestUs = Math.max(latestUs, event.timeUs());
        }
        return latestUs;
    }

    /** Waits until every node in {@code survivors} has installed a view without {@code gone}; the latest time (µs). */
    public long awaitViewWithout(List<String> survivors, NodeId gone, long afterUs, Duration bound)
            throws InterruptedException {
        long latestUs = 0;
        for (String name : survivors) {
            NodeEvent event = processes
                    .get(name)
                    .await(
                            e -> e.kind().equals("view")
                                    && e.timeUs() >= afterUs
                                    && !e.members().contains(gone),
                            bound);
            latestUs = Math.max(latestUs, event.timeUs());
        }
        return latestUs;
    }

    /** Kills (SIGKILL, by pid) every process this cluster started that still runs. */
    @Override
    public void close() {
        for (NodeProcess process : started) {
            try {
                process.kill();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean sameMembers(NodeEvent event, List<NodeId> expected) {
        List<NodeId> members = event.members();
        return members.size() == expected.size() && members.containsAll(expected);
    }

    private String seeds() {
        List<String> seeds = new ArrayList<>();
        ports.values().forEach(port -> seeds.add("127.0.0.1:" + port));
        return String.join(",", seeds);
    }
}
