package io.cohort.supervisor;

import io.cohort.crdt.ORMap;
import io.cohort.node.NodeId;
import java.util.Objects;

/**
 * One version of a child's spec as the replicated spec map holds it: the spec, the dot counter that wrote it (its node
 * is the slice's), a hybrid-logical-clock stamp, whether the child was marked failed, and a placement hint. Immutable.
 *
 * <p>Several entries for one id can be live at once (written concurrently by two nodes); {@link #newer} picks the one
 * every node uses: the later stamp, then the larger writer.
 */
final class SpecEntry implements ORMap.Element {

    private final ChildSpec spec;
    private final long counter;
    private final long stamp;
    private final boolean failed;
    /** The strategy's hint chosen at start (a node name), or empty. */
    private final String hint;

    SpecEntry(ChildSpec spec, long counter, long stamp, boolean failed, String hint) {
        this.spec = Objects.requireNonNull(spec, "spec");
        this.counter = counter;
        this.stamp = stamp;
        this.failed = failed;
        this.hint = hint == null ? "" : hint;
    }

    ChildSpec spec() {
        return spec;
    }

    String id() {
        return spec.id();
    }

    @Override
    public String key() {
        return spec.id();
    }

    @Override
    public long counter() {
        return counter;
    }

    long stamp() {
        return stamp;
    }

    boolean failed() {
        return failed;
    }

    String hint() {
        return hint;
    }

    /** A copy marked failed, for a new dot and stamp. */
    SpecEntry markedFailed(long newCounter, long newStamp) {
        return new SpecEntry(spec, newCounter, newStamp, true, hint);
    }

    /** True when {@code a} (written by {@code aNode}) wins against {@code b}: later stamp, then larger writer. */
    static boolean newer(SpecEntry a, NodeId aNode, SpecEntry b, NodeId bNode) {
        if (a.stamp != b.stamp) {
            return a.stamp > b.stamp;
        }
        return aNode.compareTo(bNode) > 0;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SpecEntry e
                && counter == e.counter
                && stamp == e.stamp
                && failed == e.failed
                && hint.equals(e.hint)
                && spec.equals(e.spec);
    }

    @Override
    public int hashCode() {
        return Objects.hash(spec.id(), counter, stamp);
    }

    @Override
    public String toString() {
        return spec.id() + "#" + counter + "@" + stamp + (failed ? " failed" : "");
    }
}
