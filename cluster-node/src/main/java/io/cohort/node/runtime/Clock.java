package io.cohort.node.runtime;

/**
 * Time as a component may see it. Drivers read it once per event and pass {@code nowNs} to the component's handlers;
 * components call it only where they need wall time (hybrid logical clocks), never to measure durations.
 */
public interface Clock {

    /** Monotonic nanoseconds with an arbitrary origin: durations and deadlines only. */
    long nowNs();

    /**
     * Nanoseconds since the Unix epoch by this node's wall clock. It may be skewed against other nodes and may jump;
     * use it only for hybrid-logical-clock stamps and human-readable output.
     */
    long wallTimeNs();
}
