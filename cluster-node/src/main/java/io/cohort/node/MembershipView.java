package io.cohort.node;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One installed membership view, as every member of it sees it.
 *
 * <p>Members are ordered: the first is the coordinator, and every member of the view holds the same order, so
 * decisions that depend on rank are the same everywhere. A view that ends a partition is a <em>merge view</em>:
 * {@link #subgroups()} then lists the views that were merged, so a subsystem can tell which peers were on the
 * other side and heal its own state (membership merges views, never application state).
 *
 * @param id the view's id; larger ids of one lineage are later views
 * @param members the members, coordinator first, no duplicates
 * @param subgroups for a merge view the members of each merged view, otherwise empty
 */
public record MembershipView(ViewId id, List<NodeId> members, List<List<NodeId>> subgroups) {

    public MembershipView {
        Objects.requireNonNull(id, "id");
        members = List.copyOf(members);
        subgroups = subgroups.stream().map(List::copyOf).toList();
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a view has at least one member");
        }
        if (new HashSet<>(members).size() != members.size()) {
            throw new IllegalArgumentException("duplicate members in view " + id + ": " + members);
        }
    }

    /** A view that is not the result of a merge. */
    public static MembershipView of(ViewId id, List<NodeId> members) {
        return new MembershipView(id, members, List.of());
    }

    public boolean isMerge() {
        return !subgroups.isEmpty();
    }

    public NodeId coordinator() {
        return members.get(0);
    }

    public boolean contains(NodeId node) {
        return members.contains(node);
    }

    public int size() {
        return members.size();
    }

    /**
     * The members of this view that {@code self} did not share a view with before the merge: the peers whose state
     * must be exchanged. Empty for a view that is not a merge.
     */
    public List<NodeId> mergedPeersOf(NodeId self) {
        if (!isMerge()) {
            return List.of();
        }
        Set<NodeId> ownSide = new HashSet<>();
        for (List<NodeId> group : subgroups) {
            if (group.contains(self)) {
                ownSide.addAll(group);
            }
        }
        List<NodeId> others = new ArrayList<>();
        for (NodeId member : members) {
            if (!ownSide.contains(member)) {
                others.add(member);
            }
        }
        return others;
    }

    /** What changed from {@code previous} (null before the first view) to this view. */
    public Change changeFrom(MembershipView previous) {
        Collection<NodeId> before = previous == null ? List.of() : previous.members;
        List<NodeId> joined = new ArrayList<>();
        for (NodeId member : members) {
            if (!before.contains(member)) {
                joined.add(member);
            }
        }
        List<NodeId> left = new ArrayList<>();
        for (NodeId member : before) {
            if (!members.contains(member)) {
                left.add(member);
            }
        }
        return new Change(previous, this, joined, left);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(isMerge() ? "MergeView" : "View")
                .append(id)
                .append(' ')
                .append(members);
        if (isMerge()) {
            text.append(" subgroups=").append(subgroups);
        }
        return text.toString();
    }

    /**
     * The difference between two consecutive views of one node: who is new and who is gone. A restarted node appears
     * in both lists under its two incarnations.
     */
    public record Change(MembershipView previous, MembershipView current, List<NodeId> joined, List<NodeId> left) {
        public Change {
            joined = List.copyOf(joined);
            left = List.copyOf(left);
        }
    }
}
