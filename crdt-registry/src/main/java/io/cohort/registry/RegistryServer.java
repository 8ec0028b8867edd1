package io.cohort.registry;

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
import io.cohort.registry.wire.Digest;
import io.cohort.registry.wire.RegistryMessage;
import io.cohort.registry.wire.Removal;
import io.cohort.registry.wire.Sync;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * One replica of a registry of unique names, on one node: a single-threaded component over the delta-state
 * {@link ORMap} of {@code io.cohort.crdt}.
 *
 * <p><b>Ownership.</b> A registration belongs to the node of its process: only that node writes it (register,
 * unregister, meta updates, removal on exit or lost conflict), in its own slice of the map, and only that node sends
 * it. Nothing is ever removed by a message about another node's processes.
 *
 * <p><b>Exchange.</b> Writes are applied here first (so this node reads its own writes at once), buffered, coalesced
 * per name and sent to every peer in the view as bounded {@code Delta} batches — at the end of the event, or after
 * {@code batchDelayNs} — in per-sender FIFO order. When a peer is new in the view or on the other side of a merge,
 * each side sends the other a {@code Digest}: the dots of the other's slice it has seen. The other answers with a
 * {@code Sync}: the entries the digest lacks, in parts of at most {@code syncEntriesMax}, and, in the last part, a
 * causal context that also covers the dead dots the digest held. A replica that kept a partitioned peer's slice gets
 * only what changed; one that never saw the peer gets everything. A digest not answered within
 * {@code digestResendNs} is sent again (same round, backing off to 8 times that) for as long as the peer stays in
 * view: a lost answer delays the peer's entries, it never hides them for good.
 *
 * <p><b>Visibility.</b> A peer's entries count (in lookups and in conflicts) only while it is in this node's view and
 * has answered this node's latest digest. When it leaves the view its entries are hidden at once and kept, so a
 * return of the same incarnation costs little; they are purged when a later incarnation of that node shows up (and
 * anything still arriving from the old one is dropped), or {@code lostSliceRetentionNs} after it left.
 *
 * <p><b>Conflicts.</b> Two nodes may bind one name when they cannot see each other (a partition) or in the instant
 * before one's delta reaches the other. After every change to a name, this replica evaluates the
 * {@link ConflictResolver} over the visible registrations of the name and publishes the winner. If a registration of
 * its own loses, it — and only it, the loser's node — removes it (a delta like any other, marked with the winner so
 * every node can report the conflict) and applies the {@link ConflictPolicy} to the process: by default an exit
 * signal {@code name_conflict}. A loser that traps exits survives, without the name.
 *
 * <p><b>Reads.</b> The winner of every name is published in a concurrent hash map of immutable
 * {@link Registration}s: lookups from any thread are one hash lookup, without locks, allocation or network.
 *
 * <p><b>Races handled.</b> A digest from a peer that is not in our view yet (it installed the view first) waits for
 * the view that contains it. A sync answering an older digest is joined (it is still a valid delta) but does not
 * make the peer visible. A delta from a peer we have not synced with joins the hidden slice. Messages from an
 * incarnation older than one seen in a view are dropped and counted. A process that exits while registering is
 * caught by its monitor, whose notice removes it.
 */
public final class RegistryServer implements Component {

    /** Component names are {@code registry:<name>}, so several registries share one node. */
    public static final String NAME_PREFIX = "registry:";

    static final int WIRE_VERSION = 1;
    /** Digests held for peers not in view yet; beyond this the oldest-named are dropped (they ask again). */
    static final int PENDING_DIGESTS_MAX = 256;
    /** Longest name accepted, in characters. */
    public static final int NAME_LENGTH_MAX = 1024;

    private static final Object FLUSH = "registry-flush";
    private static final Object PURGE = "registry-purge";
    private static final Object RESEND = "registry-resend-digests";

