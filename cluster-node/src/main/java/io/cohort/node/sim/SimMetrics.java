package io.cohort.node.sim;

import io.cohort.node.runtime.Metrics;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/** In-memory telemetry of one simulated node, readable by tests ({@code sim.metrics("n1").count("…")}). */
public final class SimMetrics implements Metrics {

    private final Map<String, SimCounter> counters = new TreeMap<>();
    private final Map<String, Supplier<Number>> gauges = new TreeMap<>();
    private final Map<String, long[]> durations = new TreeMap<>(); // name -> {count, sumNs, maxNs}

    @Override
    public Counter counter(String name, String... tags) {
        return counters.computeIfAbsent(key(name, tags), k -> new SimCounter());
    }

    @Override
    public void gauge(String name, Supplier<Number> value, String... tags) {
        gauges.put(key(name, tags), value);
    }

    @Override
    public void recordNs(String name, long durationNs, String... tags) {
        long[] stats = durations.computeIfAbsent(key(name, tags), k -> new long[3]);
        stats[0]++;
        stats[1] += durationNs;
        stats[2] = Math.max(stats[2], durationNs);
    }

    /** The count of a counter, 0 when it was never touched. Tags as given when counting. */
    public long count(String name, String... tags) {
        SimCounter counter = counters.get(key(name, tags));
        return counter == null ? 0 : counter.value;
    }

    /** The sum over every tag combination of {@code name}. */
    public long countAllTags(String name) {
        long total = 0;
        for (Map.Entry<String, SimCounter> entry : counters.entrySet()) {
            if (entry.getKey().equals(name) || entry.getKey().startsWith(name + "{")) {
                total += entry.getValue().value;
            }
        }
        return total;
    }

    /** A gauge's current value, or null. */
    public Number gaugeValue(String name, String... tags) {
        Supplier<Number> gauge = gauges.get(key(name, tags));
        return gauge == null ? null : gauge.get();
    }

    /** How many durations were recorded under {@code name}. */
    public long recordedCount(String name, String... tags) {
        long[] stats = durations.get(key(name, tags));
        return stats == null ? 0 : stats[0];
    }

    @Override
    public String toString() {
        return counters.toString();
    }

    private static String key(String name, String... tags) {
        if (tags.length == 0) {
            return name;
        }
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in name/value pairs: " + String.join(",", tags));
        }
        StringBuilder key = new StringBuilder(name).append('{');
        for (int i = 0; i < tags.length; i += 2) {
            key.append(i == 0 ? "" : ",").append(tags[i]).append('=').append(tags[i + 1]);
        }
        return key.append('}').toString();
    }

    private static final class SimCounter implements Counter {
        private long value;

        @Override
        public void increment() {
            value++;
        }

        @Override
        public void add(long amount) {
            value += amount;
        }

        @Override
        public long count() {
            return value;
        }
    }
}
