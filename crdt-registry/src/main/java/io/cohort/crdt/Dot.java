package io.cohort.crdt;

import io.cohort.node.NodeId;
import java.util.Objects;

/**
 * One event of one node's life: the {@code counter}-th write that node incarnation made. Dots name entries of a
 * delta CRDT; a replica's causal context is the set of dots it has seen, live or since removed.
 *
 * <p>Dots carry the {@link NodeId} with its incarnation, never a random replica id: a restarted node starts a new
 * sequence of dots that can never be mistaken for the previous life's.
 */
public record Dot(NodeId node, long counter) implements Comparable<Dot> {

    public Dot {
        Objects.requireNonNull(node, "node");
        if (counter < 1) {
            throw new IllegalArgumentException("dot counters start at 1: " + counter);
        }
    }

    @Override
    public int compareTo(Dot other) {
        int byNode = node.compareTo(other.node);
        return byNode != 0 ? byNode : Long.compare(counter, other.counter);
    }

    @Override
    public String toString() {
        return node + ":" + counter;
    }
}