    /**
     * Tuning of one replica.
     *
     * @param batchDelayNs how long writes may wait to be sent together; 0 sends at the end of each event
     * @param deltaItemsMax most registrations and removals in one delta message
     * @param syncEntriesMax most registrations in one part of a sync
     * @param lostSliceRetentionNs how long the hidden entries of a node that left the view are kept for its return
     * @param conflictPolicy what the loser's node does to a process that lost a name
     * @param digestResendNs how long a digest may go unanswered before it is sent again (doubling per resend, up to
     *     {@link #DIGEST_RESEND_BACKOFF_MAX} times this)
     */
    public record Options(
            long batchDelayNs,
            int deltaItemsMax,
            int syncEntriesMax,
            long lostSliceRetentionNs,
            ConflictPolicy conflictPolicy,
            long digestResendNs) {

        /** The longest wait between resends of one unanswered digest, in multiples of {@code digestResendNs}. */
        public static final int DIGEST_RESEND_BACKOFF_MAX = 8;

        public Options {
            if (batchDelayNs < 0
                    || deltaItemsMax < 1
                    || syncEntriesMax < 1
                    || lostSliceRetentionNs < 0
                    || digestResendNs < 1) {
                throw new IllegalArgumentException("bad registry options");
            }
            java.util.Objects.requireNonNull(conflictPolicy, "conflictPolicy");
        }

        /**
         * 1 ms batching, 4096 items a delta, 8192 entries a sync part, 60 s retention, exit losers, a digest resent
         * after 1 s unanswered.
         */
        public static Options defaults() {
            return new Options(1_000_000, 4096, 8192, 60_000_000_000L, ConflictPolicy.EXIT, 1_000_000_000L);
        }

        public Options withBatchDelayNs(long value) {
            return new Options(
                    value, deltaItemsMax, syncEntriesMax, lostSliceRetentionNs, conflictPolicy, digestResendNs);
        }

        public Options withBatchLimits(int deltaItems, int syncEntries) {
            return new Options(
                    batchDelayNs, deltaItems, syncEntries, lostSliceRetentionNs, conflictPolicy, digestResendNs);
        }

        public Options withConflictPolicy(ConflictPolicy value) {
            return new Options(
                    batchDelayNs, deltaItemsMax, syncEntriesMax, lostSliceRetentionNs, value, digestResendNs);
        }

        public Options withLostSliceRetentionNs(long value) {
            return new Options(batchDelayNs, deltaItemsMax, syncEntriesMax, value, conflictPolicy, digestResendNs);
        }

        public Options withDigestResendNs(long value) {
            return new Options(
                    batchDelayNs, deltaItemsMax, syncEntriesMax, lostSliceRetentionNs, conflictPolicy, value);
        }
    }

    /** What this replica knows of another node. */
    private static final class Peer {
        /** In this node's current view. */
        boolean inView;
        /** Answered our latest digest while in view: its entries are visible. */
        boolean synced;
        /** The round of our latest digest to it; its sync must echo it. */
        long round;
        /** Our latest digest to it has not been answered yet. */
        boolean awaiting;
        /** When that digest was last sent, and the wait before sending it again. */
        long digestSentNs;

        long resendAfterNs;
        /** When it left the view (this node's clock), or -1 while in view. */
        long lostAtNs = -1;
    }

    private record PendingDigest(long round, CounterSet seen) {}

    private final String registry;
    private final Options options;

    private NodeContext context;
    private NodeId self;
    private Metrics.Counter droppedMalformed;
    private Metrics.Counter droppedUnknownVersion;
    private Metrics.Counter droppedStale;
    private Metrics.Counter droppedPending;
    private Metrics.Counter conflictsLost;

    /** Every slice this replica holds: its own (the truth) and its copies of the peers'. */
    private final ORMap<Registration> state = new ORMap<>();
    /** Stamps registrations; observes every stamp received, so a later registration stamps later. */
    private final HybridClock clock = new HybridClock();
    /** Own writes not sent yet. */
    private DeltaBuffer<Registration> unsent;
    /** Own dots removed because they lost a conflict, not sent yet: counter -> winner, to mark the removal. */
    private final Map<Long, Pid> conflictWinners = new HashMap<>();

    /**
     * Conflicts other nodes resolved whose winner this node does not resolve the name to yet (the winner's slice is
     * hidden until its node answers our digest): told to subscribers once it does, so a subscriber that looks the
     * name up on ConflictResolved finds the winner. Dropped when the name moves on to a third owner, or past
     * {@link #DEFERRED_CONFLICTS_MAX}.
     */
    private final Map<String, List<DeferredConflict>> deferredConflicts = new LinkedHashMap<>();

    private record DeferredConflict(Pid winner, Pid loser) {}

