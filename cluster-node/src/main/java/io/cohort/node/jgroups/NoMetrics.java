package io.cohort.node.jgroups;

import io.cohort.node.runtime.Metrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/** Counts in memory and exports nothing: the default when a control plane is built without {@link Metrics}. */
final class NoMetrics implements Metrics {

    static final NoMetrics INSTANCE = new NoMetrics();

    private NoMetrics() {}

    @Override
    public Counter counter(String name, String... tags) {
        AtomicLong count = new AtomicLong();
        return new Counter() {
            @Override
            public void increment() {
                count.incrementAndGet();
            }

            @Override
            public void add(long amount) {
                count.addAndGet(amount);
            }

            @Override
            public long count() {
                return count.get();
            }
        };
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {}

    @Override
    public void recordNs(String name, long durationNs, String... tags) {}
}
