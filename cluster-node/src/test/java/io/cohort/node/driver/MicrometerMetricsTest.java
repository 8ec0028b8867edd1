package io.cohort.node.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.runtime.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MicrometerMetricsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerMetrics metrics = new MicrometerMetrics(registry);

    @Test
    void countersWithTheSameNameAndTagsShareOneCount() {
        Metrics.Counter first = metrics.counter("pg.sync.dropped", "reason", "stale");
        first.increment();
        metrics.counter("pg.sync.dropped", "reason", "stale").add(2);
        metrics.counter("pg.sync.dropped", "reason", "other").increment();
        assertThat(first.count()).isEqualTo(3);
        assertThat(registry.get("pg.sync.dropped")
                        .tag("reason", "stale")
                        .counter()
                        .count())
                .isEqualTo(3.0);
    }

    @Test
    void gaugesAndTimersReachTheRegistry() {
        AtomicInteger size = new AtomicInteger(4);
        metrics.gauge("membership.view.size", size::get);
        metrics.recordNs("registry.call", 2_000_000, "op", "register");
        assertThat(registry.get("membership.view.size").gauge().value()).isEqualTo(4.0);
        assertThat(registry.get("registry.call").tag("op", "register").timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(2.0);
    }

    @Test
    void tagsComeInPairs() {
        assertThatThrownBy(() -> metrics.counter("x", "lonely")).isInstanceOf(IllegalArgumentException.class);
    }
}
