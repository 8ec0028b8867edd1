package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.cohort.node.NodeId;
import io.cohort.node.jgroups.TestNodes.Node;
import io.cohort.node.wire.ControlEnvelope;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Three real control planes on loopback sharing one view; each test leaves the cluster as it found it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JGroupsControlPlaneTest {

    private static final Duration BOUND = Duration.ofSeconds(15);

    private TestNodes nodes;
    private Node a;
    private Node b;
    private Node c;

    @BeforeAll
    void startThreeNodes() throws Exception {
        nodes = new TestNodes("plane-test", 3);
        // B gets a small message limit so the oversized path can be exercised without megabytes.
        a = nodes.start("a", 0);
        b = nodes.start("b", 1, cfg -> cfg.maxMessageBytes(4096), false);
        c = nodes.start("c", 2);
        await().atMost(BOUND)
                .until(() -> List.of(a, b, c).stream().allMatch(n -> n.view().size() == 3));
    }

    @AfterAll
    void stop() {
        nodes.close();
    }

    @Test
    void threeNodesFormOneViewWithTheirNodeIdsAndAttributes() {
        List<NodeId> expected = List.of(a.id(), b.id(), c.id());
        for (Node node : List.of(a, b, c)) {
            assertThat(node.view().members()).containsExactlyElementsOf(expected);
            assertThat(node.view().id()).isEqualTo(a.view().id());
            assertThat(node.view().coordinator()).isEqualTo(a.id());
        }
        assertThat(a.plane.attributes(b.id())).isEqualTo(Map.of("data.host", "127.0.0.1", "data.port", "9001"));
        assertThat(c.plane.attributes(a.id())).containsEntry("data.port", "9000");
        assertThat(a.plane.attributes(new NodeId("nobody", 1))).isEmpty();
        assertThat(a.id().name()).isEqualTo("a");
        assertThat(a.id().incarnation()).isPositive();
    }

    @Test
    void transportRunsOnVirtualThreadsWithDiagnosticsOff() {
        var transport = a.plane.channel().getProtocolStack().getTransport();
        assertThat(transport.useVirtualThreads()).isTrue();
        assertThat(transport.getThreadFactory().useVirtualThreads()).isTrue();
        assertThat(transport.getDiagnosticsHandler().isEnabled()).isFalse();
        assertThat(transport.getBindAddr().isLoopbackAddress()).isTrue();
    }

    @Test
    void messagesRouteByComponentInSendOrder() {
        int count = 300;
        c.messages.clear();
        for (int i = 0; i < count; i++) {
            String component = i % 3 == 0 ? "pg:default" : "registry";
            a.plane.send(c.id(), component, ("m" + i).getBytes(StandardCharsets.UTF_8));
        }
        await().atMost(BOUND).until(() -> c.messages.size() == count);
        List<String> pg = payloadsOf(c, "pg:default");
        List<String> registry = payloadsOf(c, "registry");
        assertThat(pg).hasSize(count / 3);
        assertThat(registry).hasSize(count - count / 3);
        assertThat(pg).isSortedAccordingTo(JGroupsControlPlaneTest::bySequence);
        assertThat(registry).isSortedAccordingTo(JGroupsControlPlaneTest::bySequence);
        assertThat(c.messages).allSatisfy(m -> assertThat(m.from()).isEqualTo(a.id()));
    }

    @Test
    void aNodeCanSendToItself() {
        a.messages.clear();
        a.plane.send(a.id(), "self", new byte[] {1});
        await().atMost(BOUND).until(() -> !a.messages.isEmpty());
        assertThat(a.messages.peek().component()).isEqualTo("self");
    }

    @Test
    void messagesToNodesOutsideTheViewAreDroppedAndCounted() {
        long before = a.counter("membership.messages.dropped", "direction", "out", "reason", "not_in_view");
        a.plane.send(new NodeId("b", b.id().incarnation() + 1), "pg:default", new byte[] {1});
        assertThat(a.counter("membership.messages.dropped", "direction", "out", "reason", "not_in_view"))
                .isEqualTo(before + 1);
    }

    @Test
    void malformedUnknownVersionAndOversizedEnvelopesAreDroppedAndCounted() {
        b.messages.clear();
        a.plane.sendRaw(b.id(), new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
        a.plane.sendRaw(b.id(), envelope(2, "pg:default", new byte[] {1}));
        a.plane.sendRaw(b.id(), envelope(1, "", new byte[] {1}));
        a.plane.sendRaw(b.id(), envelope(1, "pg:default", new byte[8192]));
        a.plane.send(b.id(), "pg:default", "still-working".getBytes(StandardCharsets.UTF_8));

        await().atMost(BOUND).until(() -> !b.messages.isEmpty());
        assertThat(b.messages).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(a.id());
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("still-working");
        });
        assertThat(b.counter("membership.messages.dropped", "direction", "in", "reason", "malformed"))
                .isEqualTo(2);
        assertThat(b.counter("membership.messages.dropped", "direction", "in", "reason", "unknown_version"))
                .isEqualTo(1);
        assertThat(b.counter("membership.messages.dropped", "direction", "in", "reason", "oversized"))
                .isEqualTo(1);
        assertThat(b.view().size()).isEqualTo(3);
    }

    @Test
    void sendingAboveTheLimitIsDroppedAndCountedAtTheSender() {
        long before = b.counter("membership.messages.dropped", "direction", "out", "reason", "oversized");
        b.plane.send(a.id(), "pg:default", new byte[8192]);
        assertThat(b.counter("membership.messages.dropped", "direction", "out", "reason", "oversized"))
                .isEqualTo(before + 1);
    }

    private static byte[] envelope(int version, String component, byte[] payload) {
        return ControlEnvelope.newBuilder()
                .setVersion(version)
                .setComponent(component)
                .setPayload(ByteString.copyFrom(payload))
                .build()
                .toByteArray();
    }

    private static List<String> payloadsOf(Node node, String component) {
        return node.messages.stream()
                .filter(m -> m.component().equals(component))
                .map(m -> new String(m.payload(), StandardCharsets.UTF_8))
                .toList();
    }

    private static int bySequence(String left, String right) {
        return Integer.compare(Integer.parseInt(left.substring(1)), Integer.parseInt(right.substring(1)));
    }
}
