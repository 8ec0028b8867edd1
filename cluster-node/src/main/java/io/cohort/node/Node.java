package io.cohort.node;

import io.cohort.node.codec.Codecs;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.driver.ComponentDriver;
import io.cohort.node.driver.MicrometerMetrics;
import io.cohort.node.jgroups.JGroupsControlPlane;
import io.cohort.node.netty.NettyDataPlane;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.runtime.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BiFunction;

/**
 * A running Cohort node: its identity, its membership in the cluster, and the protocol components (process-group
 * scopes, registry replicas, supervisors) that run on it, each on its own driver.
 *
 * <pre>{@code
 * try (Node node = Node.builder(NodeConfig.builder().nodeName("a").build()).start()) {
 *     node.onViewChange(change -> System.out.println("joined " + change.joined() + " left " + change.left()));
 * }
 * }</pre>
 *
 * <p>Start-up order: the data plane binds its port, the control plane is created with that address among its
 * published attributes (which fixes the {@link NodeId}), components start, then the node joins and the first view
 * reaches them; {@link #start} returns once that view is installed. Closing shuts processes down, runs the
 * components' {@code onStop}, closes the data plane, then leaves the cluster gracefully.
 */
public final class Node implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Node.class.getName());

    private final NodeConfig config;
    private final ControlPlane controlPlane;
    private final NettyDataPlane dataPlane;
    private final MeterRegistry registry;
    private final Metrics metrics;
    private final ScheduledExecutorService scheduler;
    private final ProcessTable processes;
    private final ProcessRuntime runtime;
    private final Map<String, ComponentDriver> drivers = new LinkedHashMap<>();
    private final List<MembershipListener> listeners = new CopyOnWriteArrayList<>();
    private final Metrics.Counter unknownComponent;

    /** The view last installed; guarded by the control plane's in-order delivery. */
    private volatile MembershipView view;

    private volatile boolean closed;
    private boolean started;

    private Node(Builder builder) {
        this.config = builder.config;
        this.registry = builder.registry;
        this.metrics = new MicrometerMetrics(registry);
        this.dataPlane = new NettyDataPlane(config, metrics, builder.codecs);
        try {
            this.controlPlane = builder.controlPlaneFactory.create(config, metrics, dataPlane.attributes());
        } catch (RuntimeException e) {
            dataPlane.close();
            throw e;
        }
        this.processes = new ProcessTable(controlPlane.self());
        this.runtime = new ProcessRuntime(processes, metrics);
        dataPlane.attach(runtime, controlPlane::attributes);
        runtime.remote(dataPlane);
        this.scheduler = ComponentDriver.newTimerScheduler();
        for (Component component : builder.components) {
            ComponentDriver driver = new ComponentDriver(
                    component, controlPlane.self(), controlPlane, scheduler, metrics, processes, builder.inboxCapacity);
            if (drivers.putIfAbsent(component.name(), driver) != null) {
                throw new IllegalArgumentException("two components named '" + component.name() + "'");
            }
        }
        this.listeners.addAll(builder.listeners);
        this.unknownComponent = metrics.counter("control.dropped", "reason", "unknown_component");
    }

    public static Builder builder(NodeConfig config) {
        return new Builder(config);
    }

    /**
     * Starts the components and joins the cluster; returns once the first view is installed. Call once.
     *
     * @throws IllegalStateException when called twice
     */
    public Node start() throws Exception {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        drivers.values().forEach(ComponentDriver::start);
        try {
            controlPlane.start(new ControlPlane.Listener() {
                @Override
                public void onView(MembershipView newView) {
                    installView(newView);
                }

                @Override
                public void onMessage(NodeId from, String component, byte[] payload) {
                    ComponentDriver driver = drivers.get(component);
                    if (driver == null) {
                        unknownComponent.increment();
                        return;
                    }
                    driver.deliverMessage(from, payload);
                }
            });
        } catch (Exception e) {
            close();
            throw e;
        }
        return this;
    }

    private void installView(MembershipView newView) {
        MembershipView previous = view;
        view = newView;
        // First, so monitors of processes on departed nodes fire before components and listeners hear of it.
        dataPlane.onView(newView);
        for (ComponentDriver driver : drivers.values()) {
            driver.deliverView(newView);
        }
        MembershipView.Change change = newView.changeFrom(previous);
        for (MembershipListener listener : listeners) {
            try {
                listener.onViewChange(change);
            } catch (RuntimeException e) {
                metrics.counter("node.listener.failed").increment();
                LOG.log(System.Logger.Level.WARNING, "membership listener failed on " + newView, e);
            }
        }
    }

    /** This node's identity for this life. */
    public NodeId self() {
        return controlPlane.self();
    }

    /** The view most recently installed on this node. */
    public MembershipView view() {
        return view;
    }

    public NodeConfig config() {
        return config;
    }

    /** Adds a listener for every later view change. */
    public void onViewChange(MembershipListener listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    /** What a member published (such as its data-plane address); empty when unknown. */
    public Map<String, String> attributes(NodeId member) {
        return controlPlane.attributes(member);
    }

    /** The driver of the component named {@code name}, for public APIs to submit work to it. */
    public ComponentDriver driver(String name) {
        ComponentDriver driver = drivers.get(name);
        if (driver == null) {
            throw new IllegalArgumentException("no component named '" + name + "' on " + self());
        }
        return driver;
    }

    /** The node's lightweight processes: spawn, send, link, monitor. */
    public ProcessRuntime processes() {
        return runtime;
    }

    /** The codecs messages to other nodes go through; register application codecs on every node. */
    public Codecs codecs() {
        return dataPlane.codecs();
    }

    /** The port the data plane listens on (useful when it was configured as 0, ephemeral). */
    public int dataPort() {
        return dataPlane.port();
    }

    /** The node's meters (counters of drops, inbox sizes, latencies); export it with any Micrometer registry. */
    public MeterRegistry meterRegistry() {
        return registry;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * Leaves the cluster gracefully: first asks every component to move away what must outlive this node
     * ({@link Component#onLeave}: a distributed supervisor hands its children to other nodes) and waits for them, at
     * most {@code timeout} in all, then {@link #close}s.
     *
     * @return true when every component finished moving its work within the timeout
     */
    public boolean leave(java.time.Duration timeout) {
        boolean done = true;
        List<java.util.concurrent.CompletableFuture<Void>> moving = new ArrayList<>();
        for (ComponentDriver driver : drivers.values()) {
            moving.add(driver.submit(driver::leave).thenCompose(inner -> inner));
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(
                            moving.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            done = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        close();
        return done;
    }

    /**
     * Shuts the node's processes down (reason {@code shutdown}), stops the components ({@code onStop}), leaves the
     * cluster gracefully and releases threads. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        runtime.close();
        List<ComponentDriver> reversed = new ArrayList<>(drivers.values());
        java.util.Collections.reverse(reversed);
        reversed.forEach(ComponentDriver::close);
        dataPlane.close();
        controlPlane.close();
        scheduler.shutdownNow();
    }

    /** Creates a node's control plane, which must publish {@code attributes} (the data plane's address). */
    @FunctionalInterface
    public interface ControlPlaneFactory {
        ControlPlane create(NodeConfig config, Metrics metrics, Map<String, String> attributes);
    }

    /** Collects a node's parts; {@link #start} joins the cluster. */
    public static final class Builder {
        private final NodeConfig config;
        private final List<Component> components = new ArrayList<>();
        private final List<MembershipListener> listeners = new ArrayList<>();
        private MeterRegistry registry = new SimpleMeterRegistry();
        private int inboxCapacity = 4096;
        private Codecs codecs = new Codecs();
        private ControlPlaneFactory controlPlaneFactory =
                (nodeConfig, metrics, attributes) -> JGroupsControlPlane.builder(nodeConfig)
                        .metrics(metrics)
                        .attributes(attributes)
                        .build();

        private Builder(NodeConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        public Builder component(Component component) {
            components.add(Objects.requireNonNull(component));
            return this;
        }

        public Builder onViewChange(MembershipListener listener) {
            listeners.add(Objects.requireNonNull(listener));
            return this;
        }

        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.registry = Objects.requireNonNull(meterRegistry);
            return this;
        }

        /** Events that may wait in each component's inbox before deliverers wait (default 4096). */
        public Builder inboxCapacity(int capacity) {
            this.inboxCapacity = capacity;
            return this;
        }

        /**
         * Replaces the JGroups control plane, e.g. with one built on an in-JVM test stack. Such a control plane does
         * not publish the data plane's address, so peers cannot reach this node's processes; use
         * {@link #controlPlane(ControlPlaneFactory)} to publish it.
         */
        public Builder controlPlane(BiFunction<NodeConfig, Metrics, ControlPlane> factory) {
            Objects.requireNonNull(factory);
            this.controlPlaneFactory = (nodeConfig, metrics, attributes) -> factory.apply(nodeConfig, metrics);
            return this;
        }

        /** Replaces the JGroups control plane with one that publishes the attributes it is given. */
        public Builder controlPlane(ControlPlaneFactory factory) {
            this.controlPlaneFactory = Objects.requireNonNull(factory);
            return this;
        }

        /** The codecs for messages to other nodes (default: the built-ins only). */
        public Builder codecs(Codecs codecs) {
            this.codecs = Objects.requireNonNull(codecs);
            return this;
        }

        /** Creates the node without joining: its {@link Node#self()} is fixed, nothing runs yet. */
        public Node build() {
            return new Node(this);
        }

        /** Creates the node and joins the cluster; returns once the first view is installed. */
        public Node start() throws Exception {
            return build().start();
        }
    }
}
