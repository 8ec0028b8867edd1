package io.cohort.chaos.fault;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The partition shapes of Jepsen's nemeses, as sets of cut links over an ordered list of node names. All are pure:
 * the same nodes give the same partition.
 */
public final class Partitions {

    private Partitions() {}

    /** {@code node} can neither reach nor be reached by any other node. */
    public static Fault.Partition isolate(List<String> nodes, String node) {
        requireMember(nodes, node);
        List<String> rest = new ArrayList<>(nodes);
        rest.remove(node);
        return new Fault.Partition("isolate", sides(List.of(List.of(node), rest)), cutBetween(List.of(node), rest));
    }

    /** Symmetric split into the given sides: no link crosses between two sides. */
    public static Fault.Partition split(String shape, List<List<String>> sides) {
        SortedSet<Link> blocked = new TreeSet<>();
        for (int i = 0; i < sides.size(); i++) {
            for (int j = i + 1; j < sides.size(); j++) {
                blocked.addAll(cutBetween(sides.get(i), sides.get(j)));
            }
        }
        return new Fault.Partition(shape, sides(sides), blocked);
    }

    /** The first half (rounded down) against the rest. */
    public static Fault.Partition halves(List<String> nodes) {
        int half = nodes.size() / 2;
        return split("halves", List.of(nodes.subList(0, half), nodes.subList(half, nodes.size())));
    }

    /** Traffic from {@code from} to {@code to} is dropped; the other direction flows. */
    public static Fault.Partition oneWay(List<String> from, List<String> to) {
        SortedSet<Link> blocked = new TreeSet<>();
        for (String a : from) {
            for (String b : to) {
                blocked.add(new Link(a, b));
            }
        }
        return new Fault.Partition("one-way", String.join(" ", from) + " -/-> " + String.join(" ", to), blocked);
    }

    /**
     * Two halves that cannot talk, and one node in the middle that talks to both (Jepsen's bridge): with five nodes,
     * {@code [n1 n2 | n3 | n4 n5]}. Needs at least three nodes.
     */
    public static Fault.Partition bridge(List<String> nodes) {
        if (nodes.size() < 3) {
            throw new IllegalArgumentException("a bridge needs at least three nodes: " + nodes);
        }
        int middle = nodes.size() / 2;
        List<String> left = nodes.subList(0, middle);
        List<String> right = nodes.subList(middle + 1, nodes.size());
        return new Fault.Partition(
                "bridge",
                sides(List.of(left, List.of(nodes.get(middle)), right)) + " (" + nodes.get(middle) + " sees both)",
                cutBetween(left, right));
    }

    /**
     * Every node sees a majority, and no two nodes see the same majority (Jepsen's majorities ring): the nodes sit on
     * a ring and each keeps the links to its nearest neighbours, enough of them to see a majority counting itself.
     * With five nodes each sees itself and its two neighbours. Needs at least four nodes to cut anything.
     */
    public static Fault.Partition majorityRing(List<String> nodes) {
        int n = nodes.size();
        int majority = n / 2 + 1;
        int reach = majority / 2; // neighbours on each side: the least with 1 + 2 * reach >= majority
        SortedSet<Link> blocked = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                int distance = Math.min(Math.abs(i - j), n - Math.abs(i - j));
                if (i != j && distance > reach) {
                    blocked.add(new Link(nodes.get(i), nodes.get(j)));
                }
            }
        }
        List<String> views = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            List<String> sees = new ArrayList<>();
            for (int d = -reach; d <= reach; d++) {
                sees.add(nodes.get(Math.floorMod(i + d, n)));
            }
            views.add(nodes.get(i) + " sees " + String.join(",", sees));
        }
        return new Fault.Partition("majority-ring", "[" + String.join("; ", views) + "]", blocked);
    }

    /** The links of {@code a} to {@code b} and back. */
    static SortedSet<Link> cutBetween(List<String> a, List<String> b) {
        SortedSet<Link> blocked = new TreeSet<>();
        for (String x : a) {
            for (String y : b) {
                blocked.add(new Link(x, y));
                blocked.add(new Link(y, x));
            }
        }
        return blocked;
    }

    private static String sides(List<List<String>> sides) {
        List<String> parts = new ArrayList<>();
        sides.forEach(side -> parts.add(String.join(" ", side)));
        return "[" + String.join(" | ", parts) + "]";
    }

    private static void requireMember(List<String> nodes, String node) {
        if (!nodes.contains(node)) {
            throw new IllegalArgumentException(node + " is not one of " + nodes);
        }
    }
}
