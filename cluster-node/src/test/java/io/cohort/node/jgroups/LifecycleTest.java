package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cohort.node.config.NodeConfig;
import io.cohort.node.jgroups.TestNodes.Node;
import io.cohort.node.runtime.ControlPlane;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Start and close: a graceful leave is seen at once by peers, close is idempotent, nothing throws afterwards. */
class LifecycleTest {

    private static final Duration BOUND = Duration.ofSeconds(15);

    private final TestNodes nodes = new TestNodes("lifecycle-test", 2);

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void gracefulLeaveIsSeenByPeersAndCloseIsIdempotent() throws Exception {
        Node a = nodes.start("a", 0);
        Node b = nodes.start("b", 1);
        await().atMost(BOUND).until(() -> a.view().size() == 2);

        b.plane.close();
        b.plane.close();
        // A LEAVE, not a suspicion: well within the heartbeat timeout.
        await().atMost(Duration.ofSeconds(2)).until(() -> a.view().members().equals(List.of(a.id())));

        b.plane.send(a.id(), "pg:default", new byte[] {1});
        assertThat(b.counter("membership.messages.dropped", "direction", "out", "reason", "not_started"))
                .isEqualTo(1);
        assertThat(a.messages).isEmpty();
    }

    @Test
    void aControlPlaneStartsOnce() throws Exception {
        Node a = nodes.start("a", 0);
        assertThatThrownBy(() -> a.plane.start(a)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void faultInjectionMustBeAskedFor() throws Exception {
        Node a = nodes.start("a", 0);
        assertThatThrownBy(a.plane::heal).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closingBeforeStartIsHarmless() {
        NodeConfig config = nodes.config("never-started", 1).build();
        ControlPlane plane = JGroupsControlPlane.builder(config).build();
        plane.close();
        assertThat(plane.view()).isNull();
        assertThat(plane.self().name()).isEqualTo("never-started");
    }
}