    static final int DEFERRED_CONFLICTS_MAX = 100_000;
    /** The monitor of each local process with a name here, so its exit removes its names. */
    private final Map<Pid, Long> processMonitors = new HashMap<>();
    /**
     * The names of each local process, read by {@link #keys} from any thread: a String for one name (the common
     * case, no set per process), an immutable sorted List for several.
     */
    private final ConcurrentHashMap<Pid, Object> localNames = new ConcurrentHashMap<>();
    /** Every node in view or with a slice here, except this one. */
    private final Map<NodeId, Peer> peers = new TreeMap<>();
    /** The nodes whose entries count: this one and the synced peers in view. Ordered for determinism. */
    private final Set<NodeId> visible = new TreeSet<>();
    /** Digests from peers our view does not hold yet. */
    private final TreeMap<NodeId, PendingDigest> pendingDigests = new TreeMap<>();
    /** The newest incarnation seen in a view, per node name: older ones are dead. */
    private final Map<String, Long> newestIncarnation = new HashMap<>();
    /** Subscribers to this replica's events. */
    private final RegistryMonitors subscribers = new RegistryMonitors();
    /** The read side: the winner of every visible name. */
    private final ConcurrentHashMap<String, Registration> published = new ConcurrentHashMap<>();

    private MembershipView view;
    private long nextRound = 1;
    private boolean flushScheduled;
    private boolean purgeScheduled;
    private boolean resendScheduled;
    private Metrics.Counter digestsResent;

    public RegistryServer(String registry, Options options) {
        if (registry.isEmpty()) {
            throw new IllegalArgumentException("registry name must not be empty");
        }
        this.registry = registry;
        this.options = options;
    }

    public RegistryServer(String registry) {
        this(registry, Options.defaults());
    }

    /** The registry's name (the component is {@code registry:<name>}). */
    public String registry() {
        return registry;
    }

    @Override
    public String name() {
        return NAME_PREFIX + registry;
    }

    // ---- reads: any thread, no locks, no network ---------------------------------------------------------------

    /** The process {@code name} resolves to here, or null. One hash lookup; allocates nothing. */
    public Pid whereis(String name) {
        Registration registration = published.get(name);
        return registration == null ? null : registration.pid();
    }

    /** The registration {@code name} resolves to here, or null. */
    public Registration lookup(String name) {
        return published.get(name);
    }

    /** The names {@code pid} holds as this node sees them: exact for local processes, a scan for remote ones. */
    public List<String> keys(Pid pid) {
        if (self != null && pid.node().equals(self)) {
            return namesIn(localNames.get(pid));
        }
        List<String> names = new ArrayList<>();
        for (Registration registration : published.values()) {
            if (registration.pid().equals(pid)) {
                names.add(registration.name());
            }
        }
        names.sort(null);
        return names;
    }

    /** The registrations that match, in no particular order. A scan of the snapshot. */
    public List<Registration> select(Predicate<? super Registration> filter) {
        List<Registration> matches = new ArrayList<>();
        for (Registration registration : published.values()) {
            if (filter.test(registration)) {
                matches.add(registration);
            }
        }
        return matches;
    }

    /** How many registrations match. A scan of the snapshot. */
    public int count(Predicate<? super Registration> filter) {
        int count = 0;
        for (Registration registration : published.values()) {
            if (filter.test(registration)) {
                count++;
            }
        }
        return count;
    }

    /** How many names resolve here. */
    public int size() {
        return published.size();
    }

    // ---- writes: the component's thread ------------------------------------------------------------------------

    /**
     * Binds {@code name} to the local process {@code pid}, unless this node knows it is taken.
     *
     * @param meta user metadata, copied; null for none
     * @throws IllegalArgumentException for a pid of another node or a bad name
     */
    public RegisterResult register(String name, Pid pid, byte[] meta) {
        requireLocal(pid);
        requireName(name);
        if (!context.processes().isAlive(pid)) {
            return new RegisterResult.NoProcess(pid);
        }
        Registration current = published.get(name);
        if (current != null) {
            return new RegisterResult.Taken(current.pid());
        }
        long stamp = clock.stamp(context.clock().wallTimeNs());
        byte[] copy = meta == null ? null : meta.clone();
        write(state.put(self, name, c -> new Registration(name, c, pid, stamp, copy), ORMap.Changes.none()));
        localNames.compute(pid, (p, names) -> withName(names, name));
        processMonitors.computeIfAbsent(pid, p -> context.processes().monitor(p));
        resolve(name);
        flushIfUnbatched();
        return new RegisterResult.Registered(pid);
    }

