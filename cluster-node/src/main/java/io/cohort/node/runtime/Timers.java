package io.cohort.node.runtime;

/**
 * One-shot timers that fire as {@link Component#onTimer} on the component that set them, on its own thread (or step
 * of the simulation), never concurrently with its other handlers.
 */
public interface Timers {

    /**
     * Fires {@code onTimer(key, nowNs)} after at least {@code delayNs}.
     *
     * @param key handed back to the component; it should say what the timer is for
     * @return a handle whose {@link Timer#cancel()} stops a timer that has not fired yet
     */
    Timer schedule(Object key, long delayNs);

    /** A pending timer. */
    interface Timer {
        /** Cancels the timer; returns false if it already fired or was cancelled. */
        boolean cancel();
    }
}
