package io.cohort.node;

import java.util.Comparator;
import java.util.Objects;

/**
 * Identifies one installed membership view: the coordinator that created it and a counter that grows with every
 * view that coordinator's group installs (after a merge, one more than the largest of the merged views).
 *
 * <p>View ids order views of one lineage; across a partition two sides can hold views with the same counter and
 * different creators. Subsystems use the id as a fencing epoch.
 */
public record ViewId(NodeId creator, long id) implements Comparable<ViewId> {

    private static final Comparator<ViewId> ORDER =
            Comparator.comparingLong(ViewId::id).thenComparing(ViewId::creator);

    public ViewId {
        Objects.requireNonNull(creator, "creator");
        if (id < 0) {
            throw new IllegalArgumentException("view id must be >= 0: " + id);
        }
    }

    @Override
    public int compareTo(ViewId other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return "[" + creator + "|" + id + "]";
    }
}
