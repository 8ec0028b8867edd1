package io.cohort.pg;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One group as readers see it: immutable, replaced as a whole on every change, so a reader holding it never sees a
 * half-applied update. A pid appears once per join. Besides the flat lists it keeps the remote members grouped by
 * node, so a publish sends one frame per node without grouping on every call.
 */
public final class GroupMembers {

    static final GroupMembers EMPTY = new GroupMembers(List.of(), List.of(), Map.of());

    private final List<Pid> all;
    private final List<Pid> local;
    private final Map<NodeId, List<Pid>> remote;
    /** Round-robin position of dispatches to this version of the group; it starts again when the group changes. */
    private final AtomicLong cursor = new AtomicLong();

    GroupMembers(List<Pid> all, List<Pid> local, Map<NodeId, List<Pid>> remote) {
        this.all = all;
        this.local = local;
        this.remote = remote;
    }

    /** Members on every node this node knows of: local ones first, then each remote node's. */
    public List<Pid> all() {
        return all;
    }

    /** Members on this node. */
    public List<Pid> local() {
        return local;
    }

    /** Members on other nodes, by node; nodes without members are absent. */
    public Map<NodeId, List<Pid>> remote() {
        return remote;
    }

    long nextCursor() {
        return cursor.getAndIncrement();
    }
}
