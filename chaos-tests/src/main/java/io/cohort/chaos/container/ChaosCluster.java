package io.cohort.chaos.container;

import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.cohort.chaos.control.ContainerNode;
import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.control.wire.View;
import io.cohort.chaos.fault.Fault;
import io.cohort.chaos.fault.NetworkState;
import io.cohort.node.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A cluster of node containers on a network of its own, with the faults a chaos test needs: kill (SIGKILL), pause
 * and resume, restart as a new incarnation, partitions of any shape (symmetric, one-way, bridge, majority ring), and
 * lossy or slow links.
 *
 * <pre>{@code
 * try (ChaosCluster cluster = ChaosCluster.builder().nodes(5).start()) {
 *     cluster.awaitConverged(Duration.ofSeconds(60));
 *     cluster.partition(Partitions.bridge(cluster.nodeNames()));
 *     ...
 *     cluster.heal();
 *     cluster.awaitConverged(Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p><b>Network.</b> The cluster creates a bridge network with a /24 subnet of its own and gives node {@code i} the
 * fixed address {@code .(10 + i)}, so addresses survive restarts and partition rules can name them. Nodes of the Cohort
 * image find each other through TCPPING on those addresses. Only the control port is published, on loopback for a
 * local engine; nothing else leaves the network.
 *
 * <p><b>Faults.</b> Kill, pause and restart go through the Docker API. Network faults are iptables rules (and tc for
 * slow links) in each receiving node's namespace, applied by exec in the node's container when its image is the Cohort
 * image, or in a sidecar container that shares the node's namespace otherwise (the Cohort image supplies the tools,
 * so it must exist). A paused node gets its rules when it resumes, a restarted one as soon as its container
 * starts (a JVM takes far longer to join than that).
 *
 * <p>All fault methods are synchronized: a nemesis thread and a test may use them together. Every container and the
 * network are removed by {@link #close}, or by a shutdown hook if the JVM ends first.
 */
public final class ChaosCluster implements AutoCloseable {

    /** Bound on a node starting (container start to a control answer). */
    public static final Duration START_BOUND = Duration.ofSeconds(90);

    private static final Duration EXEC_BOUND = Duration.ofSeconds(20);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(3);

    private final Docker docker;
    private final Builder config;
    private final String runId;
    private final Consumer<String> log;
    private final boolean cohortImage;
    private final List<ClusterNode> nodes = new ArrayList<>();
    private final Map<String, ClusterNode> byName = new LinkedHashMap<>();
    private final Set<String> rulesPending = new HashSet<>();
    private final Thread cleanup;
    private String networkId;
    private String subnetPrefix;
    private NetworkState network = NetworkState.HEALTHY;
    private boolean closed;

    private ChaosCluster(Docker docker, Builder config) {
        this.docker = docker;
        this.config = config;
        this.runId = "cohort-chaos-" + Long.toHexString(new Random().nextLong() >>> 16);
        this.log = config.log;
        this.cohortImage = config.image.equals(CohortImage.tag()) || CohortImage.isCohortImage(docker, config.image);
        this.cleanup = Thread.ofPlatform().unstarted(() -> docker.removeRun(runId));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How to start a cluster. */
    public static final class Builder {
        private int nodes = 3;
        private String namePrefix = "n";
        private String image = CohortImage.tag();
        private final Map<String, String> env = new LinkedHashMap<>();
        private int controlPort = ContainerNode.DEFAULT_CONTROL_PORT;
        private boolean control = true;
        private String clusterName;
        private Duration startBound = START_BOUND;
        private Consumer<String> log = line -> System.err.println("[chaos] " + line);

        private Builder() {}

        /** Number of nodes (1 to 50), named {@code n1..nN}. */
        public Builder nodes(int count) {
            if (count < 1 || count > 50) {
                throw new IllegalArgumentException("a chaos cluster has 1 to 50 nodes: " + count);
            }
            this.nodes = count;
            return this;
        }

        /** The image; the Cohort node image ({@link CohortImage#tag()}) by default. */
        public Builder image(String newImage) {
            this.image = Objects.requireNonNull(newImage);
            return this;
        }

        /** Adds an environment variable for every node (e.g. {@code COHORT_FD_TIMEOUT_MS}). */
        public Builder env(String key, String value) {
            env.put(key, value);
            return this;
        }

        /**
         * The container port of the control channel ({@code 7777}); {@link #withoutControl} for images that serve
         * none: they get faults but no workload operations.
         */
        public Builder controlPort(int port) {
            this.controlPort = port;
            this.control = true;
            return this;
        }

        public Builder withoutControl() {
            this.control = false;
            return this;
        }

        /** Node names are this prefix and a number from 1 ({@code n}). */
        public Builder namePrefix(String prefix) {
            this.namePrefix = prefix;
            return this;
        }

        /** The JGroups cluster name of Cohort nodes (default: the run id, so runs never meet). */
        public Builder clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        public Builder startBound(Duration bound) {
            this.startBound = bound;
            return this;
        }

        /** Where the cluster reports what it does (stderr by default). */
        public Builder log(Consumer<String> sink) {
            this.log = Objects.requireNonNull(sink);
            return this;
        }

        /**
         * Creates the network and the containers, starts them and waits until each answers on its control channel
         * (or runs, without control). Does not wait for the nodes to form one view: see
         * {@link ChaosCluster#awaitConverged}.
         *
         * @throws Docker.DockerUnavailableException when no Docker engine answers
         */
        public ChaosCluster start() throws InterruptedException {
            ChaosCluster cluster = new ChaosCluster(Docker.connect(), this);
            try {
                cluster.startAll();
            } catch (RuntimeException | InterruptedException | Error e) {
                cluster.close();
                throw e;
            }
            return cluster;
        }
    }

    private void startAll() throws InterruptedException {
        long startNs = System.nanoTime();
        if (config.image.equals(CohortImage.tag())) {
            CohortImage.ensure(docker, config.image, log);
        } else {
            docker.ensureImage(config.image, Duration.ofMinutes(5));
        }
        Runtime.getRuntime().addShutdownHook(cleanup);
        createNetwork();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < config.nodes; i++) {
            names.add(config.namePrefix + (i + 1));
        }
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String ip = subnetPrefix + (10 + i);
            String id = docker.createContainer(config.image, cmd -> {
                cmd.withName(runId + "-" + name)
                        .withHostName(name)
                        .withEnv(env(name, ip, names))
                        .withLabels(Map.of(Docker.LABEL, runId, "io.cohort.chaos.node", name))
                        .withAliases(name)
                        .withIpv4Address(ip);
                HostConfig host = HostConfig.newHostConfig().withNetworkMode(networkName());
                if (cohortImage) {
                    host.withCapAdd(Capability.NET_ADMIN);
                }
                if (config.control) {
                    cmd.withExposedPorts(ExposedPort.tcp(config.controlPort));
                    host.withPortBindings(new PortBinding(
                            Ports.Binding.bindIp(docker.isLocal() ? "127.0.0.1" : "0.0.0.0"),
                            ExposedPort.tcp(config.controlPort)));
                }
                cmd.withHostConfig(host);
            });
            ClusterNode node = new ClusterNode(this, name, i, ip, id);
            nodes.add(node);
            byName.put(name, node);
        }
        for (ClusterNode node : nodes) {
            docker.start(node.containerId());
            node.started();
        }
        for (ClusterNode node : nodes) {
            awaitReady(node, null);
        }
        log.accept(String.format(
                Locale.ROOT,
                "%d nodes of %s up on %s0/24 in %.1f s (run %s)",
                nodes.size(),
                config.image,
                subnetPrefix,
                (System.nanoTime() - startNs) / 1e9,
                runId));
    }

    private List<String> env(String name, String ip, List<String> names) {
        List<String> peers = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            peers.add(subnetPrefix + (10 + i));
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("CHAOS_NODE_NAME", name);
        env.put("CHAOS_NODE_IP", ip);
        env.put("CHAOS_PEERS", String.join(",", peers));
        if (cohortImage) {
            env.put("COHORT_NODE_NAME", name);
            env.put("COHORT_CLUSTER", config.clusterName != null ? config.clusterName : runId);
            env.put("COHORT_BIND_ADDRESS", ip);
            env.put("COHORT_BIND_PORT", "7800");
            env.put("COHORT_PORT_RANGE", "0");
            env.put(
                    "COHORT_SEEDS",
                    String.join(",", peers.stream().map(p -> p + ":7800").toList()));
            env.put("COHORT_CONTROL_PORT", Integer.toString(config.controlPort));
        }
        env.putAll(config.env);
        List<String> list = new ArrayList<>();
        env.forEach((key, value) -> list.add(key + "=" + value));
        return list;
    }

    private void createNetwork() {
        Random random = new Random();
        RuntimeException last = null;
        for (int attempt = 0; attempt < 10; attempt++) {
            String prefix = "10." + (200 + random.nextInt(50)) + "." + random.nextInt(256) + ".";
            try {
                networkId = docker.createNetwork(runId, prefix + "0/24", prefix + "1", runId);
                subnetPrefix = prefix;
                return;
            } catch (RuntimeException e) { // the subnet overlaps another network's: try another
                last = e;
            }
        }
        throw new IllegalStateException("could not create a network for the cluster", last);
    }

    private String networkName() {
        return runId;
    }

    public String runId() {
        return runId;
    }

    public String image() {
        return config.image;
    }

    /** True when the nodes run the Cohort image (they serve pg operations and carry their own network tools). */
    public boolean isCohortImage() {
        return cohortImage;
    }

    public List<ClusterNode> nodes() {
        return List.copyOf(nodes);
    }

    public List<String> nodeNames() {
        return List.copyOf(byName.keySet());
    }

    public ClusterNode node(String name) {
        ClusterNode node = byName.get(name);
        if (node == null) {
            throw new IllegalArgumentException("no node " + name + " in " + byName.keySet());
        }
        return node;
    }

    /** The current network faults. */
    public synchronized NetworkState network() {
        return network;
    }

    InetSocketAddress lookUpControlAddress(ClusterNode node) {
        int port = docker.publishedPort(node.containerId(), config.controlPort)
                .orElseThrow(
                        () -> new IllegalStateException(node.name() + " publishes no control port (not running?)"));
        return new InetSocketAddress(docker.publishedHost(), port);
    }

    // ---- faults ----

    /** Applies one fault of a schedule; returns a note on how it was applied (e.g. {@code slow=tbf}) or "". */
    public synchronized String apply(Fault fault) throws InterruptedException {
        return switch (fault) {
            case Fault.Kill kill -> {
                kill(kill.node());
                yield "";
            }
            case Fault.Restart restart -> {
                restart(restart.node(), false); // a schedule does not wait for the JVM: its next step is due
                yield "";
            }
            case Fault.Pause pause -> {
                pause(pause.node());
                yield "";
            }
            case Fault.Resume resume -> {
                resume(resume.node());
                yield "";
            }
            default -> setNetwork(network.after(fault));
        };
    }

    /** SIGKILL to the node's process; it stays down until {@link #restart}. */
    public synchronized void kill(String name) throws InterruptedException {
        ClusterNode node = node(name);
        if (node.state() == ClusterNode.State.KILLED) {
            return;
        }
        if (node.state() == ClusterNode.State.PAUSED) {
            docker.unpause(node.containerId()); // the engine will not signal a frozen container
        }
        docker.kill(node.containerId(), "KILL");
        awaitStopped(node);
        node.state(ClusterNode.State.KILLED);
        node.stopped();
        log.accept("killed " + name);
    }

    /** Freezes every process of the node (the cgroup freezer: no signal it could notice). */
    public synchronized void pause(String name) {
        ClusterNode node = node(name);
        if (node.state() != ClusterNode.State.RUNNING) {
            throw new IllegalStateException("cannot pause " + node);
        }
        docker.pause(node.containerId());
        node.state(ClusterNode.State.PAUSED);
        log.accept("paused " + name);
    }

    public synchronized void resume(String name) throws InterruptedException {
        ClusterNode node = node(name);
        if (node.state() != ClusterNode.State.PAUSED) {
            return;
        }
        docker.unpause(node.containerId());
        node.state(ClusterNode.State.RUNNING);
        log.accept("resumed " + name);
        if (rulesPending.remove(name)) {
            enforce(node);
        }
    }

    /**
     * Starts the node again as a new incarnation (SIGKILL first if it runs), with the current network faults in place
     * as soon as its container starts; returns once it answers, with its new identity (null without control). Applied as a
     * schedule step ({@link #apply}) it returns as soon as the container runs.
     */
    public synchronized NodeId restart(String name) throws InterruptedException {
        return restart(name, true);
    }

    private NodeId restart(String name, boolean awaitReady) throws InterruptedException {
        ClusterNode node = node(name);
        if (node.state() != ClusterNode.State.KILLED) {
            kill(name);
        }
        NodeId before = node.nodeId().orElse(null);
        docker.start(node.containerId());
        node.started();
        node.state(ClusterNode.State.RUNNING);
        if (node.sidecarId != null) {
            docker.remove(node.sidecarId); // it holds the namespace of the previous life
            node.sidecarId = null;
        }
        rulesPending.remove(name);
        if (!network.isHealthy()) {
            enforce(node);
        }
        if (!awaitReady) {
            log.accept("restarted " + name);
            return null;
        }
        awaitReady(node, before);
        log.accept("restarted " + name + node.nodeId().map(id -> " as " + id).orElse(""));
        return node.nodeId().orElse(null);
    }

    /** Cuts the partition's links (replacing any earlier partition). */
    public synchronized void partition(Fault.Partition partition) throws InterruptedException {
        setNetwork(network.after(partition));
    }

    /** Restores every link a partition cut. */
    public synchronized void heal() throws InterruptedException {
        setNetwork(network.after(new Fault.Heal()));
    }

    public synchronized void lossy(Fault.Lossy lossy) throws InterruptedException {
        setNetwork(network.after(lossy));
    }

    /** Slows what {@code name} sends; returns {@code slow=netem} or {@code slow=tbf}, whichever the kernel allowed. */
    public synchronized String slow(String name) throws InterruptedException {
        return setNetwork(network.after(new Fault.Slow(name)));
    }

    public synchronized void clearLinks() throws InterruptedException {
        setNetwork(network.after(new Fault.ClearLinks()));
    }

    /** Undoes every fault: resumes paused nodes, restarts killed ones, heals and clears every link. */
    public synchronized void recoverAll() throws InterruptedException {
        setNetwork(NetworkState.HEALTHY);
        for (ClusterNode node : nodes) {
            switch (node.state()) {
                case PAUSED -> resume(node.name());
                case KILLED -> restart(node.name());
                case RUNNING -> {}
            }
        }
    }

    private String setNetwork(NetworkState next) throws InterruptedException {
        NetworkState previous = network;
        network = next;
        if (next.equals(previous)) {
            return "";
        }
        List<ClusterNode> running = new ArrayList<>();
        for (ClusterNode node : nodes) {
            switch (node.state()) {
                case RUNNING -> running.add(node);
                case PAUSED -> rulesPending.add(node.name());
                case KILLED -> {} // a restart applies the state of the day
            }
        }
        Map<String, String> applied = enforceAll(running);
        String note = "";
        for (Map.Entry<String, String> entry : applied.entrySet()) {
            if (next.isSlow(entry.getKey())) {
                note = entry.getValue();
            }
        }
        log.accept("network: " + describe(next) + (note.isEmpty() ? "" : " (" + note + ")"));
        return note;
    }

    /**
     * Enforces the network state on all {@code targets} at once (one exec each, in parallel), so that a partition
     * takes effect on every node within one exec's time rather than one after another; their {@code slow=} notes.
     */
    private Map<String, String> enforceAll(List<ClusterNode> targets) throws InterruptedException {
        Map<String, String> notes = new java.util.concurrent.ConcurrentHashMap<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (ClusterNode node : targets) {
            threads.add(Thread.ofVirtual().name("chaos-net-" + node.name()).start(() -> {
                try {
                    notes.put(node.name(), enforce(node));
                } catch (RuntimeException e) {
                    failures.add(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return new java.util.TreeMap<>(notes);
    }

    /** Writes the node's part of the network state into its namespace; returns the script's {@code slow=} note. */
    private String enforce(ClusterNode node) throws InterruptedException {
        Map<String, String> ips = new LinkedHashMap<>();
        nodes.forEach(n -> ips.put(n.name(), n.ip()));
        String script = NetworkRules.script(network, node.name(), node.ip(), ips);
        String target = cohortImage ? node.containerId() : sidecar(node);
        Docker.ExecResult result = docker.exec(target, EXEC_BOUND, "/bin/sh", "-c", script);
        if (!result.ok()) {
            throw new IllegalStateException("network rules failed on " + node.name() + " (exit " + result.exitCode()
                    + "): " + result.stderr().strip() + "\nscript:\n" + script);
        }
        String out = result.stdout().strip();
        return out.substring(out.lastIndexOf('\n') + 1);
    }

    private String sidecar(ClusterNode node) {
        if (node.sidecarId != null) {
            return node.sidecarId;
        }
        if (!docker.imageExists(CohortImage.tag())) {
            throw new UnsupportedOperationException("network faults on " + config.image + " run iptables in a sidecar "
                    + "of the Cohort image, which is not here: build it with bin/build-image");
        }
        String id = docker.createContainer(
                CohortImage.tag(),
                cmd -> cmd.withName(runId + "-" + node.name() + "-net-" + node.starts())
                        .withEntrypoint("/bin/busybox", "sleep", "2147483647")
                        .withLabels(Map.of(Docker.LABEL, runId))
                        .withHostConfig(HostConfig.newHostConfig()
                                .withNetworkMode("container:" + node.containerId())
                                .withCapAdd(Capability.NET_ADMIN)));
        docker.start(id);
        node.sidecarId = id;
        return id;
    }

    private static String describe(NetworkState state) {
        if (state.isHealthy()) {
            return "healthy";
        }
        List<String> parts = new ArrayList<>();
        if (!state.blocked().isEmpty()) {
            parts.add("cut " + state.blocked());
        }
        if (!state.lossy().isEmpty()) {
            parts.add("lossy " + state.lossy().keySet());
        }
        if (!state.slow().isEmpty()) {
            parts.add("slow " + state.slow());
        }
        return String.join("; ", parts);
    }

    // ---- waiting ----

    private void awaitStopped(ClusterNode node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (docker.isRunning(node.containerId())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(node.name() + " still runs 30 s after SIGKILL");
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
    }

    /** Waits until the node answers a ping as an incarnation other than {@code previous}; records its identity. */
    private void awaitReady(ClusterNode node, NodeId previous) throws InterruptedException {
        long deadline = System.nanoTime() + config.startBound.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!docker.isRunning(node.containerId())) {
                throw new IllegalStateException(node.name() + " exited while starting; its last lines:\n"
                        + String.join("\n", docker.logTail(node.containerId(), 30, Duration.ofSeconds(10))));
            }
            if (!config.control) {
                return;
            }
            try {
                NodeId id = NodeId.parse(node.control().ping(CALL_TIMEOUT).getNode());
                if (!id.equals(previous)) {
                    node.nodeId(id);
                    return;
                }
                last = "still the previous incarnation " + id;
            } catch (ControlClient.CallException | ControlClient.RemoteError | RuntimeException e) {
                last = e.getMessage();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new IllegalStateException(node.name() + " did not answer on its control channel within "
                + config.startBound + " (" + last + "); its last lines:\n"
                + String.join("\n", docker.logTail(node.containerId(), 30, Duration.ofSeconds(10))));
    }

    /**
     * The view every running node holds, by node name; a node that does not answer in time is left out. Reading a
     * view also records the node's current incarnation.
     */
    public Map<String, View> views() {
        Map<String, View> views = new LinkedHashMap<>();
        for (ClusterNode node : nodes) {
            if (node.state() == ClusterNode.State.RUNNING) {
                try {
                    View view = node.control().view(CALL_TIMEOUT);
                    node.nodeId(NodeId.parse(view.getNode())); // a restart need not have waited to learn it
                    views.put(node.name(), view);
                } catch (ControlClient.CallException | ControlClient.RemoteError e) {
                    // Not answering (yet): not converged.
                }
            }
        }
        return views;
    }

    /**
     * Waits until every running node answers with the same view, whose members are exactly the running nodes'
     * current incarnations; returns how long that took.
     *
     * @throws IllegalStateException when {@code bound} passes first, with the views last seen
     */
    public Duration awaitConverged(Duration bound) throws InterruptedException {
        if (!config.control) {
            throw new UnsupportedOperationException("convergence is read over the control channel");
        }
        long startNs = System.nanoTime();
        long deadline = startNs + bound.toNanos();
        Map<String, View> views = Map.of();
        while (true) {
            List<ClusterNode> running = nodes.stream()
                    .filter(n -> n.state() == ClusterNode.State.RUNNING)
                    .toList();
            views = views();
            if (converged(running, views)) {
                return Duration.ofNanos(System.nanoTime() - startNs);
            }
            if (System.nanoTime() > deadline) {
                StringBuilder seen = new StringBuilder();
                views.forEach((name, view) -> seen.append("\n  ")
                        .append(name)
                        .append(": ")
                        .append(view.getViewId())
                        .append(' ')
                        .append(view.getMembersList()));
                throw new IllegalStateException("the running nodes did not agree on one view of themselves within "
                        + bound + "; views:" + seen);
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private static boolean converged(List<ClusterNode> running, Map<String, View> views) {
        if (views.size() != running.size()) {
            return false;
        }
        Set<String> expected = new TreeSet<>();
        views.values().forEach(view -> expected.add(view.getNode())); // each running node's current incarnation
        String viewId = null;
        for (View view : views.values()) {
            if (!new TreeSet<>(view.getMembersList()).equals(expected)
                    || (viewId != null && !viewId.equals(view.getViewId()))) {
                return false;
            }
            viewId = view.getViewId();
        }
        return true;
    }

    /** The last {@code lines} lines of every node's output, for diagnostics. */
    public Map<String, List<String>> logTails(int lines) {
        Map<String, List<String>> tails = new LinkedHashMap<>();
        for (ClusterNode node : nodes) {
            try {
                tails.put(node.name(), docker.logTail(node.containerId(), lines, Duration.ofSeconds(10)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                tails.put(node.name(), List.of("(no log: " + e.getMessage() + ")"));
            }
        }
        return tails;
    }

    /** Removes every container and the network. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ClusterNode node : nodes) {
            node.control().close();
            if (node.sidecarId != null) {
                docker.remove(node.sidecarId);
            }
            docker.remove(node.containerId());
        }
        if (networkId != null) {
            docker.removeNetwork(networkId);
        }
        docker.removeRun(runId);
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
            docker.close(); // only when the hook will not need the client any more
        } catch (IllegalStateException | IllegalArgumentException e) {
            // The JVM is shutting down (the hook runs) or it was never added.
        }
    }
}
