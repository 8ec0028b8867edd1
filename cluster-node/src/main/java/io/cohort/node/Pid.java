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

    /**
     * Written out rather than generated: pids are compared in every hot loop (group scans, monitor tables), and the
     * record's generated equals showed up in profiles; comparing the serial first settles nearly every mismatch.
     */
    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof Pid pid && serial == pid.serial && node.equals(pid.node));
    }

    @Override
    public int hashCode() {
        return 31 * node.hashCode() + Long.hashCode(serial);
    }

    @Override
    public int compareTo(Pid other) {
        int byNode = node.compareTo(other.node);
        return byNode != 0 ? byNode : Long.compare(serial, other.serial);
    }

    /** {@code <name#incarnation.serial>}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return "<" + node + "." + serial + ">";
    }

    public static Pid parse(String text) {
        int dot = text.lastIndexOf('.');
        if (!text.startsWith("<") || !text.endsWith(">") || dot < 0) {
            throw new IllegalArgumentException("expected <name#incarnation.serial>, got '" + text + "'");
        }
        try {
            return new Pid(
                    NodeId.parse(text.substring(1, dot)), Long.parseLong(text.substring(dot + 1, text.length() - 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected <name#incarnation.serial>, got '" + text + "'", e);
        }
    }
}
