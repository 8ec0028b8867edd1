package io.cohort.node.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.ViewId;
import io.cohort.node.codec.Codecs;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.process.Signal;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbound queue's stated policy, on a plane whose peer never becomes reachable (it published no address): user
 * sends beyond the capacity are dropped and counted, link and monitor frames still fit in the reserve, and when the
 * peer leaves the view its queue is dropped and monitors and links of its processes fire {@code noconnection}.
 */
class QueuePolicyTest {

    private static final NodeId SELF = new NodeId("self", 1);
    private static final NodeId PEER = new NodeId("peer", 1);
    private static final int CAPACITY = 10;

    private final SimMetrics metrics = new SimMetrics();
    private final NettyDataPlane plane = new NettyDataPlane(
            NodeConfig.builder()
                    .nodeName("self")
                    .seeds(List.of(new Seed("127.0.0.1", 7800)))
                    .build(),
            metrics,
            new Codecs(),
            CAPACITY,
            Duration.ofMillis(20));
    private final ProcessRuntime runtime = new ProcessRuntime(new ProcessTable(SELF), metrics);

    @AfterEach
    void close() {
        runtime.close();
        plane.close();
    }

    @Test
    void sendsBeyondTheCapacityWaitThenAreDroppedAndPeerLossFiresNoconnection() throws Exception {
        plane.attach(runtime, id -> Map.of());
        runtime.remote(plane);
        plane.onView(MembershipView.of(new ViewId(SELF, 1), List.of(PEER, SELF)));
        Pid remote = new Pid(PEER, 5);

        // The peer publishes no data address, so nothing drains: each send past the capacity waits its 20 ms, then
        // drops.
        for (int i = 0; i < CAPACITY + 5; i++) {
            runtime.send(remote, "m" + i);
        }
        assertThat(metrics.count("data.frames.dropped", "reason", "queue_full")).isEqualTo(5);

        BlockingQueue<Object> saw = new LinkedBlockingQueue<>();
        runtime.spawn(ctx -> {
            ctx.trapExits(true);
            long ref = ctx.monitor(remote);
            ctx.link(remote);
            saw.add(ref);
            saw.add(ctx.receive());
            saw.add(ctx.receive());
        });
        long ref = (Long) saw.poll(5, TimeUnit.SECONDS);
        // The monitor and link frames used the reserve: nothing fired yet.
        assertThat(saw.poll(200, TimeUnit.MILLISECONDS)).isNull();

        plane.onView(MembershipView.of(new ViewId(SELF, 2), List.of(SELF)));
        assertThat(List.of(saw.poll(5, TimeUnit.SECONDS), saw.poll(5, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder(
                        new Signal.Down(ref, remote, ExitReason.NOCONNECTION),
                        new Signal.Exit(remote, ExitReason.NOCONNECTION));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> metrics.count("data.frames.dropped", "reason", "peer_left") == CAPACITY + 2);

        // The peer is gone: later sends have no route and monitors report noconnection at once.
        runtime.send(remote, "late");
        assertThat(metrics.count("data.frames.dropped", "reason", "no_route")).isGreaterThan(0);
    }
}
