package io.cohort.supervisor;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.cohort.crdt.CounterSet;
import io.cohort.crdt.Delta;
import io.cohort.crdt.DeltaBuffer;
import io.cohort.crdt.HybridClock;
import io.cohort.crdt.ORMap;
import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.runtime.NodeContext;
import io.cohort.node.runtime.Timers;
import io.cohort.registry.ConflictPolicy;
import io.cohort.supervisor.wire.Beat;
import io.cohort.supervisor.wire.Digest;
import io.cohort.supervisor.wire.Hosted;
import io.cohort.supervisor.wire.Hosting;
import io.cohort.supervisor.wire.Leaving;
import io.cohort.supervisor.wire.Release;
import io.cohort.supervisor.wire.SavedSpecs;
import io.cohort.supervisor.wire.SliceSeen;
import io.cohort.supervisor.wire.SpecDeltas;
import io.cohort.supervisor.wire.SupervisorMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * One replica of a distributed supervisor, on one node: a single-threaded component that keeps the cluster's child
 * specs and runs the children this node owns.
 *
 * <p><b>Specs.</b> Child specs live in a multi-writer add-wins map ({@link ORMap}, one slice per writing node). Any
 * node starts a child by writing its spec into its own slice; terminating retires every dot of the id this replica
 * has seen, whichever slice holds it, so a spec outlives the node that wrote it and can be removed by any other.
 * Concurrent writes of one id both survive the join; every node reads the one with the later hybrid-logical-clock
 * stamp ({@link SpecEntry#newer}). Writes travel as deltas to every member at the end of the event; a peer that is new
 * in the view or across a merge gets a digest of every slice and answers with what the digest lacks. Survivors compare
 * digests on every view that lost a member, and every member sends one every {@code antiEntropyIntervalNs}, so a
 * write that reached only some members (its writer crashed mid-broadcast) reaches all.
 *
 * <p><b>Hosting.</b> Each node announces the children it runs (id and fencing token) to every member: a full list to
 * new peers, changes to all. Only the node itself writes its hosting, and a node's hosting counts only while it is
 * in this node's view — a lost node's children are no longer running as far as this node is concerned. A peer that
 * is new in the view counts as <em>unknown</em> until its full hosting arrives (or {@code hostingWaitNs} passed):
 * while any member is unknown this node starts nothing, so a join or a merge never starts a copy of a child that
 * the newcomer already runs. The full hosting sent to a new peer asks for the peer's in return; a member silent for
 * {@code hostingWaitNs} runs no supervisor and nothing is placed on it.
 *
 * <p><b>Ownership.</b> For every child the same rule runs on every node, over the node's view, the specs and the
 * hosting it knows: the <em>keeper</em> is the {@link Placement} owner among the eligible members (those not leaving)
 * with {@code active} redistribution; with {@code passive} it is the node already running it (the placement owner if
 * it is one of several, else the smallest), or the placement owner when none runs it. The keeper starts the child
 * when no other member runs it; any other node running it hands it over (stops it, asking it for its {@link Handoff}
 * state, then sends a {@code Release} to the keeper, which starts it with that state), or simply stops it when the
 * keeper already runs a copy (a duplicate after a merge). Under the {@code quorum} policy a node whose view lacks a
 * quorum stops every child it runs and starts none; so does a node whose lease ran out: fewer than a quorum answered
 * a beat it sent within {@code leaseNs}, so it may be cut off and about to be excluded by the others' failure
 * detection, which takes longer than the lease — the minority is gone before the majority restarts its children.
 *
 * <p><b>Failover.</b> A crash reaches this replica as a view without the node. Its hosting stops counting at that
 * view, so the keepers of its children start them then — never before the view is installed, so a crashed node's
 * child never runs twice. Every incarnation gets a fencing token larger than every token this node has seen for the
 * child: {@code max(viewId << 20, largest seen + 1)}.
 *
 * <p><b>Restarts.</b> A child that ends unexpectedly is restarted by its node according to its restart type, with
 * backoff, its restarts counted per child; more than its intensity allows marks it failed (a spec update every node
 * sees) and it is not started again anywhere. A child that could not register its id (another process still holds
 * it, a moving child's old incarnation not yet unregistered, or it lost a name conflict) is retried without counting.
 *
 * <p><b>Races handled.</b> Messages from an incarnation older than one seen in a view are dropped and counted. A
 * {@code Release} is sent before the hosting change that removes the child, so the keeper always gets the state before
 * it sees the child gone. A child ending while it is being stopped or handed off is never restarted. Exit notices of
 * monitors replaced by a newer incarnation are ignored.
 */
public final class SupervisorServer implements Component {

    /** Component names are {@code supervisor:<name>}, so several supervisors share one node. */
    public static final String NAME_PREFIX = "supervisor:";

    static final int WIRE_VERSION = 1;
    /** Tokens are {@code viewId << TOKEN_VIEW_SHIFT} plus restarts within that view. */
    static final int TOKEN_VIEW_SHIFT = 20;
    /**
     * Longest wait between retries of a child whose name is still held: the holder is usually an incarnation that
     * just ended and whose removal is a registry round trip away, so retries stay frequent (1 ms doubling to this).
     */
    static final long NAME_TAKEN_RETRY_MAX_NS = 20_000_000L;
    /** Digests held for peers not in view yet; beyond this the smallest-named are dropped. */
    static final int PENDING_DIGESTS_MAX = 256;
    /** How long after a change to the specs a durable replica saves them (changes meanwhile go in the same save). */
    public static final long PERSIST_DELAY_NS = 50_000_000L;

    static final int SAVED_VERSION = 1;

    /** What a node does about children when its side of a partition lacks a quorum. */
    public enum PartitionPolicy {
        /** A side without a majority of the reference membership stops its children: no duplicates. */
        QUORUM,
        /** Both sides run every child; after a merge the duplicates are stopped, keeping one. */
        AVAILABLE
    }

    /** What happens to running children when a node joins. */
    public enum Redistribution {
        /** Nothing moves: children stay where they run; new and orphaned children are placed over all members. */
        PASSIVE,
        /** Children whose placement changed move to their new owner (handed off). */
        ACTIVE
    }

    /**
     * Tuning of one replica.
     *
     * @param placement where children run, and what a quorum is
     * @param partitionPolicy {@code quorum} or {@code available}
     * @param redistribution {@code passive} or {@code active}
     * @param members the configured membership (node names) for the quorum; empty to use the last membership that
     *     had a quorum
     * @param syncEntriesMax most specs in one part of a sync
     * @param hostingWaitNs how long a new peer may stay unknown before this node stops waiting for its hosting
     * @param takeoverDelayNs how long a keeper waits before starting a child whose node left the view: 0 for the
     *     fastest failover; under {@code quorum}, longer than the spread of failure detection between the two sides of
     *     a partition rules out the overlap of the minority still running while the majority restarts
     * @param antiEntropyIntervalNs how often this node sends every member a digest of the specs, so a write that
     *     reached only some members (its writer crashed, or links were cut one way) reaches all; 0 for never
     * @param leaseNs under {@code quorum}: this node keeps running children only while a quorum of members answered
     *     one of its beats (sent every quarter of this) within this long, so a minority cut off in either direction
     *     stops its children before the majority's failure detection ({@code fd.timeout}) excludes it and restarts
     *     them; keep it below {@code fd.timeout} minus {@link #FENCE_STOP_NS}. 0 turns the lease off (a minority then
     *     stops only once its own view loses the quorum)
     */
    public record Options(
            Placement placement,
            PartitionPolicy partitionPolicy,
            Redistribution redistribution,
            Set<String> members,
            int syncEntriesMax,
            long hostingWaitNs,
            long takeoverDelayNs,
            long antiEntropyIntervalNs,
            long leaseNs) {

        /**
         * How long a child stopped because this node lost its lease may take before it is killed (its own shutdown
         * timeout, if shorter).
         */
        public static final long FENCE_STOP_NS = 500_000_000L;

        public Options {
            Objects.requireNonNull(placement, "placement");
            Objects.requireNonNull(partitionPolicy, "partitionPolicy");
            Objects.requireNonNull(redistribution, "redistribution");
            members = Set.copyOf(members);
            if (syncEntriesMax < 1
                    || hostingWaitNs < 0
                    || takeoverDelayNs < 0
                    || antiEntropyIntervalNs < 0
                    || leaseNs < 0) {
                throw new IllegalArgumentException("bad supervisor options");
            }
        }

        /**
         * Rendezvous placement, quorum of the last stable membership, passive, 4096 specs a sync part, 2 s wait, 5 s
         * anti-entropy, a 1.5 s lease (below the default 3 s {@code fd.timeout} by twice the fence stop).
         */
        public static Options defaults() {
            return new Options(
                    Placement.rendezvous(),
                    PartitionPolicy.QUORUM,
                    Redistribution.PASSIVE,
                    Set.of(),
                    4096,
                    2_000_000_000L,
                    0,
                    5_000_000_000L,
                    1_500_000_000L);
        }

        public Options withPlacement(Placement value) {
            return new Options(
                    value,
                    partitionPolicy,
                    redistribution,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withPartitionPolicy(PartitionPolicy value) {
            return new Options(
                    placement,
                    value,
                    redistribution,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withRedistribution(Redistribution value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    value,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withMembers(Set<String> value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    value,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withAntiEntropyIntervalNs(long value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    value,
                    leaseNs);
        }

        public Options withTakeoverDelayNs(long value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    value,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withHostingWaitNs(long value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    members,
                    syncEntriesMax,
                    value,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        public Options withSyncEntriesMax(int value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    members,
                    value,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    leaseNs);
        }

        /**
         * Checks that a node cut off under {@code quorum} stops its children before the others' failure detection,
         * {@code fdTimeout} after its last heartbeat, lets them restart those children: the lease, plus the quarter
         * lease a beat can take to notice it ran out, plus {@link #FENCE_STOP_NS}, must end before it.
         *
         * @throws IllegalArgumentException when it does not, naming both settings
         */
        public void checkLeaseFits(java.time.Duration fdTimeout) {
            if (partitionPolicy != PartitionPolicy.QUORUM || leaseNs == 0) {
                return;
            }
            long fencedByNs = leaseNs + leaseNs / 4 + FENCE_STOP_NS;
            if (fencedByNs >= fdTimeout.toNanos()) {
                throw new IllegalArgumentException("supervisor lease of " + leaseNs / 1_000_000 + " ms fences a cut-off"
                        + " node only " + fencedByNs / 1_000_000 + " ms after the cut, not before fd.timeout ("
                        + fdTimeout.toMillis() + " ms) lets the others restart its children: lower leaseNs below "
                        + Math.max(0, (fdTimeout.toNanos() - FENCE_STOP_NS) * 4 / 5) / 1_000_000
                        + " ms, or raise fd.timeout");
            }
        }

        public Options withLeaseNs(long value) {
            return new Options(
                    placement,
                    partitionPolicy,
                    redistribution,
                    members,
                    syncEntriesMax,
                    hostingWaitNs,
                    takeoverDelayNs,
                    antiEntropyIntervalNs,
                    value);
        }
    }

    /** What {@code startChild} did. */
    public sealed interface StartResult {
        /** The spec was written; its keeper starts it. */
        record Started(String id) implements StartResult {}

        /** A spec with this id exists (and is not failed); nothing changed. */
        record AlreadyStarted(String id) implements StartResult {}

        /** The kind is not registered on this node. */
        record UnknownKind(String kind) implements StartResult {}
    }

    /** Counts as {@code countChildren} reports them on this node. */
    public record Counts(int specs, int running, int failed, int local) {}

    private enum Phase {
        /** The incarnation {@code pid} runs. */
        RUNNING,
        /** Waiting for a restart timer (after a crash, or a name still held elsewhere). */
        BACKOFF,
        /** Asked to stop for good (spec gone, failed, duplicate, no quorum). */
        STOPPING,
        /** Asked to hand its state over and stop, for a move to another node. */
        HANDING_OFF
    }

    /** A child this node runs or is about to restart. */
    private static final class Local {
        final String id;
        Phase phase = Phase.RUNNING;
        /** The incarnation's process, or null in backoff. */
        Pid pid;

        long token;
        long monitorRef;
        /** Restart times (this node's clock) within the spec's window. */
        final ArrayDeque<Long> restarts = new ArrayDeque<>();
        /** Retries after {@link ChildRuntime#NAME_TAKEN}, for their backoff. */
        int takenRetries;
        /** State the incarnation handed over, when handing off. */
        byte[] handoffState;
        /** The handed-over state this incarnation started with, kept for a retry after {@code NAME_TAKEN}. */
        byte[] startState;

        Timers.Timer timer;

        Local(String id) {
            this.id = id;
        }
    }

    private record RestartTimer(String id, Local local) {}

    private record KillTimer(String id, Pid pid) {}

    private record HostingWait(NodeId peer) {}

    private enum TakeoverTimer {
        INSTANCE
    }

    private enum AntiEntropyTimer {
        INSTANCE
    }

    private enum PersistTimer {
        INSTANCE
    }

    private enum BeatTimer {
        INSTANCE
    }

    private final String supervisor;
    private final Options options;

    private NodeContext context;
    private NodeId self;
    private ChildRuntime runtime;
    private Metrics.Counter droppedMalformed;
    private Metrics.Counter droppedUnknownVersion;
    private Metrics.Counter droppedStale;
    private Metrics.Counter childrenStarted;
    private Metrics.Counter childrenRestarted;
    private Metrics.Counter childrenFailed;
    private Metrics.Counter handoffs;
    private Metrics.Counter specsSaved;
    private Metrics.Counter storeUnreadable;
    private Metrics.Counter storeFailures;

    /** Where the specs are saved, or null (not durable). */
    private SpecStore store;
    /** The specs changed since the last save. */
    private boolean specsDirty;

    private boolean persistScheduled;
    /**
     * Restored from the store and not yet told by the view's members what they removed meanwhile: starts nothing
     * until every member it sent a confirming digest to has answered (or its hosting wait ran out), so a child
     * terminated while this node was down does not run here for a moment. Ends at once when the node is alone.
     */
    private boolean restoring;
    /** Members whose confirming answer a restoring replica waits for. */
    private final Set<NodeId> confirmAwaited = new TreeSet<>();

    /** Every slice of the spec map this replica has seen. */
    private final ORMap<SpecEntry> specs = new ORMap<>();
    /** Stamps spec writes; observes every stamp received. */
    private final HybridClock clock = new HybridClock();
    /** Spec deltas not sent yet, per slice (own writes, and removals of other slices' dots). */
    private final TreeMap<NodeId, DeltaBuffer<SpecEntry>> unsent = new TreeMap<>();
    /** The children this node runs, or is restarting or stopping, by id. */
    private final TreeMap<String, Local> local = new TreeMap<>();
    /** Which local child each monitor watches. */
    private final Map<Long, String> byMonitor = new HashMap<>();
    /** Each peer's hosting as last announced: id -> token. Counts only for members of the view. */
    private final TreeMap<NodeId, TreeMap<String, Long>> hosts = new TreeMap<>();
    /** Peers whose full hosting arrived since they last entered the view (or whose wait ran out). */
    private final Set<NodeId> hostingKnown = new TreeSet<>();
    /**
     * Members that never sent a hosting within {@code hostingWaitNs} of joining the view: they do not run this
     * supervisor (or cannot reach us), so nothing is placed on them until they do.
     */
    private final Set<NodeId> hostingAbsent = new TreeSet<>();
    /** Hosting changes of this node not sent yet: id -> token for started, null for stopped. */
    private final TreeMap<String, Long> unsentHosting = new TreeMap<>();
    /** The largest fencing token seen per child, from any node. */
    private final Map<String, Long> tokens = new HashMap<>();
    /** State handed over by a previous incarnation, waiting for this node to start the next one. */
    private final Map<String, byte[]> handoffStates = new HashMap<>();
    /** Children of nodes that left the view, with the time (this node's clock) before which they are not started. */
    private final Map<String, Long> takeoverAfterNs = new HashMap<>();
    /**
     * Children whose incarnation here ended by a shutdown this replica did not ask for — the node closing its
     * processes: not started here again before the next view, so a closing node does not churn restarts; their next
     * keeper starts them once the view drops this node.
     */
    private final Set<String> shutDownHere = new TreeSet<>();
    /** Members that announced they are leaving: nothing is placed on them. */
    private final Set<NodeId> leaving = new TreeSet<>();
    /** The newest incarnation seen in a view, per node name: older ones are dead. */
    private final Map<String, Long> newestIncarnation = new HashMap<>();
    /** Subscribers to this replica's events: monitor ref -> pid. */
    private final TreeMap<Long, Pid> subscribers = new TreeMap<>();
    /** Digests from peers not in this node's view yet (its answer would be dropped): answered when they are. */
    private final TreeMap<NodeId, Digest> pendingDigests = new TreeMap<>();
    /** Futures of {@link #leave} callers, completed once no child runs here. */
    private final List<CompletableFuture<Void>> leaveWaiters = new ArrayList<>();

    /** Node names of the membership the quorum is counted against. */
    private Set<String> reference;

    private MembershipView view;
    /** The time of the event being handled. */
    private long nowNs;

    private boolean selfLeaving;
    private boolean quorum;
    /**
     * Under {@code quorum} with a lease: a quorum of the members answered a beat of ours sent within {@code leaseNs}
     * (members count from the view that brought them in, as if they had just answered). Children run only while both
     * this and {@link #quorum} hold.
     */
    private boolean leaseHeld = true;
    /** The send time (this node's clock) of the latest beat each member answered. */
    private final Map<NodeId, Long> lastAnswered = new HashMap<>();

    private Metrics.Counter leasesLost;

    public SupervisorServer(String supervisor, Options options) {
        if (supervisor.isEmpty()) {
            throw new IllegalArgumentException("supervisor name must not be empty");
        }
        this.supervisor = supervisor;
        this.options = options;
        this.reference = options.members.isEmpty() ? null : options.members;
    }

    public SupervisorServer(String supervisor) {
        this(supervisor, Options.defaults());
    }

    /** A replica whose children run in {@code runtime} (the simulator's; in production the facade attaches one). */
    public SupervisorServer(String supervisor, Options options, ChildRuntime runtime) {
        this(supervisor, options);
        this.runtime = runtime;
    }

    /**
     * Makes this replica durable: it restores the specs saved in {@code specStore} when its node starts, and saves them
     * {@link #PERSIST_DELAY_NS} after every change and when the node stops, so a restart of the whole cluster brings
     * every permanent and transient child back. Call before the node starts. Pair it with a configured quorum
     * membership ({@link Options#withMembers}): a node that comes back alone then waits for a majority instead of
     * starting its saved children by itself.
     */
    public SupervisorServer durable(SpecStore specStore) {
        if (context != null) {
            throw new IllegalStateException("durable(...) must be called before the node starts");
        }
        this.store = Objects.requireNonNull(specStore, "specStore");
        return this;
    }

    public String supervisor() {
        return supervisor;
    }

    @Override
    public String name() {
        return NAME_PREFIX + supervisor;
    }

    public Options options() {
        return options;
    }

    // ---- API: the component's thread -----------------------------------------------------------------------

    /**
     * Sets where children run, if the replica was built without a runtime, and starts what this node owns. Until a
     * runtime is attached this node starts nothing.
     */
    public void attach(ChildRuntime childRuntime) {
        this.runtime = Objects.requireNonNull(childRuntime);
        reconcileAll();
        flush();
    }

    /**
     * Writes the spec; its keeper (on this node or another) starts it. {@code knownKind} says whether this node can run
     * the kind (the facade checks its {@link ChildKinds}).
     */
    public StartResult startChild(ChildSpec spec, boolean knownKind) {
        if (!knownKind) {
            return new StartResult.UnknownKind(spec.kind());
        }
        Resolved current = resolved(spec.id());
        if (current != null && !current.entry.failed()) {
            return new StartResult.AlreadyStarted(spec.id());
        }
        String hint = "";
        if (view != null) {
            hint = options.placement.hint(spec.id(), eligible(), this::load);
        }
        long stamp = clock.stamp(context.clock().wallTimeNs());
        String chosen = hint;
        writeVersion(spec.id(), counter -> new SpecEntry(spec, counter, stamp, false, chosen));
        reconcile(spec.id());
        flush();
        return new StartResult.Started(spec.id());
    }

    /** Removes the spec everywhere; its running incarnation stops. False when this replica knows no such child. */
    public boolean terminateChild(String id) {
        boolean known = removeSpec(id);
        reconcile(id);
        flush();
        return known;
    }

    /** Every child this replica knows, ordered by id, with the node it runs on as this node knows it. */
    public List<ChildInfo> whichChildren() {
        List<ChildInfo> children = new ArrayList<>();
        for (String id : allIds()) {
            Resolved spec = resolved(id);
            if (spec == null) {
                continue;
            }
            String kind = spec.entry.spec().kind();
            if (spec.entry.failed()) {
                children.add(new ChildInfo(id, kind, ChildInfo.Status.FAILED, null, null, 0));
                continue;
            }
            Local own = local.get(id);
            if (own != null && (own.phase == Phase.RUNNING || own.phase == Phase.BACKOFF)) {
                children.add(new ChildInfo(id, kind, ChildInfo.Status.RUNNING, self, own.pid, own.token));
                continue;
            }
            NodeId holder = null;
            long token = 0;
            for (NodeId peer : holdersElsewhere(id)) {
                holder = peer;
                token = hosts.get(peer).get(id);
                break;
            }
            children.add(
                    holder == null
                            ? new ChildInfo(id, kind, ChildInfo.Status.PENDING, null, null, 0)
                            : new ChildInfo(id, kind, ChildInfo.Status.RUNNING, holder, null, token));
        }
        return children;
    }

    public Counts countChildren() {
        int specCount = 0;
        int running = 0;
        int failed = 0;
        for (ChildInfo child : whichChildren()) {
            specCount++;
            if (child.status() == ChildInfo.Status.RUNNING) {
                running++;
            } else if (child.status() == ChildInfo.Status.FAILED) {
                failed++;
            }
        }
        int own = 0;
        for (Local child : local.values()) {
            if (child.phase == Phase.RUNNING) {
                own++;
            }
        }
        return new Counts(specCount, running, failed, own);
    }

    /** The spec of child {@code id} as this replica reads it, if any. */
    public ChildSpec spec(String id) {
        Resolved spec = resolved(id);
        return spec == null ? null : spec.entry.spec();
    }

    /** The node running child {@code id} as this node knows it, or null. */
    public NodeId whereRuns(String id) {
        Local own = local.get(id);
        if (own != null && (own.phase == Phase.RUNNING || own.phase == Phase.BACKOFF)) {
            return self;
        }
        for (NodeId peer : holdersElsewhere(id)) {
            return peer;
        }
        return null;
    }

    /** Subscribes the local process {@code subscriber} to {@link SupervisorEvent}s of this replica. */
    public long subscribe(Pid subscriber) {
        long ref = context.processes().monitor(subscriber);
        subscribers.put(ref, subscriber);
        return ref;
    }

    public boolean unsubscribe(long ref) {
        if (subscribers.remove(ref) == null) {
            return false;
        }
        context.processes().demonitor(ref);
        return true;
    }

    /**
     * Starts a graceful leave: tells every member that this node leaves, so nothing is placed here, and hands every
     * child it runs over to its next keeper. The future completes once no child runs here; then close the node.
     */
    public CompletableFuture<Void> leave() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        leaveWaiters.add(done);
        if (!selfLeaving) {
            selfLeaving = true;
            broadcast(SupervisorMessage.newBuilder().setLeaving(Leaving.getDefaultInstance()));
            reconcileAll();
            flush();
        }
        checkLeft();
        return done;
    }

    /** Called by the {@link ChildRuntime} (as an event of this replica) with the state a child handed over. */
    public void handedOff(Pid pid, byte[] state) {
        for (Local child : local.values()) {
            if (pid.equals(child.pid) && child.phase == Phase.HANDING_OFF) {
                child.handoffState = state == null ? null : state.clone();
                return;
            }
        }
    }

    // ---- component -----------------------------------------------------------------------------------------

    @Override
    public void onStart(NodeContext nodeContext, long nowNs) {
        this.context = nodeContext;
        this.self = nodeContext.self();
        Metrics metrics = nodeContext.metrics();
        String tag = supervisor;
        droppedMalformed = metrics.counter("supervisor.dropped", "supervisor", tag, "reason", "malformed");
        droppedUnknownVersion = metrics.counter("supervisor.dropped", "supervisor", tag, "reason", "unknown_version");
        droppedStale = metrics.counter("supervisor.dropped", "supervisor", tag, "reason", "stale_incarnation");
        childrenStarted = metrics.counter("supervisor.children.started", "supervisor", tag);
        childrenRestarted = metrics.counter("supervisor.children.restarted", "supervisor", tag);
        childrenFailed = metrics.counter("supervisor.children.failed", "supervisor", tag);
        handoffs = metrics.counter("supervisor.handoffs", "supervisor", tag);
        metrics.gauge("supervisor.children.local", local::size, "supervisor", tag);
        specsSaved = metrics.counter("supervisor.specs.saved", "supervisor", tag);
        leasesLost = metrics.counter("supervisor.lease.lost", "supervisor", tag);
        if (leasing()) {
            context.timers().schedule(BeatTimer.INSTANCE, beatIntervalNs());
        }
        storeUnreadable = metrics.counter("supervisor.specs.unreadable", "supervisor", tag);
        storeFailures = metrics.counter("supervisor.specs.store_failures", "supervisor", tag);
        if (store != null) {
            restore();
        }
        if (options.antiEntropyIntervalNs > 0) {
            context.timers().schedule(AntiEntropyTimer.INSTANCE, options.antiEntropyIntervalNs);
        }
    }

    @Override
    public void onView(MembershipView newView, long nowNs) {
        MembershipView previous = view;
        view = newView;
        MembershipView.Change change = newView.changeFrom(previous);
        for (NodeId member : newView.members()) {
            newestIncarnation.merge(member.name(), member.incarnation(), Math::max);
        }
        this.nowNs = nowNs;
        shutDownHere.clear();
        Set<String> orphaned = new TreeSet<>();
        for (NodeId gone : change.left()) {
            TreeMap<String, Long> lost = hosts.remove(gone);
            if (lost != null) {
                orphaned.addAll(lost.keySet());
            }
            hostingKnown.remove(gone);
            hostingAbsent.remove(gone);
            if (lost != null && options.takeoverDelayNs > 0 && !leaving.contains(gone)) {
                lost.keySet().forEach(id -> takeoverAfterNs.put(id, nowNs + options.takeoverDelayNs));
                context.timers().schedule(TakeoverTimer.INSTANCE, options.takeoverDelayNs);
            }
        }
        hosts.keySet().removeIf(node -> !newView.contains(node));
        hostingKnown.removeIf(node -> !newView.contains(node));
        confirmAwaited.removeIf(node -> !newView.contains(node));
        lastAnswered.keySet().removeIf(node -> !newView.contains(node));
        for (NodeId member : newView.members()) {
            if (!member.equals(self)) {
                lastAnswered.putIfAbsent(member, nowNs); // the view is the proof it was reachable just now
            }
        }
        hostingAbsent.removeIf(node -> !newView.contains(node));
        leaving.removeIf(node -> !newView.contains(node));
        updateQuorum();
        leaseHeld = leaseHolds(nowNs);
        Set<NodeId> fresh = new TreeSet<>(change.joined());
        if (newView.isMerge()) {
            fresh.addAll(newView.members()); // non-transitive partitions: peers of our subgroup may have lost us too
        }
        fresh.remove(self);
        if (!change.left().isEmpty()) {
            // The survivors may each hold a different part of what the lost nodes wrote last: compare notes.
            for (NodeId member : newView.members()) {
                if (!member.equals(self) && !fresh.contains(member)) {
                    sendDigest(member);
                }
            }
        }
        for (NodeId peer : fresh) {
            if (restoring) {
                confirmAwaited.add(peer);
            }
            sendDigest(peer);
            sendFullHosting(peer, true);
            if (selfLeaving) {
                send(peer, SupervisorMessage.newBuilder().setLeaving(Leaving.getDefaultInstance()));
            }
            if (!hostingKnown.contains(peer) && options.hostingWaitNs > 0) {
                context.timers().schedule(new HostingWait(peer), options.hostingWaitNs);
            } else if (options.hostingWaitNs == 0) {
                hostingKnown.add(peer);
            }
        }
        pendingDigests.keySet().removeIf(node -> isRetired(node));
        for (NodeId peer : List.copyOf(pendingDigests.keySet())) {
            if (newView.contains(peer)) {
                onDigest(peer, pendingDigests.remove(peer));
            }
        }
        if (restoring && confirmAwaited.isEmpty()) {
            restoring = false; // alone, or the members it waited for left: nobody to hear from
        }
        if (!orphaned.isEmpty()) {
            // The lost nodes' children first, and their names registered at once: the registration runs in a process
            // of its own while this turn goes on with the rest, which after a loss rarely changes anything.
            for (String id : orphaned) {
                reconcile(id);
            }
            if (runtime != null) {
                runtime.flush();
            }
        }
        reconcileAll();
        flush();
    }

    @Override
    public void onMessage(NodeId from, byte[] payload, long nowNs) {
        this.nowNs = nowNs;
        SupervisorMessage message;
        try {
            message = SupervisorMessage.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            droppedMalformed.increment();
            return;
        }
        if (message.getVersion() != WIRE_VERSION) {
            droppedUnknownVersion.increment();
            return;
        }
        if (from.equals(self) || isRetired(from)) {
            droppedStale.increment();
            return;
        }
        try {
            switch (message.getBodyCase()) {
                case DELTAS -> onDeltas(message.getDeltas());
                case SYNC -> {
                    onDeltas(message.getSync());
                    if (message.getSync().getConfirms() && confirmAwaited.remove(from)) {
                        confirmed();
                    }
                }
                case DIGEST -> onDigest(from, message.getDigest());
                case HOSTING -> onHosting(from, message.getHosting());
                case RELEASE -> onRelease(from, message.getRelease());
                case LEAVING -> onLeaving(from);
                case BEAT -> onBeat(from, message.getBeat());
                default -> droppedMalformed.increment();
            }
        } catch (IllegalArgumentException malformed) {
            droppedMalformed.increment(); // what was joined before the bad part is valid
        }
        flush();
    }

    @Override
    public void onTimer(Object key, long nowNs) {
        this.nowNs = nowNs;
        if (key == AntiEntropyTimer.INSTANCE) {
            if (view != null) {
                for (NodeId member : view.members()) {
                    if (!member.equals(self)) {
                        sendDigest(member);
                    }
                }
            }
            context.timers().schedule(AntiEntropyTimer.INSTANCE, options.antiEntropyIntervalNs);
        } else if (key == BeatTimer.INSTANCE) {
            if (view != null) {
                broadcast(
                        SupervisorMessage.newBuilder().setBeat(Beat.newBuilder().setSentNs(nowNs)));
                checkLease(nowNs);
            }
            context.timers().schedule(BeatTimer.INSTANCE, beatIntervalNs());
        } else if (key == PersistTimer.INSTANCE) {
            persistScheduled = false;
            save();
        } else if (key == TakeoverTimer.INSTANCE) {
            takeoverAfterNs.values().removeIf(after -> after <= nowNs);
            reconcileAll();
        } else if (key instanceof RestartTimer restart) {
            Local child = local.get(restart.id());
            if (child == restart.local() && child.phase == Phase.BACKOFF) {
                child.timer = null;
                resume(child);
            }
        } else if (key instanceof KillTimer kill) {
            Local child = local.get(kill.id());
            if (child != null && kill.pid().equals(child.pid)) {
                context.processes().exit(kill.pid(), ExitReason.KILLED);
            }
        } else if (key instanceof HostingWait wait) {
            if (view != null && view.contains(wait.peer()) && hostingKnown.add(wait.peer())) {
                hostingAbsent.add(wait.peer()); // silent so long: it does not run this supervisor
                reconcileAll();
            }
            if (confirmAwaited.remove(wait.peer())) {
                confirmed(); // no answer in time: go on with what we have
            }
        }
        flush();
    }

    @Override
    public void onProcessExit(Pid pid, long monitorRef, ExitReason reason, long nowNs) {
        this.nowNs = nowNs;
        if (subscribers.remove(monitorRef) != null) {
            return;
        }
        String id = byMonitor.remove(monitorRef);
        Local child = id == null ? null : local.get(id);
        if (child == null || child.monitorRef != monitorRef || !pid.equals(child.pid)) {
            return; // an incarnation we already replaced or forgot
        }
        if (child.timer != null) {
            child.timer.cancel();
            child.timer = null;
        }
        child.pid = null;
        notifySubscribers(ref -> new SupervisorEvent.ChildEnded(ref, id, child.token, reason.toString()));
        switch (child.phase) {
            case HANDING_OFF -> {
                handoffs.increment();
                forget(child);
                NodeId keeper = keeperFor(id);
                if (keeper != null && !keeper.equals(self) && view.contains(keeper)) {
                    sendRelease(keeper, id, child.token, child.handoffState);
                } else if (child.handoffState != null) {
                    handoffStates.put(id, child.handoffState); // the move was called off: the next start here gets it
                }
            }
            case STOPPING -> forget(child);
            default -> onUnexpectedExit(child, reason, nowNs);
        }
        reconcile(id);
        checkLeft();
        flush();
    }

    /** {@code Node.leave}: hands every child over, as {@link #leave}. */
    @Override
    public CompletableFuture<Void> onLeave(long nowNs) {
        this.nowNs = nowNs;
        return leave();
    }

    @Override
    public void onStop(long nowNs) {
        flush();
        if (specsDirty) {
            save();
        }
    }

    // ---- protocol ------------------------------------------------------------------------------------------

    private void onDeltas(SpecDeltas deltas) {
        Set<String> touched = new TreeSet<>();
        Map<String, NodeId> markedFailed = new TreeMap<>();
        ORMap.Changes<SpecEntry> changes = new ORMap.Changes<>() {
            @Override
            public void added(NodeId node, SpecEntry entry) {
                clock.observe(entry.stamp());
                touched.add(entry.id());
                if (entry.failed()) {
                    markedFailed.put(entry.id(), node);
                }
            }

            @Override
            public void removed(NodeId node, SpecEntry entry) {
                touched.add(entry.id());
            }
        };
        long seenBefore = specs.dotsSeen();
        try {
            for (io.cohort.supervisor.wire.SliceDelta slice : deltas.getSlicesList()) {
                specs.join(SupervisorWire.delta(slice), changes);
            }
        } finally {
            if (!touched.isEmpty() || specs.dotsSeen() != seenBefore) {
                specsDirty = true;
            }
            touched.forEach(this::reconcile);
            markedFailed.forEach((id, node) -> {
                Resolved spec = resolved(id);
                if (spec != null && spec.entry.failed()) { // another node gave up on it: every subscriber hears
                    notifySubscribers(ref -> new SupervisorEvent.ChildFailed(ref, id, node, "restart intensity"));
                }
            });
        }
    }

    private void onDigest(NodeId from, Digest digest) {
        if (view == null || !view.contains(from)) {
            pendingDigests.put(from, digest); // its view reached it before ours reached us
            while (pendingDigests.size() > PENDING_DIGESTS_MAX) {
                pendingDigests.pollFirstEntry();
            }
            return;
        }
        Map<NodeId, CounterSet> seen = new TreeMap<>();
        for (SliceSeen slice : digest.getSlicesList()) {
            seen.put(SupervisorWire.node(slice.getNode()), SupervisorWire.counters(slice.getSeen()));
        }
        flushSpecs(); // what was queued goes first, in order
        SpecDeltas.Builder part = SpecDeltas.newBuilder();
        int entries = 0;
        for (NodeId node : specs.nodes()) {
            Delta<SpecEntry> delta = specs.deltaFor(node, seen.getOrDefault(node, new CounterSet()));
            if (delta.isEmpty()) {
                continue;
            }
            for (Delta<SpecEntry> piece : delta.split(options.syncEntriesMax)) {
                if (entries > 0 && entries + piece.entries().size() > options.syncEntriesMax) {
                    send(from, SupervisorMessage.newBuilder().setSync(part));
                    part = SpecDeltas.newBuilder();
                    entries = 0;
                }
                part.addSlices(SupervisorWire.slice(piece, true));
                entries += piece.entries().size();
            }
        }
        if (digest.getConfirm()) {
            send(from, SupervisorMessage.newBuilder().setSync(part.setConfirms(true)));
        } else if (part.getSlicesCount() > 0) {
            send(from, SupervisorMessage.newBuilder().setSync(part));
        }
    }

    // ---- lease ---------------------------------------------------------------------------------------------

    private boolean leasing() {
        return options.partitionPolicy == PartitionPolicy.QUORUM && options.leaseNs > 0;
    }

    private long beatIntervalNs() {
        return Math.max(1, options.leaseNs / 4);
    }

    private void onBeat(NodeId from, Beat beat) {
        if (!beat.getAnswer()) {
            send(
                    from,
                    SupervisorMessage.newBuilder()
                            .setBeat(Beat.newBuilder()
                                    .setSentNs(beat.getSentNs())
                                    .setAnswer(true)));
            return;
        }
        if (view != null && view.contains(from)) {
            lastAnswered.merge(from, beat.getSentNs(), Math::max);
            if (!leaseHeld) {
                checkLease(nowNs);
            }
        }
    }

    /** True when a quorum of the reference membership answered a beat of ours within the lease (or leases are off). */
    private boolean leaseHolds(long nowNs) {
        if (!leasing() || view == null || reference == null) {
            return true;
        }
        List<NodeId> reached = new ArrayList<>();
        for (NodeId member : view.members()) {
            Long answered = member.equals(self) ? Long.valueOf(nowNs) : lastAnswered.get(member);
            if (answered != null && nowNs - answered < options.leaseNs) {
                reached.add(member);
            }
        }
        return options.placement.hasQuorum(reached, reference);
    }

    private void checkLease(long nowNs) {
        boolean held = leaseHolds(nowNs);
        if (held == leaseHeld) {
            return;
        }
        leaseHeld = held;
        if (!held) {
            leasesLost.increment(); // cut off from the majority, or this node (or theirs) was stalled that long
        }
        reconcileAll();
    }

    // ---- durability ----------------------------------------------------------------------------------------

    /** Joins the saved specs, as a sync from the past; an unreadable store is set aside and counted. */
    private void restore() {
        byte[] saved;
        try {
            saved = store.load();
        } catch (java.io.UncheckedIOException e) {
            storeFailures.increment(); // the store cannot be read at all: start empty, learn the specs from peers
            return;
        }
        if (saved == null) {
            return;
        }
        try {
            SavedSpecs state = SavedSpecs.parseFrom(saved);
            if (state.getVersion() != SAVED_VERSION || !state.getSupervisor().equals(supervisor)) {
                throw new IllegalArgumentException("saved specs of version " + state.getVersion() + " for supervisor '"
                        + state.getSupervisor() + "'");
            }
            // Decoded whole before anything is joined: a file bad in its last slice changes nothing.
            ORMap<SpecEntry> restored = new ORMap<>();
            for (io.cohort.supervisor.wire.SliceDelta slice : state.getSlicesList()) {
                restored.join(SupervisorWire.delta(slice), ORMap.Changes.none());
            }
            for (Hosted token : state.getTokensList()) {
                tokens.merge(token.getId(), token.getToken(), Math::max);
            }
            specs.join(restored, new ORMap.Changes<>() {
                @Override
                public void added(NodeId node, SpecEntry entry) {
                    clock.observe(entry.stamp());
                }

                @Override
                public void removed(NodeId node, SpecEntry entry) {}
            });
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
            storeUnreadable.increment();
            try {
                store.setAside();
            } catch (java.io.UncheckedIOException notMoved) {
                storeFailures.increment();
            }
            return;
        }
        restoring = specs.size() > 0;
    }

    /** Records a fencing token seen for {@code id}; a durable replica saves the largest, so they grow across restarts. */
    private void observeToken(String id, long token) {
        Long known = tokens.get(id);
        if (known == null || known < token) {
            tokens.put(id, token);
            specsDirty = true;
        }
    }

    /** True when this replica is durable and its store holds every change to the specs made so far. */
    public boolean specsSaved() {
        return store != null && !specsDirty;
    }

    private void confirmed() {
        if (restoring && confirmAwaited.isEmpty()) {
            restoring = false;
            reconcileAll();
        }
    }

    private void save() {
        if (store == null) {
            return;
        }
        SavedSpecs.Builder state =
                SavedSpecs.newBuilder().setVersion(SAVED_VERSION).setSupervisor(supervisor);
        for (NodeId node : specs.nodes()) {
            Delta<SpecEntry> slice = specs.slice(node);
            if (!slice.isEmpty()) {
                state.addSlices(SupervisorWire.slice(slice, true));
            }
        }
        new TreeMap<>(tokens).forEach((id, token) -> {
            if (resolved(id) != null) {
                state.addTokens(Hosted.newBuilder().setId(id).setToken(token));
            }
        });
        try {
            store.save(state.build().toByteArray());
        } catch (java.io.UncheckedIOException e) {
            storeFailures.increment(); // still dirty: the next event that ends schedules another try
            return;
        }
        specsDirty = false;
        specsSaved.increment();
    }

    private void schedulePersist() {
        if (store != null && specsDirty && !persistScheduled) {
            persistScheduled = true;
            context.timers().schedule(PersistTimer.INSTANCE, PERSIST_DELAY_NS);
        }
    }

    private void onHosting(NodeId from, Hosting hosting) {
        Set<String> touched = new TreeSet<>();
        TreeMap<String, Long> known = hosts.computeIfAbsent(from, f -> new TreeMap<>());
        if (hosting.getFull() && hosting.getWantReply()) {
            flush(); // our queued changes first, so the full list is the latest
            sendFullHosting(from, false);
        }
        if (hosting.getFull()) {
            touched.addAll(known.keySet());
            known.clear();
            hostingKnown.add(from);
            hostingAbsent.remove(from);
        }
        for (String id : hosting.getStoppedList()) {
            if (known.remove(id) != null) {
                touched.add(id);
            }
        }
        for (Hosted hosted : hosting.getRunningList()) {
            known.put(hosted.getId(), hosted.getToken());
            observeToken(hosted.getId(), hosted.getToken());
            touched.add(hosted.getId());
            handoffStates.remove(hosted.getId()); // it runs elsewhere now: a held state is stale
        }
        if (hosting.getFull()) {
            reconcileAll();
        } else {
            touched.forEach(this::reconcile);
        }
    }

    private void onRelease(NodeId from, Release release) {
        String id = release.getId();
        observeToken(id, release.getToken());
        if (release.hasState()) {
            handoffStates.put(id, release.getState().toByteArray());
        }
        TreeMap<String, Long> known = hosts.get(from);
        if (known != null) {
            known.remove(id); // it released the child to us; its hosting change follows
        }
        reconcile(id);
    }

    private void onLeaving(NodeId from) {
        if (leaving.add(from)) {
            reconcileAll();
        }
    }

    // ---- decisions -------------------------------------------------------------------------------------------

    private void reconcileAll() {
        if (view == null) {
            return;
        }
        for (String id : allIds()) {
            reconcile(id);
        }
    }

    /** Brings child {@code id} on this node in line with the rule in the class comment. */
    private void reconcile(String id) {
        if (view == null) {
            return;
        }
        Resolved spec = resolved(id);
        Local child = local.get(id);
        boolean wanted = spec != null && !spec.entry.failed() && quorum && leaseHeld;
        NodeId keeper = wanted ? keeper(spec.entry, id) : null;
        if (keeper == null) {
            if (child != null) {
                stop(child, null);
            }
            return;
        }
        if (keeper.equals(self)) {
            if (child != null || runtime == null || !allHostingKnown() || shutDownHere.contains(id)) {
                return; // running (or stopping, then reconciled again), or not able to judge yet
            }
            if (!holdersElsewhere(id).isEmpty()) {
                return; // another member runs it: it hands it over, or its loss will show in a view
            }
            Long after = takeoverAfterNs.get(id);
            if (after != null) {
                if (after > nowNs) {
                    return; // its node left the view moments ago: the takeover timer reconciles it
                }
                takeoverAfterNs.remove(id);
            }
            Local fresh = new Local(id);
            local.put(id, fresh);
            start(fresh, spec.entry);
            return;
        }
        if (child == null || child.phase == Phase.STOPPING || child.phase == Phase.HANDING_OFF) {
            return;
        }
        if (holdersElsewhere(id).contains(keeper) || child.pid == null) {
            stop(child, child.pid == null ? keeper : null); // a duplicate, or nothing to hand over
        } else {
            handOff(child, keeper);
        }
    }

    /** Who should run {@code id} now, as this node sees it; null when nobody may. */
    private NodeId keeper(SpecEntry spec, String id) {
        List<NodeId> eligible = eligible();
        if (eligible.isEmpty()) {
            return null;
        }
        NodeId placed = options.placement.owner(id, spec.hint(), eligible);
        if (options.redistribution == Redistribution.ACTIVE) {
            return placed;
        }
        TreeSet<NodeId> candidates = new TreeSet<>();
        for (NodeId holder : holdersElsewhere(id)) {
            if (!leaving.contains(holder)) {
                candidates.add(holder);
            }
        }
        Local own = local.get(id);
        if (!selfLeaving && own != null && (own.phase == Phase.RUNNING || own.phase == Phase.BACKOFF)) {
            candidates.add(self);
        }
        if (candidates.isEmpty() || candidates.contains(placed)) {
            return placed;
        }
        return candidates.first();
    }

    private NodeId keeperFor(String id) {
        Resolved spec = resolved(id);
        return spec == null || spec.entry.failed() || !quorum || !leaseHeld ? null : keeper(spec.entry, id);
    }

    /** The members children may be placed on: the view without leaving members and members without this supervisor. */
    private List<NodeId> eligible() {
        List<NodeId> members = new ArrayList<>(view.size());
        for (NodeId member : view.members()) {
            if (member.equals(self) ? !selfLeaving : !leaving.contains(member) && !hostingAbsent.contains(member)) {
                members.add(member);
            }
        }
        return members;
    }

    /** The members of the view other than this node that announce running {@code id}, ordered. */
    private TreeSet<NodeId> holdersElsewhere(String id) {
        TreeSet<NodeId> holders = new TreeSet<>();
        for (Map.Entry<NodeId, TreeMap<String, Long>> entry : hosts.entrySet()) {
            if (entry.getValue().containsKey(id) && view != null && view.contains(entry.getKey())) {
                holders.add(entry.getKey());
            }
        }
        return holders;
    }

    private boolean allHostingKnown() {
        if (restoring) {
            return false; // not before the members told us what they removed while we were down
        }
        for (NodeId member : view.members()) {
            if (!member.equals(self) && !hostingKnown.contains(member)) {
                return false;
            }
        }
        return true;
    }

    private void updateQuorum() {
        if (options.partitionPolicy == PartitionPolicy.AVAILABLE) {
            quorum = true;
            return;
        }
        if (reference == null) {
            reference = names(view);
        }
        quorum = options.placement.hasQuorum(view.members(), reference);
        if (quorum && options.members.isEmpty()) {
            reference = names(view); // the last membership that had a quorum
        }
    }

    private static Set<String> names(MembershipView view) {
        Set<String> names = new TreeSet<>();
        view.members().forEach(member -> names.add(member.name()));
        return names;
    }

    // ---- effects ---------------------------------------------------------------------------------------------

    private void start(Local child, SpecEntry spec) {
        String id = child.id;
        long token = Math.max(view.id().id() << TOKEN_VIEW_SHIFT, tokens.getOrDefault(id, 0L) + 1);
        observeToken(id, token);
        byte[] state = handoffStates.remove(id);
        if (state == null) {
            state = child.startState;
        }
        child.startState = state;
        Pid pid;
        try {
            pid = runtime.start(
                    spec.spec().kind(), new ChildStart(id, spec.spec().args(), token, state, self));
        } catch (RuntimeException e) {
            // The runtime could not even spawn it: count it as a failed start, never as this replica's failure.
            child.token = token;
            announce(id, token);
            onUnexpectedExit(child, ExitReason.Failure.of(e), context.clock().nowNs());
            return;
        }
        child.pid = pid;
        child.token = token;
        child.phase = Phase.RUNNING;
        child.monitorRef = context.processes().monitor(pid);
        byMonitor.put(child.monitorRef, id);
        childrenStarted.increment();
        announce(id, token);
        notifySubscribers(ref -> new SupervisorEvent.ChildStarted(ref, id, token));
    }

    /** Stops a child for good; {@code releaseTo} gets an empty release once it is gone (null for none). */
    private void stop(Local child, NodeId releaseTo) {
        if (child.pid == null) {
            forget(child);
            if (releaseTo != null) {
                sendRelease(releaseTo, child.id, child.token, null);
            }
            checkLeft();
            return;
        }
        if (child.phase == Phase.STOPPING) {
            return;
        }
        child.phase = Phase.STOPPING;
        context.processes().exit(child.pid, ExitReason.SHUTDOWN);
        armKill(child);
    }

    private void handOff(Local child, NodeId keeper) {
        child.phase = Phase.HANDING_OFF;
        runtime.requestHandoff(child.pid);
        armKill(child);
    }

    private void armKill(Local child) {
        Resolved spec = resolved(child.id);
        long timeoutNs = spec == null
                ? 5_000_000_000L
                : spec.entry.spec().shutdownTimeout().toNanos();
        if (!leaseHeld) {
            timeoutNs = Math.min(timeoutNs, Options.FENCE_STOP_NS); // fenced: gone before the majority restarts it
        }
        if (child.timer != null) {
            child.timer.cancel();
        }
        child.timer = context.timers().schedule(new KillTimer(child.id, child.pid), timeoutNs);
    }

    private void onUnexpectedExit(Local child, ExitReason reason, long nowNs) {
        String id = child.id;
        if (reason.equals(ChildRuntime.NAME_TAKEN) || reason.equals(ConflictPolicy.NAME_CONFLICT)) {
            // Its id is still held by another process (an old incarnation not yet unregistered, or a duplicate that
            // won a conflict). Not the child's fault: retry with a short backoff, without counting.
            child.takenRetries++;
            backoff(child, Math.min(1_000_000L << Math.min(child.takenRetries - 1, 10), NAME_TAKEN_RETRY_MAX_NS));
            return;
        }
        child.startState = null; // a crashed incarnation's successor does not get the state handed to it
        Resolved spec = resolved(id);
        if (reason instanceof ExitReason.Shutdown) {
            shutDownHere.add(id);
        }
        if (spec == null || spec.entry.failed() || reason instanceof ExitReason.Shutdown) {
            // A shutdown this replica did not ask for comes from the node closing its processes: let the child go
            // here without a restart and without touching its spec; its next keeper runs it once this node is gone.
            forget(child);
            return;
        }
        ChildSpec.Restart restart = spec.entry.spec().restart();
        if (restart == ChildSpec.Restart.TEMPORARY || (restart == ChildSpec.Restart.TRANSIENT && reason.isOrderly())) {
            forget(child);
            removeSpec(id); // done: it is not run again anywhere
            return;
        }
        ChildSpec.Intensity intensity = spec.entry.spec().intensity();
        long windowNs = intensity.window().toNanos();
        while (!child.restarts.isEmpty() && nowNs - child.restarts.peekFirst() >= windowNs) {
            child.restarts.pollFirst();
        }
        child.restarts.addLast(nowNs);
        if (child.restarts.size() > intensity.restartsMax()) {
            forget(child);
            childrenFailed.increment();
            long stamp = clock.stamp(context.clock().wallTimeNs());
            SpecEntry current = spec.entry;
            writeVersion(id, counter -> current.markedFailed(counter, stamp));
            notifySubscribers(ref -> new SupervisorEvent.ChildFailed(ref, id, self, reason.toString()));
            return;
        }
        childrenRestarted.increment();
        backoff(child, intensity.backoffNs(child.restarts.size()));
    }

    private void backoff(Local child, long delayNs) {
        child.phase = Phase.BACKOFF;
        child.pid = null;
        if (delayNs == 0) {
            resume(child);
            return;
        }
        child.timer = context.timers().schedule(new RestartTimer(child.id, child), delayNs);
    }

    /** A child in backoff: start it again if this node still keeps it, else let it go. */
    private void resume(Local child) {
        Resolved spec = resolved(child.id);
        NodeId keeper = keeperFor(child.id);
        if (spec == null || keeper == null) {
            forget(child);
            return;
        }
        if (!keeper.equals(self)) {
            forget(child);
            if (view.contains(keeper)) {
                sendRelease(keeper, child.id, child.token, null);
            }
            return;
        }
        start(child, spec.entry);
    }

    /** Drops a local child that no longer runs and tells the members. */
    private void forget(Local child) {
        if (child.timer != null) {
            child.timer.cancel();
            child.timer = null;
        }
        if (local.remove(child.id) == child) {
            unsentHosting.put(child.id, null);
        }
    }

    private void announce(String id, long token) {
        unsentHosting.put(id, token);
    }

    private void checkLeft() {
        if (selfLeaving && local.isEmpty() && !leaveWaiters.isEmpty()) {
            flush();
            leaveWaiters.forEach(done -> done.complete(null));
            leaveWaiters.clear();
        }
    }

    // ---- spec map writes -------------------------------------------------------------------------------------

    /** Writes a new version of {@code id} in this node's slice, retiring every other dot of it seen here. */
    private void writeVersion(String id, java.util.function.LongFunction<SpecEntry> make) {
        retireForeign(id);
        buffer(specs.put(self, id, make, ORMap.Changes.none()));
    }

    /** Retires every dot of {@code id} seen here. False when there was none. */
    private boolean removeSpec(String id) {
        boolean any = retireForeign(id);
        Delta<SpecEntry> own = specs.remove(self, id, ORMap.Changes.none());
        if (own != null) {
            buffer(own);
            any = true;
        }
        handoffStates.remove(id);
        return any;
    }

    private boolean retireForeign(String id) {
        boolean any = false;
        for (NodeId node : List.copyOf(specs.nodes())) {
            if (node.equals(self)) {
                continue;
            }
            SpecEntry entry = specs.get(node, id);
            if (entry != null) {
                Delta<SpecEntry> removal =
                        Delta.ofWrites(node, List.of(), List.of(new Delta.Removal(id, entry.counter())));
                specs.join(removal, ORMap.Changes.none());
                buffer(removal);
                any = true;
            }
        }
        return any;
    }

    private void buffer(Delta<SpecEntry> delta) {
        if (delta != null) {
            unsent.computeIfAbsent(delta.node(), DeltaBuffer::new).add(delta);
            specsDirty = true;
        }
    }

    // ---- reads of the spec map -------------------------------------------------------------------------------

    private record Resolved(NodeId node, SpecEntry entry) {}

    /** The version of {@code id} every node reads: the newest of the live entries over all slices. */
    private Resolved resolved(String id) {
        Resolved best = null;
        for (NodeId node : specs.nodes()) {
            SpecEntry entry = specs.get(node, id);
            if (entry != null && (best == null || SpecEntry.newer(entry, node, best.entry, best.node))) {
                best = new Resolved(node, entry);
            }
        }
        return best;
    }

    private TreeSet<String> allIds() {
        TreeSet<String> ids = new TreeSet<>(local.keySet());
        for (NodeId node : specs.nodes()) {
            for (SpecEntry entry : specs.entries(node)) {
                ids.add(entry.id());
            }
        }
        return ids;
    }

    /** Children {@code node} runs as this node knows it (for the least-loaded hint). */
    private int load(NodeId node) {
        if (node.equals(self)) {
            return local.size();
        }
        TreeMap<String, Long> known = hosts.get(node);
        return known == null ? 0 : known.size();
    }

    // ---- sending ---------------------------------------------------------------------------------------------

    private void flush() {
        if (runtime != null) {
            runtime.flush();
        }
        flushSpecs();
        schedulePersist();
        if (!unsentHosting.isEmpty() && view != null) {
            Hosting.Builder hosting = Hosting.newBuilder();
            unsentHosting.forEach((id, token) -> {
                if (token == null) {
                    hosting.addStopped(id);
                } else {
                    hosting.addRunning(Hosted.newBuilder().setId(id).setToken(token));
                }
            });
            unsentHosting.clear();
            broadcast(SupervisorMessage.newBuilder().setHosting(hosting));
        }
    }

    private void flushSpecs() {
        if (unsent.isEmpty() || view == null) {
            return;
        }
        SpecDeltas.Builder deltas = SpecDeltas.newBuilder();
        for (DeltaBuffer<SpecEntry> buffer : unsent.values()) {
            for (Delta<SpecEntry> delta : buffer.drain(options.syncEntriesMax)) {
                deltas.addSlices(SupervisorWire.slice(delta, false));
            }
        }
        unsent.clear();
        broadcast(SupervisorMessage.newBuilder().setDeltas(deltas));
    }

    private void sendDigest(NodeId peer) {
        Digest.Builder digest = Digest.newBuilder().setConfirm(confirmAwaited.contains(peer));
        specs.digest()
                .forEach((node, seen) -> digest.addSlices(SliceSeen.newBuilder()
                        .setNode(SupervisorWire.node(node))
                        .setSeen(SupervisorWire.ranges(seen))));
        send(peer, SupervisorMessage.newBuilder().setDigest(digest));
    }

    private void sendFullHosting(NodeId peer, boolean wantReply) {
        Hosting.Builder hosting = Hosting.newBuilder().setFull(true).setWantReply(wantReply);
        for (Local child : local.values()) {
            hosting.addRunning(Hosted.newBuilder().setId(child.id).setToken(child.token));
        }
        send(peer, SupervisorMessage.newBuilder().setHosting(hosting));
    }

    private void sendRelease(NodeId to, String id, long token, byte[] state) {
        flushSpecs();
        Release.Builder release = Release.newBuilder().setId(id).setToken(token);
        if (state != null) {
            release.setState(ByteString.copyFrom(state));
        }
        send(to, SupervisorMessage.newBuilder().setRelease(release));
    }

    private void send(NodeId to, SupervisorMessage.Builder message) {
        context.transport().send(to, message.setVersion(WIRE_VERSION).build().toByteArray());
    }

    private void broadcast(SupervisorMessage.Builder message) {
        if (view == null) {
            return;
        }
        byte[] payload = message.setVersion(WIRE_VERSION).build().toByteArray();
        for (NodeId member : view.members()) {
            if (!member.equals(self)) {
                context.transport().send(member, payload);
            }
        }
    }

    private void notifySubscribers(java.util.function.LongFunction<SupervisorEvent> event) {
        subscribers.forEach((ref, pid) -> context.processes().deliver(pid, event.apply(ref)));
    }

    private boolean isRetired(NodeId node) {
        Long newest = newestIncarnation.get(node.name());
        return newest != null && newest > node.incarnation();
    }

    // ---- for tests and invariants (component thread or a stopped simulation) -----------------------------------

    /** The ids of the children that run here now (not in backoff or stopping), with their pids. */
    Map<String, Pid> runningHere() {
        Map<String, Pid> running = new TreeMap<>();
        local.forEach((id, child) -> {
            if (child.pid != null && child.phase == Phase.RUNNING) {
                running.put(id, child.pid);
            }
        });
        return running;
    }

    /** The token of the local incarnation of {@code id}, or 0. */
    long localToken(String id) {
        Local child = local.get(id);
        return child == null ? 0 : child.token;
    }

    /** The ids of every live spec (not failed) this replica reads. */
    Set<String> liveSpecIds() {
        Set<String> ids = new TreeSet<>();
        for (String id : allIds()) {
            Resolved spec = resolved(id);
            if (spec != null && !spec.entry.failed()) {
                ids.add(id);
            }
        }
        return ids;
    }

    /** The ids of every failed spec this replica reads. */
    Set<String> failedSpecIds() {
        Set<String> ids = new TreeSet<>();
        for (String id : allIds()) {
            Resolved spec = resolved(id);
            if (spec != null && spec.entry.failed()) {
                ids.add(id);
            }
        }
        return ids;
    }

    boolean hasQuorum() {
        return quorum && leaseHeld;
    }

    /** True when this replica holds the live entry of {@code id} that {@code slice} wrote under {@code counter}. */
    boolean holdsEntry(NodeId slice, String id, long counter) {
        SpecEntry entry = specs.get(slice, id);
        return entry != null && entry.counter() == counter;
    }

    /** The counter of this node's own entry of {@code id}, or 0. */
    long ownCounter(String id) {
        SpecEntry entry = specs.get(self, id);
        return entry == null ? 0 : entry.counter();
    }

    /** Every slice's entry for {@code id} and how much of the slice this replica has seen, for failure messages. */
    String describe(String id) {
        StringBuilder text = new StringBuilder(self + " view " + view + ":");
        specs.digest()
                .forEach((node, seen) -> text.append(" ")
                        .append(node)
                        .append("=")
                        .append(specs.get(node, id))
                        .append("/")
                        .append(seen));
        return text.append(" local=").append(local.containsKey(id)).toString();
    }

    /** The whole spec map, for failure messages. */
    String specsText() {
        return specs.toString();
    }

    /** True when both replicas hold the same spec map. */
    boolean sameSpecsAs(SupervisorServer other) {
        return specs.sameStateAs(other.specs);
    }
}
