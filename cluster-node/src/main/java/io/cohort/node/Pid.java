package io.cohort.node;

import java.util.Objects;

/**
 * A process identifier: the node incarnation the process lives on and a serial unique within that incarnation.
 * Serials are never reused in one incarnation, and a restarted node is a new incarnation, so a pid names at most one
 * process ever.
 */
public record Pid(NodeId node, long serial) implements Comparable<Pid> {

    public Pid {
        Objects.requireNonNull(node, "node");
        if (serial < 0) {
            throw new IllegalArgumentException("serial must be >= 0: " + serial);
        }
    }

    @Override
    public int compareTo(Pid other) {
        int byNode = node.compareTo(other.node);
        return byNode != 0 ? byNode : Long.compare(serial, other.serial);
    }

    @Override
    public String toString() {
        return "<" + node + "." + serial + ">";
    }
}
