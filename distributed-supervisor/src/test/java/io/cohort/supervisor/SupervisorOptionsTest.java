package io.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The quorum lease must fence a cut-off node before the others' failure detection restarts its children. */
class SupervisorOptionsTest {

    @Test
    void theDefaultLeaseFitsTheDefaultFailureDetection() {
        assertThatCode(() -> SupervisorServer.Options.defaults().checkLeaseFits(Duration.ofSeconds(3)))
                .doesNotThrowAnyException();
    }

    @Test
    void aLeaseThatEndsAfterFailureDetectionIsRefusedWithTheWayOut() {
        assertThatThrownBy(() -> SupervisorServer.Options.defaults().checkLeaseFits(Duration.ofMillis(2_000)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1500 ms")
                .hasMessageContaining("2000 ms")
                .hasMessageContaining("lower leaseNs below 1200 ms");
        assertThatCode(() -> SupervisorServer.Options.defaults()
                        .withLeaseNs(1_100_000_000L)
                        .checkLeaseFits(Duration.ofMillis(2_000)))
                .as("the suggested value fits")
                .doesNotThrowAnyException();
    }

    @Test
    void withoutALeaseOrUnderAvailableThereIsNothingToCheck() {
        assertThatCode(() -> SupervisorServer.Options.defaults().withLeaseNs(0).checkLeaseFits(Duration.ofMillis(100)))
                .doesNotThrowAnyException();
        assertThatCode(() -> SupervisorServer.Options.defaults()
                        .withPartitionPolicy(SupervisorServer.PartitionPolicy.AVAILABLE)
                        .checkLeaseFits(Duration.ofMillis(100)))
                .doesNotThrowAnyException();
    }
}
