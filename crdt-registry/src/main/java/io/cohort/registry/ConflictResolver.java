package io.cohort.registry;

import java.util.Comparator;

/**
 * Decides which of several registrations of one name keeps it. A pure function of the registrations themselves, so
 * every node that holds the same registrations picks the same winner, with no message exchanged.
 *
 * <p>The earliest registration wins: the smallest hybrid-logical-clock stamp, then the smallest node id (name, then
 * incarnation), then the smallest pid serial. "First come, first served" keeps the process that held the name before
 * the partition, or the one whose side registered it first; a stamp is kept by meta updates, so updating metadata
 * never changes who wins.
 */
public final class ConflictResolver {

    /** Winners first. */
    public static final Comparator<Registration> ORDER = Comparator.comparingLong(Registration::stamp)
            .thenComparing(r -> r.pid().node())
            .thenComparingLong(r -> r.pid().serial());

    private ConflictResolver() {}

    /** True when {@code a} keeps the name against {@code b}. */
    public static boolean beats(Registration a, Registration b) {
        return ORDER.compare(a, b) < 0;
    }

    /** The winner of two registrations of one name; either may be null. */
    public static Registration winner(Registration a, Registration b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        return beats(b, a) ? b : a;
    }
}
