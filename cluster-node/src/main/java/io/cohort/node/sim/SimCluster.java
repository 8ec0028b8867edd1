package io.cohort.node.sim;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.runtime.Component;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A whole cluster in one thread: N nodes running the real protocol components over a seeded, simulated network and
 * membership, under simulated time that jumps from event to event.
 *
 * <p>Everything that could differ between two runs — delays, loss, clock skew, timer order, membership decisions,
 * the components' own randomness — derives from the seed, and events at the same instant run in the order they
 * were scheduled, so a seed replays the same run event for event ({@link #traceHash()} proves it). When a run fails
 * ({@link #runUntil} times out, an invariant or the test throws inside {@link #check}), the error carries the
 * one-line repro {@code seed=… nodes=… ticks=…} and the last events of the trace.
 *
 * <p>Faults are methods: {@link #crash}, {@link #restart} (a new incarnation with fresh components), {@link #stop}
 * (graceful leave), {@link #pause}/{@link #resume}, {@link #partition}, {@link #blockOneWay}, {@link #heal}. The
 * network's delay, loss, duplication and reordering and the failure-detection times come from {@link SimConfig}.
 *
 * <pre>{@code
 * SimCluster sim = SimCluster.start(SimConfig.defaults(seed), 3, id -> List.of(new MyServer()));
 * sim.runUntil("one view", sim::converged, Duration.ofSeconds(5));
 * sim.partition(Set.of("n1"), Set.of("n2", "n3"));
 * }</pre>
 */
public final class SimCluster {

    private final SimConfig config;
    private final Function<NodeId, List<Component>> componentFactory;
    private final SplittableRandom random;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Trace trace = new Trace();
    private final SimNetwork network;
    private MessageLoss messageLoss;
    private final SimMembership membership;
    /** The current (possibly dead) incarnation of each node name. */
    private final Map<String, SimNode> nodes = new TreeMap<>();

    private final List<Runnable> invariants = new ArrayList<>();
    private final List<BiConsumer<NodeId, MembershipView>> viewListeners = new ArrayList<>();

    private long nowNs;
    private long nextSeq;
    private long ticks;

    private SimCluster(SimConfig config, Function<NodeId, List<Component>> componentFactory) {
        this.config = config;
        this.componentFactory = componentFactory;
        this.random = new SplittableRandom(config.seed());
        this.network = new SimNetwork(this, config, random.split());
        this.membership = new SimMembership(this, config, random.split());
    }

    /**
     * Creates a cluster of nodes {@code n1..nN} that start at time 0 and join one another.
     *
     * @param components makes the components of one node incarnation; called again on every restart
     */
    public static SimCluster start(SimConfig config, int nodeCount, Function<NodeId, List<Component>> components) {
        if (nodeCount < 1) {
            throw new IllegalArgumentException("need at least one node");
        }
        SimCluster sim = new SimCluster(config, components);
        sim.membership.start();
        for (int i = 1; i <= nodeCount; i++) {
            sim.startNode("n" + i);
        }
        return sim;
    }

    // ---- running ----------------------------------------------------------------------------------------

    /** Simulated true time in nanoseconds since the run began. */
    public long nowNs() {
        return nowNs;
    }

    /** Events processed so far. */
    public long ticks() {
        return ticks;
    }

    /** A hash over every event so far: equal for two runs of one seed and scenario. */
    public long traceHash() {
        return trace.hash();
    }

    /** The one-line repro of this run at this point. */
    public String repro() {
        return "seed=" + config.seed() + " nodes=" + nodes.size() + " ticks=" + ticks;
    }

    /**
     * Runs events until {@code condition} holds, for at most {@code bound} of simulated time.
     *
     * @throws SimulationFailure when the bound passes first, naming {@code goal}, with the repro
     */
    public void runUntil(String goal, BooleanSupplier condition, Duration bound) {
        long deadline = nowNs + bound.toNanos();
        check(() -> {
            while (!condition.getAsBoolean()) {
                if (queue.isEmpty() || queue.peek().atNs > deadline) {
                    nowNs = Math.max(nowNs, Math.min(deadline, queue.isEmpty() ? deadline : queue.peek().atNs));
                    throw failure("not reached within " + bound + ": " + goal + "\n  views: " + describeViews(), null);
                }
                step();
            }
        });
    }

    /** Runs every event up to {@code duration} from now. */
    public void runFor(Duration duration) {
        long until = nowNs + duration.toNanos();
        check(() -> {
            while (!queue.isEmpty() && queue.peek().atNs <= until) {
                step();
            }
            nowNs = until;
        });
    }

    /**
     * Runs {@code body}; any error it throws comes back as a {@link SimulationFailure} carrying the repro. Use it
     * around a scenario's assertions so a failing seed can be replayed.
     */
    public void check(Runnable body) {
        try {
            body.run();
        } catch (SimulationFailure failure) {
            throw failure;
        } catch (RuntimeException | AssertionError error) {
            throw failure(String.valueOf(error.getMessage()), error);
        }
    }

    /** Adds a check run after every event; it should throw (an AssertionError) when the invariant breaks. */
    public void addInvariant(Runnable invariant) {
        invariants.add(Objects.requireNonNull(invariant));
    }

    /** Calls {@code listener} with every view installed on any node, when it is installed there. */
    public void onView(BiConsumer<NodeId, MembershipView> listener) {
        viewListeners.add(listener);
    }

    // ---- faults -----------------------------------------------------------------------------------------

    /** Kills the current incarnation of {@code name} at once: no {@code onStop}, messages in flight are lost. */
    public void crash(String name) {
        SimNode node = live(name);
        traceOnly(() -> "crash " + node.id());
        node.markDead();
        network.forget(node.id());
        membership.crashed(node.id());
        membership.connectivityChanged();
    }

    /** Starts a new incarnation of {@code name} (crashed or stopped before) with fresh components. */
    public SimNode restart(String name) {
        SimNode previous = nodes.get(name);
        if (previous == null) {
            throw new IllegalArgumentException("unknown node " + name);
        }
        if (!previous.isDead()) {
            throw new IllegalStateException(name + " is still running; crash or stop it first");
        }
        return startNode(name);
    }

    /** Adds a node that was not in the cluster before, named {@code name}. */
    public SimNode addNode(String name) {
        if (nodes.containsKey(name)) {
            throw new IllegalArgumentException(name + " exists; use restart");
        }
        return startNode(name);
    }

    /** Stops {@code name} gracefully: its components' {@code onStop} runs and the others install a view without it. */
    public void stop(String name) {
        SimNode node = live(name);
        traceOnly(() -> "stop " + node.id());
        node.stopComponents();
        node.markDead();
        network.forget(node.id());
        membership.left(node.id());
        membership.connectivityChanged();
    }

    /**
     * Makes a node paused past failure detection behave as under JGroups: it never installs the view that excluded it,
     * keeps its old view until a merge, and reports that old view in the merge view, whose subgroups then overlap. Off
     * by default.
     */
    public SimCluster pausedNodesKeepTheirView() {
        membership.pausedKeepTheirView(true);
        return this;
    }

    /**
     * Makes the messages {@code loss} picks vanish after the reliable channel delivered them, before their component
     * sees them: a loss no retransmission repairs (a bug below the component, a connection reset mid-flight), for
     * tests of what a protocol does when an answer it waits for never comes. {@code null} loses nothing.
     */
    public void loseMessages(MessageLoss loss) {
        this.messageLoss = loss;
    }

    /** Picks the messages {@link #loseMessages} makes vanish. */
    @FunctionalInterface
    public interface MessageLoss {
        boolean loses(NodeId from, NodeId to, String component, byte[] payload);
    }

    boolean loses(NodeId from, NodeId to, String component, byte[] payload) {
        MessageLoss loss = messageLoss;
        if (loss == null || !loss.loses(from, to, component, payload)) {
            return false;
        }
        traceOnly(() -> "lose " + from + "->" + to + " " + component);
        return true;
    }

    /** Freezes {@code name} as SIGSTOP would: it handles nothing until resumed; events for it wait. */
    public void pause(String name) {
        SimNode node = live(name);
        traceOnly(() -> "pause " + node.id());
        node.setPaused(true);
        membership.connectivityChanged();
    }

    /** Lets a paused node run again; the events that waited for it run first, in order. */
    public void resume(String name) {
        SimNode node = live(name);
        if (!node.isPaused()) {
            return;
        }
        traceOnly(() -> "resume " + node.id());
        node.setPaused(false);
        List<Event> waiting = List.copyOf(node.deferred);
        node.deferred.clear();
        for (Event event : waiting) {
            queue.add(new Event(nowNs, nextSeq++, node, event.label, event.action));
        }
        membership.connectivityChanged();
    }

    /** Cuts every link between nodes of different sides, both ways. Nodes on no side keep all their links. */
    @SafeVarargs
    public final void partition(Set<String>... sides) {
        traceOnly(() -> "partition " + Arrays.toString(sides));
        for (int i = 0; i < sides.length; i++) {
            for (int j = 0; j < sides.length; j++) {
                if (i != j) {
                    for (String a : sides[i]) {
                        for (String b : sides[j]) {
                            network.block(a, b);
                        }
                    }
                }
            }
        }
        membership.connectivityChanged();
    }

    /** Drops everything {@code from} sends to {@code to}; the other direction still works. */
    public void blockOneWay(String from, String to) {
        traceOnly(() -> "block " + from + "->" + to);
        network.block(from, to);
        membership.connectivityChanged();
    }

    /** Restores every link. */
    public void heal() {
        traceOnly(() -> "heal");
        network.unblockAll();
        membership.connectivityChanged();
    }

    // ---- reading state ----------------------------------------------------------------------------------

    /** The current incarnation of {@code name}, dead or alive. */
    public SimNode node(String name) {
        SimNode node = nodes.get(name);
        if (node == null) {
            throw new IllegalArgumentException("unknown node " + name + "; nodes are " + nodes.keySet());
        }
        return node;
    }

    /** The incarnations that are neither crashed nor stopped (paused ones included), by name. */
    public List<SimNode> liveNodes() {
        return nodes.values().stream().filter(node -> !node.isDead()).toList();
    }

    /** True when every live node has installed the same view and it holds exactly the live nodes. */
    public boolean converged() {
        List<SimNode> live = liveNodes();
        MembershipView first = live.get(0).view();
        if (first.size() != live.size()) {
            return false;
        }
        for (SimNode node : live) {
            if (node.isPaused() || !node.view().equals(first) || !first.contains(node.id())) {
                return false;
            }
        }
        return true;
    }

    /** Runs {@code action} on {@code name}'s component of the given type now, as an event of that node. */
    public <C extends Component> void execute(String name, Class<C> type, BiConsumer<C, Long> action) {
        SimNode node = live(name);
        C component = node.component(type);
        schedule(nowNs, node, () -> "execute " + node.id() + " " + component.name(), () -> {
            action.accept(component, node.nowNs());
        });
    }

    public SimConfig config() {
        return config;
    }

    // ---- for the network and membership -------------------------------------------------------------------

    SimNetwork network() {
        return network;
    }

    /** The node running incarnation {@code id}, or null when that incarnation is dead or replaced. */
    SimNode liveIncarnation(NodeId id) {
        SimNode node = nodes.get(id.name());
        return node != null && node.id().equals(id) && !node.isDead() ? node : null;
    }

    void installView(MembershipView view) {
        for (NodeId member : view.members()) {
            SimNode node = liveIncarnation(member);
            if (node == null) {
                continue;
            }
            long at = Math.max(nowNs + network.sampleDelayNs(), node.lastViewDeliveryNs);
            node.lastViewDeliveryNs = at;
            schedule(at, node, () -> "view " + node.id() + " " + view, () -> {
                node.installView(view);
                for (BiConsumer<NodeId, MembershipView> listener : viewListeners) {
                    listener.accept(node.id(), view);
                }
            });
        }
    }

    void schedule(long atNs, SimNode target, Supplier<String> label, Runnable action) {
        if (atNs < nowNs) {
            throw new IllegalArgumentException("cannot schedule in the past: " + atNs + " < " + nowNs);
        }
        queue.add(new Event(atNs, nextSeq++, target, label, action));
    }

    void traceOnly(Supplier<String> line) {
        trace.record(nowNs, line.get());
    }

    // ---- internals --------------------------------------------------------------------------------------

    private SimNode startNode(String name) {
        SimNode previous = nodes.get(name);
        long incarnation = previous == null ? 1 : previous.id().incarnation() + 1;
        NodeId id = new NodeId(name, incarnation);
        long nodeSeed = config.seed() * 31 + name.hashCode() * 1_000_003L + incarnation;
        SimNode node = new SimNode(this, id, componentFactory.apply(id), nodeSeed, config);
        nodes.put(name, node);
        traceOnly(() -> "start " + id);
        schedule(nowNs, node, () -> "onStart " + id, node::start);
        membership.join(id);
        membership.connectivityChanged();
        return node;
    }

    private SimNode live(String name) {
        SimNode node = node(name);
        if (node.isDead()) {
            throw new IllegalStateException(node.id() + " is not running");
        }
        return node;
    }

    private void step() {
        Event event = queue.poll();
        nowNs = Math.max(nowNs, event.atNs);
        SimNode target = event.target;
        if (target != null && target.isDead()) {
            return;
        }
        if (target != null && target.isPaused()) {
            target.deferred.add(event);
            return;
        }
        ticks++;
        trace.record(nowNs, event.label.get());
        event.action.run();
        for (Runnable invariant : invariants) {
            invariant.run();
        }
    }

    private SimulationFailure failure(String what, Throwable cause) {
        return new SimulationFailure(what, repro(), trace.recent(), cause);
    }

    private String describeViews() {
        StringBuilder text = new StringBuilder();
        for (SimNode node : nodes.values()) {
            text.append("\n    ").append(node);
        }
        return text.toString();
    }

    /** One scheduled event; equal times run in scheduling order. */
    record Event(long atNs, long seq, SimNode target, Supplier<String> label, Runnable action)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(atNs, other.atNs);
            return byTime != 0 ? byTime : Long.compare(seq, other.seq);
        }
    }
}
