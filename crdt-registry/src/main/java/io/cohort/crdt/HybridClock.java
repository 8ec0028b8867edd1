package io.cohort.crdt;

/**
 * A hybrid logical clock (Kulkarni et al.): stamps that follow wall time where clocks agree, never go backwards, and
 * order every stamp after the stamps a node has seen. A stamp packs milliseconds since the epoch in its high 48 bits
 * and a logical counter in its low 16; when the counter would overflow, the stamp moves to the next millisecond.
 *
 * <p>Pure: the caller passes the wall time it read ({@code Clock.wallTimeNs}); stamps compare as plain longs.
 */
public final class HybridClock {

    static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    /** The last stamp issued or observed. */
    private long last;

    /** A stamp for a local event at wall time {@code wallTimeNs}, later than every stamp issued or observed. */
    public long stamp(long wallTimeNs) {
        long physical = Math.max(0, wallTimeNs / 1_000_000) << LOGICAL_BITS;
        last = physical > last ? physical : last + 1;
        return last;
    }

    /** Takes a stamp seen in a message into account, so later local stamps order after it. */
    public void observe(long stamp) {
        if (stamp > last) {
            last = stamp;
        }
    }

    /** Milliseconds since the epoch of a stamp. */
    public static long millis(long stamp) {
        return stamp >>> LOGICAL_BITS;
    }

    /** The logical part of a stamp. */
    public static long logical(long stamp) {
        return stamp & LOGICAL_MASK;
    }
}
