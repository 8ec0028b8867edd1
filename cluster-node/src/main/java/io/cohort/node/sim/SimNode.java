package io.cohort.node.sim;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.ViewId;
import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.Clock;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.Entropy;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.runtime.NodeContext;
import io.cohort.node.runtime.ProcessHost;
import io.cohort.node.runtime.SeededEntropy;
import io.cohort.node.runtime.Timers;
import io.cohort.node.runtime.Transport;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One incarnation of a simulated node: its components and the seams they see (a skewed, drifting clock, seeded
 * entropy, timers and a transport that are events of the simulation).
 *
 * <p>Lifecycle: created → started (components' {@code onStart}) → views and messages → crashed (no further event,
 * no {@code onStop}) or stopped (graceful: {@code onStop}, then a view without it on the others). While paused, the
 * node's events wait in {@link #deferred} and run, in order, when it resumes — as a SIGSTOPped process finds its
 * socket buffers full on SIGCONT.
 */
public final class SimNode {

    private static final long WALL_EPOCH_NS = 1_767_225_600_000_000_000L; // 2026-01-01T00:00:00Z

    private final SimCluster sim;
    private final NodeId id;
    private final Map<String, Component> components = new LinkedHashMap<>();
    private final SimProcesses processes;
    private final SimMetrics metrics = new SimMetrics();
    private final SplittableRandom random;
    private final SeededEntropy entropy;
    /** Origin of this node's monotonic clock: nodes do not share one. */
    private final long clockOriginNs;
    /** How far this node's wall clock is off from simulated true time, either way. */
    private final long wallSkewNs;
    /** How fast (positive) or slow this node's clock runs, in parts per million. */
    private final int driftPpm;

    /** The view last installed here; a singleton pre-view of this node before the first real one. */
    private MembershipView view;

    private boolean paused;
    private boolean dead;
    /** Events that arrived while paused, in arrival order. */
    final List<SimCluster.Event> deferred = new ArrayList<>();
    /** Latest simulated time a view delivery to this node is scheduled for: views arrive in order. */
    long lastViewDeliveryNs;

    SimNode(SimCluster sim, NodeId id, List<Component> components, long seed, SimConfig config) {
        this.sim = sim;
        this.id = id;
        this.processes = new SimProcesses(this); // after id: its process table is keyed by it
        this.random = new SplittableRandom(seed);
        this.entropy = new SeededEntropy(random.nextLong());
        this.clockOriginNs = random.nextLong(1L << 40);
        this.wallSkewNs = config.maxClockSkewNs() == 0
                ? 0
                : random.nextLong(-config.maxClockSkewNs(), config.maxClockSkewNs() + 1);
        this.driftPpm = config.maxClockDriftPpm() == 0
                ? 0
                : random.nextInt(-config.maxClockDriftPpm(), config.maxClockDriftPpm() + 1);
        for (Component component : components) {
            if (this.components.putIfAbsent(component.name(), component) != null) {
                throw new IllegalArgumentException("two components named '" + component.name() + "' on " + id);
            }
        }
        this.view = MembershipView.of(new ViewId(id, 0), List.of(id));
    }

    public NodeId id() {
        return id;
    }

    /** The view this node has installed (a singleton pre-view before it joined). */
    public MembershipView view() {
        return view;
    }

    public boolean isPaused() {
        return paused;
    }

    /** True once crashed or stopped: this incarnation takes no more events. */
    public boolean isDead() {
        return dead;
    }

    public SimProcesses processes() {
        return processes;
    }

    public SimMetrics metrics() {
        return metrics;
    }

    /** The component of the given type; fails if the node has none. */
    public <C extends Component> C component(Class<C> type) {
        for (Component component : components.values()) {
            if (type.isInstance(component)) {
                return type.cast(component);
            }
        }
        throw new IllegalArgumentException(id + " has no component of type " + type.getName());
    }

    /** The component named {@code name}, or null. */
    public Component component(String name) {
        return components.get(name);
    }

    /** This node's monotonic clock now. */
    public long nowNs() {
        long trueNs = sim.nowNs();
        return clockOriginNs + trueNs + trueNs / 1_000_000 * driftPpm;
    }