    /**
     * Removes this node's registration of {@code name}, if {@code pid} is null or holds it.
     *
     * @return false when this node holds no such registration (a remote process's name cannot be removed here)
     */
    public boolean unregister(String name, Pid pid) {
        Registration own = state.get(self, name);
        if (own == null || (pid != null && !own.pid().equals(pid))) {
            return false;
        }
        write(state.remove(self, name, ORMap.Changes.none()));
        forgetLocalName(own.pid(), name);
        resolve(name);
        flushIfUnbatched();
        return true;
    }

    /**
     * Replaces the metadata of this node's registration of {@code name} with {@code update} of the current one
     * (empty when none; a null result clears it). The registration keeps its stamp, so it keeps any conflict it won.
     *
     * @return false when this node holds no registration of {@code name}
     */
    public boolean updateMeta(String name, UnaryOperator<byte[]> update) {
        Registration own = state.get(self, name);
        if (own == null) {
            return false;
        }
        byte[] updated = update.apply(own.meta());
        byte[] copy = updated == null ? null : updated.clone();
        write(state.put(
                self, name, c -> new Registration(name, c, own.pid(), own.stamp(), copy), ORMap.Changes.none()));
        resolve(name);
        flushIfUnbatched();
        return true;
    }

    /** Subscribes the local process {@code subscriber} to this replica's {@link RegistryEvent}s. */
    public long subscribe(Pid subscriber) {
        requireLocal(subscriber);
        return subscribers.add(context.processes(), subscriber);
    }

    /** Ends a subscription; false when the reference is unknown. */
    public boolean unsubscribe(long ref) {
        return subscribers.remove(context.processes(), ref);
    }

    // ---- component ---------------------------------------------------------------------------------------------

    @Override
    public void onStart(NodeContext nodeContext, long nowNs) {
        this.context = nodeContext;
        this.self = nodeContext.self();
        this.unsent = new DeltaBuffer<>(self);
        Metrics metrics = nodeContext.metrics();
        droppedMalformed = metrics.counter("registry.dropped", "registry", registry, "reason", "malformed");
        droppedUnknownVersion = metrics.counter("registry.dropped", "registry", registry, "reason", "unknown_version");
        droppedStale = metrics.counter("registry.dropped", "registry", registry, "reason", "stale_incarnation");
        droppedPending = metrics.counter("registry.dropped", "registry", registry, "reason", "pending_overflow");
        conflictsLost = metrics.counter("registry.conflicts.lost", "registry", registry);
        digestsResent = metrics.counter("registry.digests.resent", "registry", registry);
        metrics.gauge("registry.names", published::size, "registry", registry);
        visible.add(self);
        view = nodeContext.transport().view();
    }

    @Override
    public void onView(MembershipView newView, long nowNs) {
        flush(); // decided under the old view: goes to the old peers first
        for (NodeId member : newView.members()) {
            newestIncarnation.merge(member.name(), member.incarnation(), Math::max);
        }
        for (NodeId known : List.copyOf(peers.keySet())) {
            if (isRetired(known)) {
                purge(known); // a later life of that node is in view: nothing of this one may come back
            }
        }
        pendingDigests.keySet().removeIf(this::isRetired);
        Set<NodeId> fresh = new TreeSet<>(newView.mergedPeersOf(self));
        for (NodeId member : newView.members()) {
            Peer peer = peers.get(member);
            if (!member.equals(self) && (peer == null || !peer.inView)) {
                fresh.add(member);
            }
        }
        for (Map.Entry<NodeId, Peer> entry : peers.entrySet()) {
            Peer peer = entry.getValue();
            if (peer.inView && !newView.contains(entry.getKey())) {
                peer.inView = false;
                peer.lostAtNs = nowNs;
                hide(entry.getKey(), peer);
            }
        }
        view = newView;
        // A merge view exchanges digests with every member, not only the other subgroups: after a non-transitive
        // partition (a node paused past failure detection never installs the view that excluded it, a majority ring)
        // the subgroups overlap, so a member of our own subgroup may have missed writes while it was out of the
        // others' views, and nothing else would ever repair them. Those members stay visible meanwhile; only the
        // ones new to us are hidden until they answer.
        Set<NodeId> digestTo = new TreeSet<>(fresh);
        if (newView.isMerge()) {
            for (NodeId member : newView.members()) {
                if (!member.equals(self)) {
                    digestTo.add(member);
                }
            }
        }
        for (NodeId member : digestTo) {
            Peer peer = peers.computeIfAbsent(member, m -> new Peer());
            if (fresh.contains(member)) {
                hide(member, peer); // visible again once it answers this digest
                peer.inView = true;
                peer.lostAtNs = -1;
            }
            peer.round = nextRound++;
            peer.resendAfterNs = options.digestResendNs;
            sendDigest(member, peer, nowNs);
        }
        for (NodeId member : List.copyOf(pendingDigests.keySet())) {
            if (newView.contains(member)) {
                PendingDigest pending = pendingDigests.remove(member);
                sendSync(member, pending.round, pending.seen);
            }
        }
        schedulePurge();
        scheduleResend(nowNs);
    }

