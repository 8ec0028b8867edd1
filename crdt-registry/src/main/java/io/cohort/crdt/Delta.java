package io.cohort.crdt;

import io.cohort.node.NodeId;
import java.util.List;
import java.util.Objects;

/**
 * A piece of one node's slice of an {@link ORMap}: itself a small state of the map, so it joins like one. It holds
 * the live {@code entries} it adds, the {@code removals} it announces (a dead dot with the key it was for, so a
 * receiver finds it without a scan), and its {@code context}: every dot it speaks for. A receiver drops any entry of
 * its own copy of the slice whose dot the context covers and the delta does not carry, and keeps the rest.
 *
 * <p>Deltas made by writes name every dot of their context in {@code entries} or {@code removals}. Deltas made for
 * anti-entropy ({@link ORMap#deltaFor}) also cover dead dots whose keys are forgotten; their receiver scans its slice.
 *
 * @param node the slice's node; every dot of the delta is that node's
 */
public record Delta<V extends ORMap.Element>(NodeId node, List<V> entries, List<Removal> removals, CounterSet context) {

    public Delta {
        Objects.requireNonNull(node, "node");
        entries = List.copyOf(entries);
        removals = List.copyOf(removals);
        Objects.requireNonNull(context, "context");
    }

    /** A dead dot of {@code node} and the key its entry had. */
    public record Removal(String key, long counter) {}

    /** Builds the context of a write delta: exactly the dots of its entries and removals. */
    public static <V extends ORMap.Element> Delta<V> ofWrites(NodeId node, List<V> entries, List<Removal> removals) {
        CounterSet context = new CounterSet();
        entries.forEach(entry -> context.add(entry.counter()));
        removals.forEach(removal -> context.add(removal.counter()));
        return new Delta<>(node, entries, removals, context);
    }

    /** True when the context covers dots that neither the entries nor the removals name. */
    public boolean needsScan() {
        return context.count() > entries.size() + removals.size();
    }

    public boolean isEmpty() {
        return context.isEmpty();
    }

    /**
     * Cuts this delta into parts of at most {@code entriesMax} entries, each a well-formed delta of its own: every
     * part but the last covers exactly the dots of its entries; the last carries the removals and the rest of the
     * context. Joining the parts in any order equals joining this delta. (Cutting naively — the whole context on the
     * last part — would make the last part drop the entries the earlier parts brought.)
     */
    public List<Delta<V>> split(int entriesMax) {
        if (entriesMax < 1) {
            throw new IllegalArgumentException("entriesMax must be >= 1");
        }
        if (entries.size() <= entriesMax) {
            return List.of(this);
        }
        List<Delta<V>> parts = new java.util.ArrayList<>();
        CounterSet earlier = new CounterSet();
        int start = 0;
        while (entries.size() - start > entriesMax) {
            List<V> part = entries.subList(start, start + entriesMax);
            parts.add(ofWrites(node, part, List.of()));
            part.forEach(entry -> earlier.add(entry.counter()));
            start += entriesMax;
        }
        parts.add(new Delta<>(node, entries.subList(start, entries.size()), removals, context.minus(earlier)));
        return parts;
    }
}