    long wallTimeNs() {
        return WALL_EPOCH_NS + sim.nowNs() + wallSkewNs;
    }

    /** Converts a delay measured by this node's clock into simulated true time. */
    long toTrueDelayNs(long localDelayNs) {
        return Math.max(0, localDelayNs - localDelayNs / 1_000_000 * driftPpm);
    }

    void start() {
        for (Component component : components.values()) {
            component.onStart(new Context(component), nowNs());
        }
    }

    void installView(MembershipView newView) {
        view = newView;
        sim.network().onViewInstalled(this, newView);
        long now = nowNs();
        for (Component component : components.values()) {
            component.onView(newView, now);
        }
    }

    void deliverMessage(NodeId from, String componentName, byte[] payload) {
        if (sim.loses(from, id, componentName, payload)) {
            return;
        }
        Component component = components.get(componentName);
        if (component == null) {
            metrics.counter("control.dropped", "reason", "unknown_component").increment();
            return;
        }
        component.onMessage(from, payload, nowNs());
    }

    void notifyExit(Component component, Pid pid, long monitorRef, ExitReason reason) {
        sim.schedule(
                sim.nowNs(),
                this,
                () -> "exit " + id + " " + pid + " " + reason + " -> " + component.name(),
                () -> component.onProcessExit(pid, monitorRef, reason, nowNs()));
    }

    void stopComponents() {
        long now = nowNs();
        for (Component component : components.values()) {
            component.onStop(now);
        }
    }

    void setPaused(boolean value) {
        paused = value;
    }

    void markDead() {
        dead = true;
        deferred.clear();
    }

    @Override
    public String toString() {
        return id + (dead ? "(dead)" : paused ? "(paused)" : "") + " " + view;
    }

    /** The seams as one component sees them. */
    private final class Context implements NodeContext, Transport, Timers, Clock {
        private final Component component;
        private final ProcessHost host;

        Context(Component component) {
            this.component = component;
            this.host = processes.hostFor(component);
        }

        @Override
        public NodeId self() {
            return id;
        }

        @Override
        public Clock clock() {
            return this;
        }

        @Override
        public Timers timers() {
            return this;
        }

        @Override
        public Transport transport() {
            return this;
        }

        @Override
        public Entropy entropy() {
            return entropy;
        }

        @Override
        public ProcessHost processes() {
            return host;
        }

        @Override
        public Metrics metrics() {
            return metrics;
        }

        // Clock
        @Override
        public long nowNs() {
            return SimNode.this.nowNs();
        }

        @Override
        public long wallTimeNs() {
            return SimNode.this.wallTimeNs();
        }

        // Transport
        @Override
        public void send(NodeId to, byte[] payload) {
            if (!view.contains(to) || to.equals(id)) {
                metrics.counter("transport.dropped", "reason", "not_in_view").increment();
                return;
            }
            sim.network().send(SimNode.this, to, component.name(), payload);
        }

        @Override
        public void broadcast(byte[] payload) {
            for (NodeId member : view.members()) {
                if (!member.equals(id)) {
                    sim.network().send(SimNode.this, member, component.name(), payload);
                }
            }
        }

        @Override
        public MembershipView view() {
            return view;
        }

        // Timers
        @Override
        public Timer schedule(Object key, long delayNs) {
            if (delayNs < 0) {
                throw new IllegalArgumentException("negative timer delay: " + delayNs);
            }
            SimTimer timer = new SimTimer();
            sim.schedule(
                    sim.nowNs() + toTrueDelayNs(delayNs),
                    SimNode.this,
                    () -> "timer " + id + " " + component.name() + " " + key,
                    () -> {
                        if (!timer.done) {
                            timer.done = true;
                            component.onTimer(key, SimNode.this.nowNs());
                        }
                    });
            return timer;
        }
    }

    private static final class SimTimer implements Timers.Timer {
        private boolean done;

        @Override
        public boolean cancel() {
            boolean wasPending = !done;
            done = true;
            return wasPending;
        }
    }
}