    @Override
    public void onMessage(NodeId from, byte[] payload, long nowNs) {
        RegistryMessage message;
        try {
            message = RegistryMessage.parseFrom(payload);
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
                case DIGEST -> onDigest(from, message.getDigest());
                case SYNC -> onSync(from, message.getSync());
                case DELTA -> onDelta(from, message.getDelta());
                default -> droppedMalformed.increment();
            }
        } catch (IllegalArgumentException malformed) {
            droppedMalformed.increment(); // decoded as far as the bad part; what was joined before it is valid
        }
        flushIfUnbatched();
    }

    @Override
    public void onTimer(Object key, long nowNs) {
        if (key == FLUSH) {
            flushScheduled = false;
            flush();
        } else if (key == PURGE) {
            purgeScheduled = false;
            for (Map.Entry<NodeId, Peer> entry : List.copyOf(peers.entrySet())) {
                Peer peer = entry.getValue();
                if (!peer.inView && peer.lostAtNs >= 0 && nowNs - peer.lostAtNs >= options.lostSliceRetentionNs) {
                    purge(entry.getKey());
                }
            }
            schedulePurge();
        } else if (key == RESEND) {
            resendScheduled = false;
            resendDigests(nowNs);
            scheduleResend(nowNs);
        }
    }

    @Override
    public void onProcessExit(Pid pid, long monitorRef, ExitReason reason, long nowNs) {
        if (subscribers.onSubscriberExit(monitorRef)) {
            return;
        }
        Long ref = processMonitors.get(pid);
        if (ref == null || ref != monitorRef) {
            return; // a monitor we dropped when the process's last name went
        }
        processMonitors.remove(pid);
        Object names = localNames.remove(pid);
        if (names != null) {
            for (String name : namesIn(names)) {
                Registration own = state.get(self, name);
                if (own != null && own.pid().equals(pid)) {
                    write(state.remove(self, name, ORMap.Changes.none()));
                    resolve(name);
                }
            }
        }
        flushIfUnbatched();
    }

    @Override
    public void onStop(long nowNs) {
        flush();
    }

    // ---- protocol ----------------------------------------------------------------------------------------------

    private void onDigest(NodeId from, Digest digest) {
        CounterSet seen = RegistryWire.counters(digest.getSeen());
        if (view.contains(from)) {
            sendSync(from, digest.getRound(), seen);
            return;
        }
        pendingDigests.put(from, new PendingDigest(digest.getRound(), seen)); // its view reached it before ours
        while (pendingDigests.size() > PENDING_DIGESTS_MAX) {
            pendingDigests.pollFirstEntry();
            droppedPending.increment();
        }
    }

    private void onSync(NodeId from, Sync sync) {
        Peer peer = peers.computeIfAbsent(from, f -> new Peer());
        List<Registration> entries = RegistryWire.registrations(from, sync.getEntriesList());
        Delta<Registration> delta;
        if (sync.getLast()) {
            CounterSet context = RegistryWire.counters(sync.getContext());
            for (Registration entry : entries) {
                if (!context.contains(entry.counter())) {
                    throw new IllegalArgumentException("sync entry outside its context");
                }
            }
            delta = new Delta<>(from, entries, List.of(), context);
        } else {
            delta = Delta.ofWrites(from, entries, List.of());
        }
        join(from, delta, Map.of());
        if (sync.getLast() && sync.getRound() == peer.round) {
            peer.awaiting = false;
        }
        if (sync.getLast() && sync.getRound() == peer.round && peer.inView && !peer.synced) {
            peer.synced = true;
            visible.add(from);
            for (String name : namesOf(from)) {
                resolve(name);
            }
        }
    }

    private void onDelta(NodeId from, io.cohort.registry.wire.Delta wire) {
        Map<Long, Pid> winners = Map.of();
        for (Removal removal : wire.getRemovalsList()) {
            if (removal.hasConflictWinner()) {
                if (winners.isEmpty()) {
                    winners = new HashMap<>();
                }
                winners.put(removal.getCounter(), RegistryWire.pid(removal.getConflictWinner()));
            }
        }
        join(from, RegistryWire.writeDelta(from, wire), winners);
    }

    /** Joins a delta of {@code from}'s slice and re-resolves the names it touched, if that slice is visible. */
    private void join(NodeId from, Delta<Registration> delta, Map<Long, Pid> conflictWinners) {
        boolean shown = visible.contains(from);
        Set<String> touched = new LinkedHashSet<>();
        List<Map.Entry<String, DeferredConflict>> resolved = new ArrayList<>();
        state.join(delta, new ORMap.Changes<>() {
            @Override
            public void added(NodeId node, Registration entry) {
                clock.observe(entry.stamp());
                touched.add(entry.name());
            }

            @Override
            public void removed(NodeId node, Registration entry) {
                touched.add(entry.name());
                Pid winner = conflictWinners.get(entry.counter());
                if (winner != null && shown && !subscribers.isEmpty()) {
                    resolved.add(Map.entry(entry.name(), new DeferredConflict(winner, entry.pid())));
                }
            }
        });
        if (shown) {
            for (String name : touched) {
                resolve(name);
            }
        }
        // After the names are re-resolved, so the events come in the order of what this node shows.
        for (Map.Entry<String, DeferredConflict> conflict : resolved) {
            deferredConflicts
                    .computeIfAbsent(conflict.getKey(), n -> new ArrayList<>())
                    .add(conflict.getValue());
            announceConflicts(conflict.getKey());
        }
        while (deferredConflicts.size() > DEFERRED_CONFLICTS_MAX) {
            deferredConflicts.remove(deferredConflicts.keySet().iterator().next());
        }
    }

    /** Tells subscribers the deferred conflicts of {@code name} whose winner it now resolves to; drops moot ones. */
    private void announceConflicts(String name) {
        List<DeferredConflict> waiting = deferredConflicts.get(name);
        if (waiting == null) {
            return;
        }
        Registration current = published.get(name);
        Pid owner = current == null ? null : current.pid();
        waiting.removeIf(conflict -> {
            if (conflict.winner().equals(owner)) {
                subscribers.notify(
                        context.processes(),
                        ref -> new RegistryEvent.ConflictResolved(ref, name, conflict.winner(), conflict.loser()));
                return true;
            }
            return owner != null && !owner.equals(conflict.loser()); // a third owner: that conflict is history
        });
        if (waiting.isEmpty()) {
            deferredConflicts.remove(name);
        }
    }

    /** Makes {@code node}'s entries stop counting here, re-resolving their names. */
    private void hide(NodeId node, Peer peer) {
        peer.synced = false;
        if (visible.remove(node)) {
            for (String name : namesOf(node)) {
                resolve(name);
            }
        }
    }

    /** Forgets everything of {@code node}: its slice, its digest, its peer record. Not a replicated delete. */
    private void purge(NodeId node) {
        Peer peer = peers.remove(node);
        if (peer != null) {
            hide(node, peer);
        }
        state.dropSlice(node, ORMap.Changes.none());
        pendingDigests.remove(node);
        // A winner of that life of the node will never be shown here.
        deferredConflicts
                .values()
                .forEach(waiting -> waiting.removeIf(c -> c.winner().node().equals(node)));
        deferredConflicts.values().removeIf(List::isEmpty);
    }

    /**
     * Evaluates the resolver over the visible registrations of {@code name}, removes this node's own registration if
     * it lost, and publishes the winner, telling subscribers what changed.
     */
    private void resolve(String name) {
        Registration winner = null;
        for (NodeId node : visible) {
            winner = ConflictResolver.winner(winner, state.get(node, name));
        }
        Registration own = state.get(self, name);
        if (own != null && own != winner) {
            loseConflict(own, winner);
        }
        Registration previous = winner == null ? published.remove(name) : published.put(name, winner);
        if (previous != winner && !subscribers.isEmpty()) {
            announce(name, previous, winner);
        }
        if (!deferredConflicts.isEmpty()) {
            announceConflicts(name);
        }
    }

    private void loseConflict(Registration own, Registration winner) {
        write(state.remove(self, own.name(), ORMap.Changes.none()));
        conflictWinners.put(own.counter(), winner.pid());
        forgetLocalName(own.pid(), own.name());
        conflictsLost.increment();
        if (!subscribers.isEmpty()) {
            subscribers.notify(
                    context.processes(),
                    ref -> new RegistryEvent.ConflictResolved(ref, own.name(), winner.pid(), own.pid()));
        }
        options.conflictPolicy.onLost(
                new NameConflict(registry, own.name(), own.pid(), winner.pid()), context.processes());
    }

    private void announce(String name, Registration previous, Registration current) {
        if (previous != null && current != null && previous.pid().equals(current.pid())) {
            subscribers.notify(context.processes(), ref -> new RegistryEvent.MetaUpdated(ref, name, current.pid()));
            return;
        }
        if (previous != null) {
            subscribers.notify(context.processes(), ref -> new RegistryEvent.Unregistered(ref, name, previous.pid()));
        }
        if (current != null) {
            subscribers.notify(context.processes(), ref -> new RegistryEvent.Registered(ref, name, current.pid()));
        }
    }

    private void write(Delta<Registration> delta) {
        if (delta != null) {
            unsent.add(delta);
        }
    }

    /**
     * Sends {@code peer} our digest of its slice for its current round. Its answer normally follows at once; if it
     * does not come (lost below us: a connection reset while the peer left and came back), the digest goes again,
     * same round, with what we have seen by then: its entries stay hidden only until one answer arrives.
     */
    private void sendDigest(NodeId member, Peer peer, long nowNs) {
        peer.awaiting = true;
        peer.digestSentNs = nowNs;
        send(
                member,
                RegistryMessage.newBuilder()
                        .setDigest(Digest.newBuilder()
                                .setRound(peer.round)
                                .setSeen(RegistryWire.ranges(state.context(member)))));
    }

    private void resendDigests(long nowNs) {
        for (Map.Entry<NodeId, Peer> entry : peers.entrySet()) {
            Peer peer = entry.getValue();
            if (peer.inView && peer.awaiting && nowNs - peer.digestSentNs >= peer.resendAfterNs) {
                digestsResent.increment();
                peer.resendAfterNs =
                        Math.min(peer.resendAfterNs * 2, options.digestResendNs * Options.DIGEST_RESEND_BACKOFF_MAX);
                sendDigest(entry.getKey(), peer, nowNs);
            }
        }
    }

    /** Arms the resend timer while a peer in view owes us an answer, at the earliest resend due. */
    private void scheduleResend(long nowNs) {
        if (resendScheduled) {
            return;
        }
        long due = Long.MAX_VALUE;
        for (Peer peer : peers.values()) {
            if (peer.inView && peer.awaiting) {
                due = Math.min(due, peer.digestSentNs + peer.resendAfterNs);
            }
        }
        if (due != Long.MAX_VALUE) {
            resendScheduled = true;
            context.timers().schedule(RESEND, Math.max(1, due - nowNs));
        }
    }

    private void sendSync(NodeId to, long round, CounterSet seen) {
        flush(); // the sync reflects every write so far; what was queued goes first, in order
        List<Delta<Registration>> parts = state.deltaFor(self, seen).split(options.syncEntriesMax);
        for (int i = 0; i < parts.size(); i++) {
            Delta<Registration> part = parts.get(i);
            Sync.Builder sync = Sync.newBuilder().setRound(round);
            for (Registration entry : part.entries()) {
                sync.addEntries(RegistryWire.entry(entry));
            }
            if (i == parts.size() - 1) {
                sync.setLast(true).setContext(RegistryWire.ranges(part.context()));
            }
            send(to, RegistryMessage.newBuilder().setSync(sync));
        }
    }

    private void flushIfUnbatched() {
        if (unsent.isEmpty()) {
            return;
        }
        if (options.batchDelayNs == 0 || unsent.items() >= options.deltaItemsMax) {
            flush();
        } else if (!flushScheduled) {
            flushScheduled = true;
            context.timers().schedule(FLUSH, options.batchDelayNs);
        }
    }

    private void flush() {
        if (unsent.isEmpty()) {
            return;
        }
        List<Delta<Registration>> batches = unsent.drain(options.deltaItemsMax);
        List<byte[]> encoded = new ArrayList<>(batches.size());
        for (Delta<Registration> batch : batches) {
            io.cohort.registry.wire.Delta.Builder delta = io.cohort.registry.wire.Delta.newBuilder();
            for (Registration entry : batch.entries()) {
                delta.addEntries(RegistryWire.entry(entry));
            }
            for (Delta.Removal removal : batch.removals()) {
                Removal.Builder wire =
                        Removal.newBuilder().setName(removal.key()).setCounter(removal.counter());
                Pid winner = conflictWinners.get(removal.counter());
                if (winner != null) {
                    wire.setConflictWinner(RegistryWire.pid(winner));
                }
                delta.addRemovals(wire);
            }
            encoded.add(RegistryMessage.newBuilder()
                    .setVersion(WIRE_VERSION)
                    .setDelta(delta)
                    .build()
                    .toByteArray());
        }
        conflictWinners.clear();
        for (NodeId member : view.members()) {
            if (!member.equals(self)) {
                for (byte[] payload : encoded) {
                    context.transport().send(member, payload);
                }
            }
        }
    }

    private void send(NodeId to, RegistryMessage.Builder message) {
        context.transport().send(to, message.setVersion(WIRE_VERSION).build().toByteArray());
    }

    private void schedulePurge() {
        if (purgeScheduled) {
            return;
        }
        for (Peer peer : peers.values()) {
            if (!peer.inView && peer.lostAtNs >= 0) {
                purgeScheduled = true;
                context.timers().schedule(PURGE, Math.max(1, options.lostSliceRetentionNs));
                return;
            }
        }
    }

    private boolean isRetired(NodeId node) {
        Long newest = newestIncarnation.get(node.name());
        return newest != null && newest > node.incarnation();
    }

    private List<String> namesOf(NodeId node) {
        Collection<Registration> entries = state.entries(node);
        List<String> names = new ArrayList<>(entries.size());
        for (Registration entry : entries) {
            names.add(entry.name());
        }
        names.sort(null); // deterministic event order
        return names;
    }

    private void forgetLocalName(Pid pid, String name) {
        Object names = localNames.computeIfPresent(pid, (p, held) -> withoutName(held, name));
        if (names == null) {
            Long ref = processMonitors.remove(pid);
            if (ref != null) {
                context.processes().demonitor(ref);
            }
        }
    }

    /** The names in a {@link #localNames} value, sorted. */
    @SuppressWarnings("unchecked")
    private static List<String> namesIn(Object names) {
        if (names == null) {
            return List.of();
        }
        return names instanceof String one ? List.of(one) : (List<String>) names;
    }

    private static Object withName(Object names, String name) {
        if (names == null) {
            return name;
        }
        TreeSet<String> all = new TreeSet<>(namesIn(names));
        all.add(name);
        return List.copyOf(all);
    }

    /** The value without {@code name}, or null when none is left (which removes the mapping). */
    private static Object withoutName(Object names, String name) {
        List<String> rest = new ArrayList<>(namesIn(names));
        rest.remove(name);
        if (rest.isEmpty()) {
            return null;
        }
        return rest.size() == 1 ? rest.get(0) : List.copyOf(rest);
    }

    private void requireLocal(Pid pid) {
        if (!pid.node().equals(self)) {
            throw new IllegalArgumentException("only local processes can be registered here: " + pid);
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isEmpty() || name.length() > NAME_LENGTH_MAX) {
            throw new IllegalArgumentException("a name has 1.." + NAME_LENGTH_MAX + " characters");
        }
    }

    /** How this replica sees every other node it holds or expects a slice of, ordered by node. Component thread. */
    public List<PeerStatus> peerStatus(long nowNs) {
        List<PeerStatus> status = new ArrayList<>(peers.size());
        peers.forEach((node, peer) -> status.add(new PeerStatus(
                node,
                peer.inView,
                visible.contains(node),
                peer.inView && peer.awaiting, // a digest to a node out of view is not waited for
                peer.round,
                peer.round == 0 ? -1 : (nowNs - peer.digestSentNs) / 1_000_000,
                state.entries(node).size())));
        return status;
    }

    // ---- for tests and invariants (component thread or a stopped simulation) -------------------------------------

    /** The names this node's own slice holds. */
    Set<String> ownNames() {
        Set<String> names = new TreeSet<>();
        state.entries(self).forEach(entry -> names.add(entry.name()));
        return names;
    }

    /** The names this replica holds in {@code node}'s slice (visible or not). */
    Set<String> namesHeldOf(NodeId node) {
        return new TreeSet<>(namesOf(node));
    }

    /** The nodes whose entries count here. */
    Set<NodeId> visibleNodes() {
        return Set.copyOf(visible);
    }

    /** The nodes this replica holds a slice of (visible or hidden). */
    Set<NodeId> heldSlices() {
        return Set.copyOf(state.nodes());
    }

    /** This node's own registration of {@code name}, or null. */
    Registration own(String name) {
        return state.get(self, name);
    }
}
