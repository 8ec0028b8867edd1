package io.cohort.chaos.fault;

import java.util.Comparator;
import java.util.Objects;

/** A directed link between two nodes, by name: traffic from {@code from} to {@code to}. */
public record Link(String from, String to) implements Comparable<Link> {

    private static final Comparator<Link> ORDER =
            Comparator.comparing(Link::from).thenComparing(Link::to);

    public Link {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        if (from.equals(to)) {
            throw new IllegalArgumentException("a link joins two different nodes: " + from);
        }
    }

    public Link reversed() {
        return new Link(to, from);
    }

    @Override
    public int compareTo(Link other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return from + "->" + to;
    }
}
