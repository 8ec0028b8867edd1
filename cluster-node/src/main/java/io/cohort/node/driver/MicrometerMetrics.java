package io.cohort.node.driver;

import io.cohort.node.runtime.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link Metrics} over a Micrometer {@link MeterRegistry}: counters, gauges and timers keep their dotted names and
 * name/value tags, so any registry (Prometheus, JMX, a {@code SimpleMeterRegistry} in tests) can export them.
 *
 * <p>Micrometer caches meters by name and tags, so asking for the same counter twice is cheap and returns the same
 * count; callers may still keep the returned {@link Counter} on hot paths.
 */
public final class MicrometerMetrics implements Metrics {

    private final MeterRegistry registry;

    public MicrometerMetrics(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The registry the meters are registered in. */
    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public Counter counter(String name, String... tags) {
        io.micrometer.core.instrument.Counter counter = registry.counter(name, tags(tags));
        return new Counter() {
            @Override
            public void increment() {
                counter.increment();
            }

            @Override
            public void add(long amount) {
                if (amount < 0) {
                    throw new IllegalArgumentException("a counter only grows: " + amount);
                }
                counter.increment(amount);
            }

            @Override
            public long count() {
                return (long) counter.count();
            }
        };
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        Gauge.builder(name, value).tags(tags(tags)).register(registry);
    }

    @Override
    public void recordNs(String name, long durationNs, String... tags) {
        Timer.builder(name).tags(tags(tags)).register(registry).record(durationNs, TimeUnit.NANOSECONDS);
    }

    private static Tags tags(String... tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in name/value pairs, got " + tags.length + " strings");
        }
        return Tags.of(tags);
    }
}
