package io.cohort.node.runtime;

import java.util.function.Supplier;

/**
 * Telemetry for components: counters for everything dropped, retried or refused, gauges for sizes, and latency
 * records. Names are dotted and lower case ({@code pg.sync.dropped}); tags are name/value pairs.
 */
public interface Metrics {

    Counter counter(String name, String... tags);

    /** Registers a gauge read on demand; the supplier must be cheap and thread-safe. */
    void gauge(String name, Supplier<Number> value, String... tags);

    /** Records a duration in nanoseconds into a distribution. */
    void recordNs(String name, long durationNs, String... tags);

    /** A monotonically increasing count. */
    interface Counter {
        void increment();

        void add(long amount);

        long count();
    }
}
