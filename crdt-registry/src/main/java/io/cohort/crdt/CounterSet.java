package io.cohort.crdt;

import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * A set of positive counters kept as sorted, disjoint, non-adjacent closed ranges: the dots one node has produced or
 * one replica has seen of it. A replica that saw everything has one range {@code [1, n]}; one that missed some
 * messages has holes, which are kept exactly — never rounded up to a maximum, which would claim to have seen what
 * it has not and make a later join drop live entries.
 *
 * <p>Mutable and not thread-safe: owned by one replica's thread. Operations are linear in the number of ranges, which
 * stays small in practice (one per hole).
 */
public final class CounterSet {

    /** lo0, hi0, lo1, hi1, ... in increasing order, with {@code hi(i) + 1 < lo(i + 1)}. */
    private long[] bounds;
    /** Used length of {@link #bounds}: twice the number of ranges. */
    private int length;

    public CounterSet() {
        this.bounds = new long[4];
    }

    private CounterSet(long[] bounds, int length) {
        this.bounds = bounds;
        this.length = length;
    }

    /** The counters {@code 1..max}, or the empty set for {@code max == 0}. */
    public static CounterSet upTo(long max) {
        CounterSet set = new CounterSet();
        if (max > 0) {
            set.addRange(1, max);
        }
        return set;
    }

    /** Builds a set from {@code lo, hi} pairs in any order, overlapping or not. */
    public static CounterSet ofRanges(long... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("ranges come in lo, hi pairs");
        }
        CounterSet set = new CounterSet();
        for (int i = 0; i < pairs.length; i += 2) {
            set.addRange(pairs[i], pairs[i + 1]);
        }
        return set;
    }

    public CounterSet copy() {
        return new CounterSet(Arrays.copyOf(bounds, Math.max(4, length)), length);
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** The number of ranges. */
    public int rangeCount() {
        return length / 2;
    }

    public long lo(int range) {
        return bounds[2 * range];
    }

    public long hi(int range) {
        return bounds[2 * range + 1];
    }

    /** The largest counter, or 0 when empty. */
    public long max() {
        return length == 0 ? 0 : bounds[length - 1];
    }

    /** How many counters the set holds. */
    public long count() {
        long count = 0;
        for (int i = 0; i < length; i += 2) {
            count += bounds[i + 1] - bounds[i] + 1;
        }
        return count;
    }

    public boolean contains(long counter) {
        int range = rangeAtOrBefore(counter);
        return range >= 0 && counter <= bounds[2 * range + 1];
    }

    public void add(long counter) {
        addRange(counter, counter);
    }

    /** Adds {@code lo..hi}; appending right after the last range (the common case) is constant time. */
    public void addRange(long lo, long hi) {
        if (lo < 1 || hi < lo) {
            throw new IllegalArgumentException("bad range " + lo + ".." + hi);
        }
        if (length == 0 || lo > bounds[length - 1] + 1) {
            append(lo, hi);
            return;
        }
        if (lo >= bounds[length - 2]) { // touches or overlaps the last range
            bounds[length - 1] = Math.max(bounds[length - 1], hi);
            return;
        }
        // General case: rebuild around the ranges it touches.
        int first = 0;
        while (first < length && bounds[first + 1] + 1 < lo) {
            first += 2;
        }
        int last = first;
        long newLo = lo;
        long newHi = hi;
        while (last < length && bounds[last] <= hi + 1) {
            newLo = Math.min(newLo, bounds[last]);
            newHi = Math.max(newHi, bounds[last + 1]);
            last += 2;
        }
        long[] merged = new long[Math.max(4, length - (last - first) + 2 + 2)];
        System.arraycopy(bounds, 0, merged, 0, first);
        merged[first] = newLo;
        merged[first + 1] = newHi;
        System.arraycopy(bounds, last, merged, first + 2, length - last);
        length = length - (last - first) + 2;
        bounds = merged;
    }

    public void addAll(CounterSet other) {
        for (int i = 0; i < other.length; i += 2) {
            addRange(other.bounds[i], other.bounds[i + 1]);
        }
    }

    /** A new set: the counters of this set that {@code other} lacks. */
    public CounterSet minus(CounterSet other) {
        CounterSet result = new CounterSet();
        int j = 0;
        for (int i = 0; i < length; i += 2) {
            long lo = bounds[i];
            long hi = bounds[i + 1];
            while (j < other.length && other.bounds[j + 1] < lo) {
                j += 2;
            }
            int k = j;
            while (lo <= hi) {
                if (k >= other.length || other.bounds[k] > hi) {
                    result.append(lo, hi);
                    break;
                }
                if (other.bounds[k] > lo) {
                    result.append(lo, other.bounds[k] - 1);
                }
                lo = Math.max(lo, other.bounds[k + 1] + 1);
                k += 2;
            }
        }
        return result;
    }

    /** A new set: the counters in both. */
    public CounterSet intersect(CounterSet other) {
        CounterSet result = new CounterSet();
        int i = 0;
        int j = 0;
        while (i < length && j < other.length) {
            long lo = Math.max(bounds[i], other.bounds[j]);
            long hi = Math.min(bounds[i + 1], other.bounds[j + 1]);
            if (lo <= hi) {
                result.append(lo, hi);
            }
            if (bounds[i + 1] < other.bounds[j + 1]) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return result;
    }

    /** Calls {@code action} with every counter, in increasing order. */
    public void forEach(LongConsumer action) {
        for (int i = 0; i < length; i += 2) {
            for (long c = bounds[i]; c <= bounds[i + 1]; c++) {
                action.accept(c);
            }
        }
    }

    private void append(long lo, long hi) {
        if (length > 0 && lo <= bounds[length - 1] + 1) {
            bounds[length - 1] = Math.max(bounds[length - 1], hi);
            return;
        }
        if (length + 2 > bounds.length) {
            bounds = Arrays.copyOf(bounds, Math.max(4, bounds.length * 2));
        }
        bounds[length] = lo;
        bounds[length + 1] = hi;
        length += 2;
    }

    /** Index of the last range whose lo is at most {@code counter}, or -1. */
    private int rangeAtOrBefore(long counter) {
        int low = 0;
        int high = length / 2 - 1;
        int found = -1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (bounds[2 * mid] <= counter) {
                found = mid;
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return found;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CounterSet set && Arrays.equals(bounds, 0, length, set.bounds, 0, set.length);
    }

    @Override
    public int hashCode() {
        int hash = 1;
        for (int i = 0; i < length; i++) {
            hash = 31 * hash + Long.hashCode(bounds[i]);
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < length; i += 2) {
            if (i > 0) {
                text.append(", ");
            }
            text.append(bounds[i]);
            if (bounds[i + 1] != bounds[i]) {
                text.append("..").append(bounds[i + 1]);
            }
        }
        return text.append('}').toString();
    }
}
