package io.cohort.crdt;

import io.cohort.node.NodeId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * A delta-state, add-wins, observed-remove map from string keys to values, kept as one slice per writing node.
 *
 * <p><b>Model.</b> Every write makes a new {@link Dot} of its node: {@link #put} adds an entry under a new dot and
 * retires the node's previous dot for that key; {@link #remove} retires it. A node writes only its own slice, and
 * holds at most one live entry per key, so a key's value is the set of the entries the nodes hold for it — one per
 * node at most. Concurrent puts of one key by two nodes both survive (add wins); a node's remove only retires the
 * dots it observed of its own. The caller decides what several entries for one key mean (the registry's resolver).
 *
 * <p><b>State and join.</b> Each slice is a map of live entries and a causal context: the node's dots this replica
 * has seen, live or dead, with its holes kept exactly ({@link CounterSet}). Joining a {@link Delta} drops every local
 * entry whose dot the delta's context covers and the delta does not carry, adds every delta entry whose dot the local
 * context lacks, and unites the contexts. A whole slice is a delta too, so full states, write deltas and anti-entropy
 * deltas join the same way; join is commutative, associative and idempotent, so any order, duplication or re-sending
 * converges.
 *
 * <p><b>Shadowed entries.</b> A replica that missed some of a writer's deltas can hold two entries of that writer for
 * one key: an old one whose retirement it has not seen, and a later one. The later dot is the one the writer holds,
 * so it is the key's entry here ({@link #get}, {@link #entries}, the {@link Changes}); the older one is kept aside,
 * not inferred dead, until a context that covers it arrives. Inferring it dead at once would be right but not
 * associative: had the later entry been retired first (on another replica, before the two met), nothing would be
 * left to infer from, and the replicas would disagree until the writer's next sync. If the later entry is retired
 * while the older one is still aside, the older one is the key's entry again, as the dots seen so far say.
 *
 * <p><b>Anti-entropy.</b> {@link #context} of a slice is the digest a replica sends to that slice's node; the node
 * answers with {@link #deltaFor}: the entries the digest lacks, and a context that also covers the dead dots the
 * digest holds. No entry the receiver already has is sent again.
 *
 * <p>Mutable, deterministic and single-threaded (the owner is one replica's component); no I/O, no time.
 */
public final class ORMap<V extends ORMap.Element> {

    /** What the map holds: a key and the counter of the dot that wrote it (its node is the slice's). */
    public interface Element {
        String key();

        long counter();
    }

    /** Told of every entry a change added or dropped, in order. */
    public interface Changes<V> {
        void added(NodeId node, V entry);

        void removed(NodeId node, V entry);

        @SuppressWarnings("rawtypes")
        Changes NONE = new Changes() {
            @Override
            public void added(NodeId node, Object entry) {}

            @Override
            public void removed(NodeId node, Object entry) {}
        };

        @SuppressWarnings("unchecked")
        static <V> Changes<V> none() {
            return NONE;
        }
    }

    private static final class Slice<V extends Element> {
        /** Live entries by key: the latest dot per key, the one the single writer holds. */
        final KeyedTable<V> entries = new KeyedTable<>();
        /** Earlier live dots of keys with a later dot here, by counter; null while there are none (almost always). */
        TreeMap<Long, V> shadowed;
        /** The node's dots seen here, live or dead. */
        final CounterSet context = new CounterSet();

        boolean isEmpty() {
            return entries.isEmpty() && context.isEmpty();
        }

        boolean hasShadowed() {
            return shadowed != null && !shadowed.isEmpty();
        }
    }

    /** One slice per node this replica has heard of; ordered so iteration is deterministic. */
    private final TreeMap<NodeId, Slice<V>> slices = new TreeMap<>();

    // ---- writes to this replica's own slice -----------------------------------------------------------------

    /**
     * Writes {@code key} in {@code self}'s slice under a new dot: {@code make} receives the dot's counter and must
     * return an element with that key and counter. Returns the delta to send to other replicas.
     */
    public Delta<V> put(NodeId self, String key, LongFunction<V> make, Changes<V> changes) {
        Slice<V> slice = slices.computeIfAbsent(self, n -> new Slice<>());
        long counter = slice.context.max() + 1;
        V entry = make.apply(counter);
        if (!entry.key().equals(key) || entry.counter() != counter) {
            throw new IllegalArgumentException("element must carry key " + key + " and counter " + counter);
        }
        List<Delta.Removal> removals = new ArrayList<>(1);
        V previous = slice.entries.put(entry);
        if (previous != null) {
            removals.add(new Delta.Removal(key, previous.counter()));
            changes.removed(self, previous);
        }
        slice.context.add(counter);
        changes.added(self, entry);
        return Delta.ofWrites(self, List.of(entry), removals);
    }

    /** Retires {@code self}'s entry for {@code key}; returns the delta, or null when there was none. */
    public Delta<V> remove(NodeId self, String key, Changes<V> changes) {
        Slice<V> slice = slices.get(self);
        V previous = slice == null ? null : slice.entries.remove(key);
        if (previous == null) {
            return null;
        }
        changes.removed(self, previous);
        return Delta.ofWrites(self, List.of(), List.of(new Delta.Removal(key, previous.counter())));
    }

    // ---- join ----------------------------------------------------------------------------------------------

    /** Joins a delta (a write delta, an anti-entropy delta or a whole slice) into this replica. */
    public void join(Delta<V> delta, Changes<V> changes) {
        if (delta.isEmpty()) {
            return;
        }
        NodeId node = delta.node();
        Slice<V> slice = slices.computeIfAbsent(node, n -> new Slice<>());
        CounterSet seen = slice.context;
        if (delta.needsScan()) {
            // Dead dots whose keys the delta does not name: find them among our live entries.
            Set<Long> carried = new HashSet<>();
            for (V entry : delta.entries()) {
                carried.add(entry.counter());
            }
            if (slice.hasShadowed()) {
                slice.shadowed
                        .keySet()
                        .removeIf(counter -> delta.context().contains(counter) && !carried.contains(counter));
            }
            List<V> dead = new ArrayList<>();
            for (V local : slice.entries.values()) {
                if (delta.context().contains(local.counter()) && !carried.contains(local.counter())) {
                    dead.add(local);
                }
            }
            dead.sort((a, b) -> Long.compare(a.counter(), b.counter())); // deterministic change order
            for (V local : dead) {
                retire(node, slice, local, changes);
            }
        }
        for (Delta.Removal removal : delta.removals()) {
            V local = slice.entries.get(removal.key());
            if (local != null && local.counter() == removal.counter()) {
                retire(node, slice, local, changes);
            } else if (slice.hasShadowed()) {
                slice.shadowed.remove(removal.counter());
            }
        }
        for (V entry : delta.entries()) {
            V local = slice.entries.get(entry.key());
            if (local != null && local.counter() == entry.counter()) {
                continue; // already here
            }
            if (seen.contains(entry.counter())
                    || (slice.hasShadowed() && slice.shadowed.containsKey(entry.counter()))) {
                continue; // seen and since retired here, or already here aside
            }
            if (local == null) {
                slice.entries.put(entry);
                changes.added(node, entry);
            } else if (local.counter() < entry.counter()) {
                shadow(slice, local);
                slice.entries.put(entry);
                changes.removed(node, local);
                changes.added(node, entry);
            } else {
                shadow(slice, entry);
            }
        }
        seen.addAll(delta.context());
    }

    /** Drops {@code local}, the key's entry; the latest entry kept aside for that key, if any, takes its place. */
    private void retire(NodeId node, Slice<V> slice, V local, Changes<V> changes) {
        slice.entries.remove(local.key());
        changes.removed(node, local);
        if (!slice.hasShadowed()) {
            return;
        }
        V next = null;
        for (V aside : slice.shadowed.descendingMap().values()) {
            if (aside.key().equals(local.key())) {
                next = aside;
                break;
            }
        }
        if (next != null) {
            slice.shadowed.remove(next.counter());
            slice.entries.put(next);
            changes.added(node, next);
        }
    }

    private static <V extends Element> void shadow(Slice<V> slice, V entry) {
        if (slice.shadowed == null) {
            slice.shadowed = new TreeMap<>();
        }
        slice.shadowed.put(entry.counter(), entry);
    }

    /** Joins every slice of {@code other} (full-state join). */
    public void join(ORMap<V> other, Changes<V> changes) {
        for (NodeId node : other.slices.keySet()) {
            join(other.deltaFor(node, new CounterSet()), changes);
        }
    }

    // ---- anti-entropy --------------------------------------------------------------------------------------

    /** What this replica has seen of {@code node}'s dots: the digest to send to it. A copy. */
    public CounterSet context(NodeId node) {
        Slice<V> slice = slices.get(node);
        return slice == null ? new CounterSet() : slice.context.copy();
    }

    /** Every slice's context, by node. Copies. */
    public Map<NodeId, CounterSet> digest() {
        Map<NodeId, CounterSet> digest = new TreeMap<>();
        slices.forEach((node, slice) -> digest.put(node, slice.context.copy()));
        return digest;
    }

    /**
     * The delta that brings a replica whose context of {@code node}'s slice is {@code peerSeen} up to this replica's
     * slice: the entries it has not seen, and a context covering everything this replica has seen except the live
     * dots the peer already holds (so those are neither re-sent nor dropped).
     */
    public Delta<V> deltaFor(NodeId node, CounterSet peerSeen) {
        Slice<V> slice = slices.get(node);
        if (slice == null) {
            return new Delta<>(node, List.of(), List.of(), new CounterSet());
        }
        List<V> missing = new ArrayList<>();
        long[] kept = new long[16];
        int keptCount = 0;
        Collection<V> aside = slice.hasShadowed() ? slice.shadowed.values() : List.of();
        for (Collection<V> live : List.of(slice.entries.values(), aside)) {
            for (V entry : live) {
                if (peerSeen.contains(entry.counter())) {
                    if (keptCount == kept.length) {
                        kept = java.util.Arrays.copyOf(kept, kept.length * 2);
                    }
                    kept[keptCount++] = entry.counter();
                } else {
                    missing.add(entry);
                }
            }
        }
        java.util.Arrays.sort(kept, 0, keptCount);
        CounterSet keptSet = new CounterSet();
        for (int i = 0; i < keptCount; i++) {
            keptSet.add(kept[i]);
        }
        missing.sort((a, b) -> Long.compare(a.counter(), b.counter()));
        return new Delta<>(node, missing, List.of(), slice.context.minus(keptSet));
    }

    /** The whole slice of {@code node} as a delta. */
    public Delta<V> slice(NodeId node) {
        return deltaFor(node, new CounterSet());
    }

    // ---- local bookkeeping ---------------------------------------------------------------------------------

    /**
     * Forgets {@code node}'s slice here — entries and context — telling {@code changes} of each entry. This is not a
     * write and makes no delta: it is how a replica lets go of a node it will hear from again only in full.
     */
    public void dropSlice(NodeId node, Changes<V> changes) {
        Slice<V> slice = slices.remove(node);
        if (slice != null) {
            List<V> gone = new ArrayList<>(slice.entries.values());
            gone.sort((a, b) -> Long.compare(a.counter(), b.counter()));
            gone.forEach(entry -> changes.removed(node, entry));
        }
    }

    /** {@code node}'s live entry for {@code key}, or null. */
    public V get(NodeId node, String key) {
        Slice<V> slice = slices.get(node);
        return slice == null ? null : slice.entries.get(key);
    }

    /** {@code node}'s live entries, unordered; a read-only view. */
    public Collection<V> entries(NodeId node) {
        Slice<V> slice = slices.get(node);
        return slice == null ? List.of() : Collections.unmodifiableCollection(slice.entries.values());
    }

    /** The nodes with a slice here (possibly only a context), ordered. */
    public Set<NodeId> nodes() {
        return Collections.unmodifiableSet(slices.keySet());
    }

    /** Dots seen over every slice, live or dead: grows with every join that taught this replica anything. */
    public long dotsSeen() {
        long seen = 0;
        for (Slice<V> slice : slices.values()) {
            seen += slice.context.count();
        }
        return seen;
    }

    /** Live entries over every slice. */
    public int size() {
        int size = 0;
        for (Slice<V> slice : slices.values()) {
            size += slice.entries.size();
        }
        return size;
    }

    /** True when both replicas hold the same entries and contexts (empty slices count as absent). */
    public boolean sameStateAs(ORMap<V> other) {
        return nonEmpty(this).equals(nonEmpty(other));
    }

    private static <V> Map<NodeId, List<Object>> nonEmpty(ORMap<?> map) {
        Map<NodeId, List<Object>> result = new TreeMap<>();
        map.slices.forEach((node, slice) -> {
            if (!slice.isEmpty()) {
                Map<Long, Object> entries = new HashMap<>();
                slice.entries.values().forEach(entry -> entries.put(entry.counter(), entry));
                if (slice.hasShadowed()) {
                    entries.putAll(slice.shadowed);
                }
                result.put(node, List.of(entries, slice.context));
            }
        });
        return result;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ORMap{");
        slices.forEach((node, slice) -> text.append(node)
                .append("=")
                .append(slice.entries.values().stream()
                        .sorted(java.util.Comparator.comparing(ORMap.Element::key))
                        .toList())
                .append(slice.hasShadowed() ? " aside " + slice.shadowed.values() : "")
                .append(" seen ")
                .append(slice.context)
                .append("; "));
        return text.append('}').toString();
    }
}
