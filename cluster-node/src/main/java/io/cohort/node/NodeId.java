package io.cohort.node;

import java.util.Comparator;
import java.util.Objects;

/**
 * A node's identity for one life: its configured name and an incarnation that is new every time the node starts.
 *
 * <p>Two lives of the same name are different nodes: state owned by a previous incarnation (its group members,
 * registrations, running children) is never attributed to the next one, so nothing of a dead life is resurrected.
 * Incarnations are chosen by the driver so that a later start has a larger incarnation (the production driver uses
 * the wall clock at start-up in milliseconds, the simulator a counter).
 *
 * <p>Ordering is by name, then incarnation; protocol code relies on it for deterministic tie-breaks.
 */
public record NodeId(String name, long incarnation) implements Comparable<NodeId> {

    private static final Comparator<NodeId> ORDER =
            Comparator.comparing(NodeId::name).thenComparingLong(NodeId::incarnation);

    public NodeId {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > 128) {
            throw new IllegalArgumentException("node name must be 1..128 characters: '" + name + "'");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
                throw new IllegalArgumentException(
                        "node name may hold letters, digits, '-', '_' and '.' only: '" + name + "'");
            }
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation must be >= 0: " + incarnation);
        }
    }

    /** True when both ids name the same node, whatever the incarnation. */
    /** Written out, as {@link Pid#equals}: the incarnation first, the name only when it matches. */
    @Override
    public boolean equals(Object other) {
        return this == other || (other instanceof NodeId id && incarnation == id.incarnation && name.equals(id.name));
    }

    @Override
    public int hashCode() {
        return 31 * name.hashCode() + Long.hashCode(incarnation);
    }

    public boolean sameName(NodeId other) {
        return name.equals(other.name);
    }

    @Override
    public int compareTo(NodeId other) {
        return ORDER.compare(this, other);
    }

    /** {@code name#incarnation}, the form {@link #parse} reads. */
    @Override
    public String toString() {
        return name + "#" + incarnation;
    }

    public static NodeId parse(String text) {
        int hash = text.lastIndexOf('#');
        if (hash <= 0 || hash == text.length() - 1) {
            throw new IllegalArgumentException("expected name#incarnation, got '" + text + "'");
        }
        try {
            return new NodeId(text.substring(0, hash), Long.parseLong(text.substring(hash + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected name#incarnation, got '" + text + "'", e);
        }
    }
}
