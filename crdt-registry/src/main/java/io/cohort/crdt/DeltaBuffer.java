package io.cohort.crdt;

import io.cohort.node.NodeId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The write deltas of one node's slice that have not been sent yet, coalesced per key and cut into bounded batches.
 *
 * <p>Coalescing: a key written several times before a flush travels once, as its last entry (or none) together with
 * the removals of the dots it retired on the way, so receivers' contexts stay without holes. Batching: {@link #drain}
 * cuts the buffer into deltas of at most {@code itemsMax} entries and removals each, never splitting one key's items
 * across two deltas — each batch is then a well-formed delta on its own, whatever order batches arrive in.
 */
public final class DeltaBuffer<V extends ORMap.Element> {

    private final NodeId node;
    /** Per key, in first-write order: its last entry (or null) and the dots retired since the last drain. */
    private final Map<String, Pending<V>> pending = new LinkedHashMap<>();

    private int items;

    private static final class Pending<V> {
        V entry;
        final List<Delta.Removal> removals = new ArrayList<>(1);
    }

    public DeltaBuffer(NodeId node) {
        this.node = node;
    }

    /** Adds a write delta of this buffer's node. */
    public void add(Delta<V> delta) {
        if (!delta.node().equals(node)) {
            throw new IllegalArgumentException("buffer of " + node + " got a delta of " + delta.node());
        }
        if (delta.needsScan()) {
            throw new IllegalArgumentException("only write deltas are buffered");
        }
        for (Delta.Removal removal : delta.removals()) {
            Pending<V> entry = pending.computeIfAbsent(removal.key(), k -> new Pending<>());
            if (entry.entry != null && entry.entry.counter() == removal.counter()) {
                entry.entry = null;
                items--;
            }
            entry.removals.add(removal);
            items++;
        }
        for (V written : delta.entries()) {
            Pending<V> entry = pending.computeIfAbsent(written.key(), k -> new Pending<>());
            if (entry.entry != null) {
                // The writer retired the previous dot in this same delta or an earlier one (already recorded).
                items--;
            }
            entry.entry = written;
            items++;
        }
    }

    public boolean isEmpty() {
        return pending.isEmpty();
    }

    /** Entries and removals waiting. */
    public int items() {
        return items;
    }

    /** Everything waiting, as deltas of at most {@code itemsMax} items (one key's items never split); empties it. */
    public List<Delta<V>> drain(int itemsMax) {
        if (itemsMax < 1) {
            throw new IllegalArgumentException("itemsMax must be >= 1");
        }
        List<Delta<V>> batches = new ArrayList<>();
        List<V> entries = new ArrayList<>();
        List<Delta.Removal> removals = new ArrayList<>();
        for (Pending<V> key : pending.values()) {
            int size = key.removals.size() + (key.entry == null ? 0 : 1);
            if (!entries.isEmpty() || !removals.isEmpty()) {
                if (entries.size() + removals.size() + size > itemsMax) {
                    batches.add(Delta.ofWrites(node, entries, removals));
                    entries = new ArrayList<>();
                    removals = new ArrayList<>();
                }
            }
            removals.addAll(key.removals);
            if (key.entry != null) {
                entries.add(key.entry);
            }
        }
        if (!entries.isEmpty() || !removals.isEmpty()) {
            batches.add(Delta.ofWrites(node, entries, removals));
        }
        pending.clear();
        items = 0;
        return batches;
    }
}
