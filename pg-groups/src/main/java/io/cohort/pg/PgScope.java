package io.cohort.pg;

import com.google.protobuf.InvalidProtocolBufferException;
import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.runtime.NodeContext;
import io.cohort.pg.wire.Delta;
import io.cohort.pg.wire.GroupSerials;
import io.cohort.pg.wire.Op;
import io.cohort.pg.wire.PgMessage;
import io.cohort.pg.wire.Sync;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One pg scope on one node: Erlang's {@code pg} as a single-threaded component.
 *
 * <p><b>Protocol.</b> Each node is the only writer of its own members. Joins and leaves of local processes are
 * applied here, then sent to every peer as batched {@link Delta}s (one per event at most, or on a short timer when
 * {@code batchDelayNs > 0}); the transport keeps them in order per sender. When a peer appears — new in a view, or on
 * the other side of a merge — this node sends it a {@link Sync} of its whole local slice, which <em>replaces</em>
 * whatever that peer knew of this node. When a peer leaves the view, its slice is dropped here; nothing is ever
 * deleted by a message about another node. There are no locks, no conflicts and no periodic resync.
 *
 * <p><b>State.</b> {@link #localGroups} (this node's members, with multiplicity), {@link #remote} (each peer's last
 * known slice), {@link #pending} (slices of peers whose view has not reached us yet), and {@link #published}: the
 * read side, one immutable {@link GroupMembers} per group in a concurrent map, so readers on any thread get a
 * consistent group without locking or copying.
 *
 * <p><b>Races handled.</b> A peer's Sync can arrive before the view that contains it (it installed the view first):
 * it waits in {@link #pending} (through any views without the peer) and is adopted when our view includes the
 * peer, or dropped once a later incarnation of that node shows up. A Delta from a peer we hold no slice for predates its Sync (an earlier life of our link) and is ignored. A
 * local member that exits is removed through its monitor, and its leaves go out like any other.
 */
public final class PgScope implements Component {

    /** Component names are {@code pg:<scope>}, so several scopes share one node. */
    public static final String NAME_PREFIX = "pg:";

    static final int WIRE_VERSION = 1;
    /** Slices held for peers not yet in view; beyond this, the oldest-named are dropped (they resync on a view). */
    static final int PENDING_PEERS_MAX = 256;

    /**
     * How long a join or leave may wait to share a Delta with the next ones. A burst of joins then costs one message
     * per peer per millisecond instead of one per join; remote nodes see a change at most this much later.
     */
    public static final java.time.Duration DEFAULT_BATCH_DELAY = java.time.Duration.ofMillis(1);

    private static final Object FLUSH = "pg-flush";

    private final String scope;
    /** How long joins and leaves may wait to be sent together; 0 sends at the end of each event. */
    private final long batchDelayNs;

    private NodeContext context;
    private Metrics.Counter droppedMalformed;
    private Metrics.Counter droppedUnknownVersion;
    private Metrics.Counter droppedUnknownPeer;

    /** Local members: group -> pids, a pid once per join, in join order. */
    private final Map<String, MemberList> localGroups = new TreeMap<>();
    /** The monitor of each local member, so its exit removes it from every group. */
    private final Map<Pid, LocalMember> memberMonitors = new HashMap<>();
    /** Each peer's slice as it last told us: peer -> group -> pids. */
    private final Map<NodeId, Map<String, MemberList>> remote = new TreeMap<>();
    /** Slices from peers that are not in our view yet (their Sync overtook our view). */
    private final Map<NodeId, Map<String, MemberList>> pending = new TreeMap<>();
    /** The peers we have sent our slice to: the other members of our current view. */
    private final Set<NodeId> peers = new TreeSet<>();
    /** Joins and leaves not sent yet. */
    private final List<Op> unsent = new ArrayList<>();

    private final PgMonitors monitors = new PgMonitors();

    /** The read side: replaced per group on every change. */
    private final ConcurrentHashMap<String, GroupMembers> published = new ConcurrentHashMap<>();

    private MembershipView view;
    private boolean flushScheduled;

    public PgScope(String scope, long batchDelayNs) {
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("scope name must not be empty");
        }
        this.scope = scope;
        this.batchDelayNs = batchDelayNs;
    }

    /** A scope that sends its joins and leaves together at most {@link #DEFAULT_BATCH_DELAY} after the first. */
    public PgScope(String scope) {
        this(scope, DEFAULT_BATCH_DELAY.toNanos());
    }

    public String scope() {
        return scope;
    }

    @Override
    public String name() {
        return NAME_PREFIX + scope;
    }

    // ---- reads: any thread --------------------------------------------------------------------------------

    /** Every member of {@code group} this node knows of; empty for an unknown group. Lock-free. */
    public List<Pid> members(String group) {
        return published.getOrDefault(group, GroupMembers.EMPTY).all();
    }

    /** The members of {@code group} on this node. Lock-free. */
    public List<Pid> localMembers(String group) {
        return published.getOrDefault(group, GroupMembers.EMPTY).local();
    }

    /** The current snapshot of {@code group}: members everywhere, here, and by remote node. Lock-free. */
    public GroupMembers snapshot(String group) {
        return published.getOrDefault(group, GroupMembers.EMPTY);
    }

    /** The groups with at least one member (empty groups do not exist). */
    public Set<String> whichGroups() {
        return Set.copyOf(published.keySet());
    }

    // ---- writes: the component's thread -------------------------------------------------------------------

    /**
     * Adds local processes to {@code group}, once per occurrence in {@code pids}.
     *
     * @throws IllegalArgumentException for a pid of another node (only local processes may join)
     */
    public void join(String group, List<Pid> pids) {
        requireLocal(pids);
        MemberList members = localGroups.getOrDefault(group, MemberList.EMPTY);
        List<Pid> joined = new ArrayList<>();
        for (Pid pid : pids) {
            if (!context.processes().isAlive(pid)) {
                continue; // a process that already ended joins nothing (its exit notice came or will come first)
            }
            memberMonitors
                    .computeIfAbsent(
                            pid, p -> new LocalMember(context.processes().monitor(p)))
                    .groups
                    .add(group);
            members = members.append(pid);
            joined.add(pid);
        }
        if (!joined.isEmpty()) {
            localGroups.put(group, members);
            queue(true, group, joined);
            republish(group);
            monitors.notify(context.processes(), PgEvent.Kind.JOIN, group, joined);
        }
    }

    /** Removes one membership of each pid; {@link LeaveResult#NOT_JOINED} when none of them was a member. */
    public LeaveResult leave(String group, List<Pid> pids) {
        requireLocal(pids);
        MemberList members = localGroups.get(group);
        List<Pid> left = new ArrayList<>();
        if (members != null) {
            putOrRemove(localGroups, group, members.removeEachOnce(pids, left));
        }
        if (left.isEmpty()) {
            return LeaveResult.NOT_JOINED;
        }
        for (Pid pid : left) {
            forgetMembership(pid, group);
        }
        queue(false, group, left);
        republish(group);
        monitors.notify(context.processes(), PgEvent.Kind.LEAVE, group, left);
        return LeaveResult.LEFT;
    }

    /** The groups {@code pid} (a local process) is in, once per join. */
    public List<String> groupsOf(Pid pid) {
        LocalMember member = memberMonitors.get(pid);
        if (member == null) {
            return List.of();
        }
        List<String> groups = new ArrayList<>(member.groups);
        java.util.Collections.sort(groups);
        return groups;
    }

    /**
     * Subscribes {@code subscriber} to every change in the scope; returns the reference its {@link PgEvent}s carry
     * and the scope's current content (as of this event, before any change it will be told of).
     */
    public PgSubscription monitorScope(Pid subscriber) {
        long ref = monitors.addScope(context.processes(), subscriber);
        Map<String, List<Pid>> content = new TreeMap<>();
        published.forEach((group, members) -> content.put(group, members.all()));
        return new PgSubscription(ref, content);
    }

    /** Subscribes {@code subscriber} to changes of {@code group}; returns the reference and its current members. */
    public PgSubscription monitorGroup(Pid subscriber, String group) {
        long ref = monitors.addGroup(context.processes(), subscriber, group);
        return new PgSubscription(ref, Map.of(group, members(group)));
    }

    /** Ends a subscription; false when the reference is unknown. */
    public boolean demonitor(long ref) {
        return monitors.remove(context.processes(), ref);
    }

    // ---- component ----------------------------------------------------------------------------------------

    @Override
    public void onStart(NodeContext nodeContext, long nowNs) {
        this.context = nodeContext;
        Metrics metrics = nodeContext.metrics();
        droppedMalformed = metrics.counter("pg.dropped", "scope", scope, "reason", "malformed");
        droppedUnknownVersion = metrics.counter("pg.dropped", "scope", scope, "reason", "unknown_version");
        droppedUnknownPeer = metrics.counter("pg.dropped", "scope", scope, "reason", "unknown_peer");
        metrics.gauge("pg.groups", published::size, "scope", scope);
        view = nodeContext.transport().view();
    }

    @Override
    public void onView(MembershipView newView, long nowNs) {
        flush(); // what is queued was decided under the old view: it goes to the old peers first
        NodeId self = context.self();
        Set<NodeId> fresh = new TreeSet<>();
        for (NodeId member : newView.members()) {
            // A merge view goes to every member: after a non-transitive partition (one-way cuts, a majority ring) the
            // merged subgroups overlap, so a peer we shared a subgroup with may have dropped our slice when we left
            // its view while we never left ours. Syncing only the other subgroups left it without our members for
            // good (found by the container chaos suite: bin/cohort chaos --nodes 5 --duration 60s --seed 7).
            if (!member.equals(self) && (newView.isMerge() || !peers.contains(member))) {
                fresh.add(member);
            }
        }
        // Peers gone from the view: drop what they told us. Never a replicated delete.
        for (NodeId gone : List.copyOf(remote.keySet())) {
            if (!newView.contains(gone)) {
                replaceSlice(gone, Map.of());
                remote.remove(gone);
            }
        }
        // A pending slice waits through views without its sender (we may install several before the one with it);
        // it is stale only once a later incarnation of that node is in view.
        pending.keySet()
                .removeIf(peer -> newView.members().stream()
                        .anyMatch(member -> member.sameName(peer) && member.incarnation() > peer.incarnation()));
        view = newView;
        peers.clear();
        for (NodeId member : newView.members()) {
            if (!member.equals(self)) {
                peers.add(member);
            }
        }
        byte[] sync = encodeSync();
        for (NodeId peer : fresh) {
            context.transport().send(peer, sync);
        }
        for (NodeId peer : List.copyOf(pending.keySet())) {
            if (newView.contains(peer)) {
                adopt(peer, pending.remove(peer));
            }
        }
    }

    @Override
    public void onMessage(NodeId from, byte[] payload, long nowNs) {
        PgMessage message;
        try {
            message = PgMessage.parseFrom(payload);
        } catch (InvalidProtocolBufferException e) {
            droppedMalformed.increment();
            return;
        }
        if (message.getVersion() != WIRE_VERSION) {
            droppedUnknownVersion.increment();
            return;
        }
        switch (message.getBodyCase()) {
            case SYNC -> onSync(from, message.getSync());
            case DELTA -> onDelta(from, message.getDelta());
            default -> droppedMalformed.increment();
        }
    }

    @Override
    public void onTimer(Object key, long nowNs) {
        if (key == FLUSH) {
            flushScheduled = false;
            flush();
        }
    }

    @Override
    public void onProcessExit(Pid pid, long monitorRef, ExitReason reason, long nowNs) {
        if (monitors.onSubscriberExit(monitorRef)) {
            return;
        }
        LocalMember member = memberMonitors.get(pid);
        if (member == null || member.monitorRef != monitorRef) {
            return; // a monitor we already dropped after the pid left every group
        }
        memberMonitors.remove(pid);
        for (String group : new java.util.TreeSet<>(member.groups)) {
            MemberList members = localGroups.get(group);
            MemberList kept = members.removeEvery(pid);
            List<Pid> left = java.util.Collections.nCopies(members.size() - kept.size(), pid);
            putOrRemove(localGroups, group, kept);
            if (!left.isEmpty()) {
                queue(false, group, left);
                republish(group);
                monitors.notify(context.processes(), PgEvent.Kind.LEAVE, group, left);
            }
        }
        flushIfUnbatched();
    }

    // ---- protocol -----------------------------------------------------------------------------------------

    private void onSync(NodeId from, Sync sync) {
        Map<String, MemberList> slice = new TreeMap<>();
        for (GroupSerials group : sync.getGroupsList()) {
            List<Pid> pids = new ArrayList<>(group.getSerialsCount());
            for (long serial : group.getSerialsList()) {
                pids.add(new Pid(from, serial));
            }
            slice.merge(group.getGroup(), MemberList.of(pids), MemberList::appendAll);
        }
        slice.values().removeIf(List::isEmpty);
        if (view.contains(from)) {
            adopt(from, slice);
        } else {
            pending.put(from, slice); // its view reached it before ours reached us
            while (pending.size() > PENDING_PEERS_MAX) {
                pending.remove(((TreeMap<NodeId, Map<String, MemberList>>) pending).firstKey());
                droppedUnknownPeer.increment();
            }
        }
    }

    private void onDelta(NodeId from, Delta delta) {
        Map<String, MemberList> slice = remote.get(from);
        boolean adopted = slice != null;
        if (slice == null) {
            slice = pending.get(from);
        }
        if (slice == null) {
            droppedUnknownPeer.increment(); // sent before its Sync reached us in this life of the link: stale
            return;
        }
        Set<String> dirty = new java.util.LinkedHashSet<>();
        List<PgEvent> events = new ArrayList<>();
        for (Op op : delta.getOpsList()) {
            List<Pid> pids = new ArrayList<>(op.getSerialsCount());
            for (long serial : op.getSerialsList()) {
                pids.add(new Pid(from, serial));
            }
            MemberList members = slice.getOrDefault(op.getGroup(), MemberList.EMPTY);
            List<Pid> changed = new ArrayList<>();
            if (op.getJoin()) {
                members = members.appendAll(pids);
                changed.addAll(pids);
            } else {
                members = members.removeEachOnce(pids, changed);
            }
            putOrRemove(slice, op.getGroup(), members);
            if (adopted && !changed.isEmpty()) {
                dirty.add(op.getGroup());
                events.add(
                        new PgEvent(0, op.getJoin() ? PgEvent.Kind.JOIN : PgEvent.Kind.LEAVE, op.getGroup(), changed));
            }
        }
        // Each changed group is published once per Delta, however many of its ops touched it; then the monitors are
        // told, in op order, so a subscriber that reads on an event sees at least that change.
        dirty.forEach(this::republish);
        for (PgEvent event : events) {
            monitors.notify(context.processes(), event.kind(), event.group(), event.pids());
        }
    }

    /** Makes {@code slice} what we know of {@code peer}, telling monitors what changed. */
    private void adopt(NodeId peer, Map<String, MemberList> slice) {
        replaceSlice(peer, slice);
        remote.put(peer, slice);
    }

    private void replaceSlice(NodeId peer, Map<String, MemberList> slice) {
        Map<String, MemberList> before = remote.getOrDefault(peer, Map.of());
        remote.put(peer, slice);
        Set<String> groups = new TreeSet<>(before.keySet());
        groups.addAll(slice.keySet());
        // Without subscribers nothing needs the difference, and a lost node's slice can be large: this runs once per
        // node loss, so on cold (interpreted) code, where a per-member diff of 100000 members took 50-110 ms.
        boolean watched = monitors.any();
        for (String group : groups) {
            republish(group);
            if (!watched) {
                continue;
            }
            List<Pid> old = before.getOrDefault(group, MemberList.EMPTY);
            List<Pid> now = slice.getOrDefault(group, MemberList.EMPTY);
            List<Pid> left = now.isEmpty() ? old : minus(old, now);
            List<Pid> joined = old.isEmpty() ? now : minus(now, old);
            if (!left.isEmpty()) {
                monitors.notify(context.processes(), PgEvent.Kind.LEAVE, group, left);
            }
            if (!joined.isEmpty()) {
                monitors.notify(context.processes(), PgEvent.Kind.JOIN, group, joined);
            }
        }
    }

    /** Rebuilds the published view of one group from the local list and every adopted slice. */
    private void republish(String group) {
        // The lists are persistent (MemberList): the new version shares them, so publishing costs a few objects per
        // node with members, not a copy of the group.
        MemberList local = localGroups.getOrDefault(group, MemberList.EMPTY);
        List<List<Pid>> parts = new ArrayList<>();
        if (!local.isEmpty()) {
            parts.add(local);
        }
        Map<NodeId, List<Pid>> byNode = new HashMap<>();
        for (Map.Entry<NodeId, Map<String, MemberList>> slice : remote.entrySet()) {
            MemberList theirs = slice.getValue().get(group);
            if (theirs != null) {
                parts.add(theirs);
                byNode.put(slice.getKey(), theirs);
            }
        }
        if (parts.isEmpty()) {
            published.remove(group);
        } else {
            List<Pid> all = parts.size() == 1 ? parts.get(0) : new ConcatList(parts);
            published.put(group, new GroupMembers(all, local, Map.copyOf(byNode)));
        }
    }

    /** Stores {@code members} under {@code group}, or removes the group when it has none: empty groups do not exist. */
    private static void putOrRemove(Map<String, MemberList> groups, String group, MemberList members) {
        if (members.isEmpty()) {
            groups.remove(group);
        } else {
            groups.put(group, members);
        }
    }

    private void queue(boolean join, String group, List<Pid> pids) {
        Op.Builder op = Op.newBuilder().setJoin(join).setGroup(group);
        for (Pid pid : pids) {
            op.addSerials(pid.serial());
        }
        unsent.add(op.build());
        flushIfUnbatched();
    }

    private void flushIfUnbatched() {
        if (batchDelayNs == 0) {
            flush();
        } else if (!flushScheduled && !unsent.isEmpty()) {
            flushScheduled = true;
            context.timers().schedule(FLUSH, batchDelayNs);
        }
    }

    private void flush() {
        if (unsent.isEmpty()) {
            return;
        }
        byte[] delta = PgMessage.newBuilder()
                .setVersion(WIRE_VERSION)
                .setDelta(Delta.newBuilder().addAllOps(unsent))
                .build()
                .toByteArray();
        unsent.clear();
        for (NodeId peer : peers) {
            context.transport().send(peer, delta);
        }
    }

    private byte[] encodeSync() {
        Sync.Builder sync = Sync.newBuilder();
        localGroups.forEach((group, pids) -> {
            GroupSerials.Builder entry = GroupSerials.newBuilder().setGroup(group);
            pids.forEach(pid -> entry.addSerials(pid.serial()));
            sync.addGroups(entry);
        });
        return PgMessage.newBuilder()
                .setVersion(WIRE_VERSION)
                .setSync(sync)
                .build()
                .toByteArray();
    }

    /** Drops one membership of {@code pid} in {@code group} from the index; the last one ends its monitor. */
    private void forgetMembership(Pid pid, String group) {
        LocalMember member = memberMonitors.get(pid);
        if (member == null) {
            return;
        }
        member.groups.remove(group);
        if (member.groups.isEmpty()) {
            memberMonitors.remove(pid);
            context.processes().demonitor(member.monitorRef);
        }
    }

    /** A local member: the monitor of its process and its groups, once per join. */
    private static final class LocalMember {
        final long monitorRef;
        final List<String> groups = new ArrayList<>(1);

        LocalMember(long monitorRef) {
            this.monitorRef = monitorRef;
        }
    }

    private void requireLocal(Collection<Pid> pids) {
        for (Pid pid : pids) {
            if (!pid.node().equals(context.self())) {
                throw new IllegalArgumentException("only local processes can join or leave: " + pid);
            }
        }
    }

    /** {@code a} without one occurrence of each element of {@code b}, in {@code a}'s order; linear time. */
    private static List<Pid> minus(List<Pid> a, List<Pid> b) {
        Map<Pid, Integer> toRemove = new java.util.HashMap<>();
        for (Pid pid : b) {
            toRemove.merge(pid, 1, Integer::sum);
        }
        List<Pid> rest = new ArrayList<>(a.size());
        for (Pid pid : a) {
            Integer count = toRemove.get(pid);
            if (count == null) {
                rest.add(pid);
            } else if (count == 1) {
                toRemove.remove(pid);
            } else {
                toRemove.put(pid, count - 1);
            }
        }
        return rest;
    }

    /** The groups with local members (for invariants and tests). */
    Set<String> localGroupNames() {
        return Set.copyOf(localGroups.keySet());
    }

    /** For tests and invariants: the peers whose slice this node holds. */
    Set<NodeId> knownPeers() {
        return new HashSet<>(remote.keySet());
    }
}
