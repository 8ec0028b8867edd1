package io.cohort.node.driver;

import io.cohort.node.runtime.Clock;

/** The machine's clocks: {@link System#nanoTime()} for durations, the wall clock for stamps. */
public final class SystemClock implements Clock {

    public static final SystemClock INSTANCE = new SystemClock();

    private SystemClock() {}

    @Override
    public long nowNs() {
        return System.nanoTime();
    }

    @Override
    public long wallTimeNs() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
