package io.cohort.crdt;

import java.util.AbstractCollection;
import java.util.Collection;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The live entries of one slice, by key: an open-addressing hash table (linear probing) that holds the elements
 * themselves, keyed by {@link ORMap.Element#key()}. A {@code HashMap} would add a 32-byte node per entry; a replica
 * holding every node's names pays that for every name in the cluster.
 *
 * <p>Not thread-safe; iteration order is the table's and changes on resize, so callers that need a deterministic
 * order sort. Removal shifts later entries of the probe run back, so there are no tombstones.
 */
final class KeyedTable<V extends ORMap.Element> {

    private static final int MIN_CAPACITY = 8;

    private Object[] slots = new Object[MIN_CAPACITY];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    @SuppressWarnings("unchecked")
    V get(String key) {
        Object[] table = slots;
        int mask = table.length - 1;
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            Object slot = table[i];
            if (slot == null) {
                return null;
            }
            if (((V) slot).key().equals(key)) {
                return (V) slot;
            }
        }
    }

    /** Puts {@code value} under its key; returns the element it replaced, or null. */
    @SuppressWarnings("unchecked")
    V put(V value) {
        if ((size + 1) * 5 > slots.length * 3) { // keep the load at most 0.6
            resize(slots.length * 2);
        }
        int mask = slots.length - 1;
        String key = value.key();
        for (int i = index(key, mask); ; i = (i + 1) & mask) {
            Object slot = slots[i];
            if (slot == null) {
                slots[i] = value;
                size++;
                return null;
            }
            if (((V) slot).key().equals(key)) {
                slots[i] = value;
                return (V) slot;
            }
        }
    }

    /** Removes the element under {@code key}; returns it, or null. */
    @SuppressWarnings("unchecked")
    V remove(String key) {
        int mask = slots.length - 1;
        int i = index(key, mask);
        while (true) {
            Object slot = slots[i];
            if (slot == null) {
                return null;
            }
            if (((V) slot).key().equals(key)) {
                break;
            }
            i = (i + 1) & mask;
        }
        V removed = (V) slots[i];
        // Backward-shift deletion: move later members of the run into the hole when their home allows it.
        int hole = i;
        for (int j = (hole + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
            int home = index(((V) slots[j]).key(), mask);
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                slots[hole] = slots[j];
                hole = j;
            }
        }
        slots[hole] = null;
        size--;
        if (slots.length > MIN_CAPACITY && size * 8 < slots.length) {
            resize(slots.length / 2);
        }
        return removed;
    }

    /** A read-only view of the elements; must not be used across a change. */
    Collection<V> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<V> iterator() {
                return new Iterator<>() {
                    private final Object[] table = slots;
                    private int next = advance(0);

                    private int advance(int from) {
                        int i = from;
                        while (i < table.length && table[i] == null) {
                            i++;
                        }
                        return i;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < table.length;
                    }

                    @Override
                    @SuppressWarnings("unchecked")
                    public V next() {
                        if (next >= table.length) {
                            throw new NoSuchElementException();
                        }
                        V value = (V) table[next];
                        next = advance(next + 1);
                        return value;
                    }
                };
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    @SuppressWarnings("unchecked")
    private void resize(int capacity) {
        Object[] old = slots;
        slots = new Object[capacity];
        int mask = capacity - 1;
        for (Object slot : old) {
            if (slot != null) {
                int i = index(((V) slot).key(), mask);
                while (slots[i] != null) {
                    i = (i + 1) & mask;
                }
                slots[i] = slot;
            }
        }
    }

    private static int index(String key, int mask) {
        int h = key.hashCode();
        return (h ^ (h >>> 16)) & mask;
    }
}
