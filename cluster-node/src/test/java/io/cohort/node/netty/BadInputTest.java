package io.cohort.node.netty;

import static io.cohort.node.netty.DataPlaneCluster.BOUND;
import static io.cohort.node.netty.DataPlaneCluster.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Hello;
import io.cohort.node.wire.Payload;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.WireMessage;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A plain socket client speaks garbage to a node's data port: every bad frame or handshake is dropped or closed and
 * counted, and the node keeps delivering its peers' messages.
 */
class BadInputTest {

    private static DataPlaneCluster cluster;
    private static Node a;
    private static Node b;

    @BeforeAll
    static void startTwoNodes() throws Exception {
        cluster = new DataPlaneCluster("bad-input", 2);
        List<Node> nodes = cluster.startAll(UnaryOperator.identity());
        a = nodes.get(0);
        b = nodes.get(1);
    }

    @AfterAll
    static void closeNodes() {
        cluster.close();
    }

    private static Socket connect(Node node) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), node.dataPort());
        socket.setSoTimeout((int) BOUND.toMillis());
        return socket;
    }

    private static void writeFrame(Socket socket, byte[] body) throws IOException {
        DataOutputStream out = new DataOutputStream(socket.getOutputStream());
        out.writeInt(body.length);
        out.write(body);
        out.flush();
    }

    private static DataFrame hello(NodeId sender, String cluster, int protocolVersion) {
        return DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setHello(Hello.newBuilder()
                        .setSender(WireMessages.nodeId(sender))
                        .setCluster(cluster)
                        .setProtocolVersion(protocolVersion))
                .build();
    }

    /** True once the node closed the connection (end of stream or reset). */
    private static boolean closedByPeer(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketException reset) {
            return true;
        }
    }

    private static void assertStillDelivers() throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Pid receiver = b.processes().spawn(ctx -> got.add(ctx.receive()));
        a.processes().send(receiver, "still-works");
        assertThat(got.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("still-works");
    }

    @Test
    void aGarbageFirstFrameClosesTheConnection() throws Exception {
        long before = counter(b, "data.frames.dropped", "reason", "malformed")
                + counter(b, "data.connections.closed", "reason", "no_hello");
        try (Socket socket = connect(b)) {
            writeFrame(socket, "definitely not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1));
            writeFrame(socket, new byte[] {0x08, 0x01}); // a valid, empty version-1 frame: not a Hello
            assertThat(closedByPeer(socket)).isTrue();
        }
        assertThat(counter(b, "data.frames.dropped", "reason", "malformed")
                        + counter(b, "data.connections.closed", "reason", "no_hello"))
                .isGreaterThan(before);
        assertStillDelivers();
    }

    @Test
    void anOversizedFrameClosesTheConnection() throws Exception {
        long before = counter(b, "data.connections.closed", "reason", "oversized");
        try (Socket socket = connect(b)) {
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(b.config().maxMessageBytes() + 1);
            out.write(new byte[1024]);
            out.flush();
            assertThat(closedByPeer(socket)).isTrue();
        }
        await().atMost(BOUND).until(() -> counter(b, "data.connections.closed", "reason", "oversized") > before);
        assertStillDelivers();
    }

    @Test
    void aHelloFromAnotherClusterOrVersionOrAnUnknownNodeIsRefused() throws Exception {
        long foreign = counter(b, "data.connections.closed", "reason", "foreign_cluster");
        long version = counter(b, "data.connections.closed", "reason", "bad_version");
        long unknown = counter(b, "data.connections.closed", "reason", "unknown_node");
        try (Socket socket = connect(b)) {
            writeFrame(
                    socket,
                    hello(a.self(), "some-other-cluster", Frames.PROTOCOL_VERSION)
                            .toByteArray());
            assertThat(closedByPeer(socket)).isTrue();
        }
        try (Socket socket = connect(b)) {
            writeFrame(socket, hello(a.self(), cluster.clusterName(), 99).toByteArray());
            assertThat(closedByPeer(socket)).isTrue();
        }
        try (Socket socket = connect(b)) {
            NodeId oldLife = new NodeId(a.self().name(), a.self().incarnation() - 1);
            writeFrame(
                    socket,
                    hello(oldLife, cluster.clusterName(), Frames.PROTOCOL_VERSION)
                            .toByteArray());
            assertThat(closedByPeer(socket)).isTrue();
        }
        assertThat(counter(b, "data.connections.closed", "reason", "foreign_cluster"))
                .isGreaterThan(foreign);
        assertThat(counter(b, "data.connections.closed", "reason", "bad_version"))
                .isGreaterThan(version);
        assertThat(counter(b, "data.connections.closed", "reason", "unknown_node"))
                .isGreaterThan(unknown);
        assertStillDelivers();
    }

    @Test
    void afterAGoodHelloBadFramesAreDroppedAndCountedAndGoodOnesStillDelivered() throws Exception {
        BlockingQueue<Object> got = new LinkedBlockingQueue<>();
        Pid receiver = b.processes().spawn(ctx -> {
            while (true) {
                got.add(ctx.receive());
            }
        });
        long malformed = counter(b, "data.frames.dropped", "reason", "malformed");
        long unknownVersion = counter(b, "data.frames.dropped", "reason", "unknown_version");
        long unknownTag = counter(b, "data.frames.dropped", "reason", "unknown_tag");
        long foreign = counter(b, "data.frames.dropped", "reason", "foreign_incarnation");
        try (Socket socket = connect(b)) {
            // Without TLS anyone who knows a member's identity can say its Hello: that is what TLS is for.
            writeFrame(
                    socket,
                    hello(a.self(), cluster.clusterName(), Frames.PROTOCOL_VERSION)
                            .toByteArray());
            writeFrame(socket, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff});
            writeFrame(
                    socket,
                    send(receiver, "from-the-future", "string").toBuilder()
                            .setVersion(7)
                            .build()
                            .toByteArray());
            writeFrame(socket, send(receiver, "tagged-unknown", "no-such-codec").toByteArray());
            Pid otherLife = new Pid(new NodeId(b.self().name(), b.self().incarnation() + 1), receiver.serial());
            writeFrame(socket, send(otherLife, "wrong-incarnation", "string").toByteArray());
            writeFrame(socket, sendMany(otherLife, "many-wrong-incarnation").toByteArray());
            writeFrame(socket, sendMany(receiver, "many").toByteArray());
            writeFrame(socket, send(receiver, "good", "string").toByteArray());
            assertThat(got.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("many");
            assertThat(got.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("good");
        }
        assertThat(counter(b, "data.frames.dropped", "reason", "malformed")).isGreaterThan(malformed);
        assertThat(counter(b, "data.frames.dropped", "reason", "unknown_version"))
                .isGreaterThan(unknownVersion);
        assertThat(counter(b, "data.frames.dropped", "reason", "unknown_tag")).isGreaterThan(unknownTag);
        assertThat(counter(b, "data.frames.dropped", "reason", "foreign_incarnation"))
                .isGreaterThan(foreign);
        assertThat(got).isEmpty();
        assertStillDelivers();
    }

    private static DataFrame sendMany(Pid to, String text) {
        return DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSendMany(io.cohort.node.wire.SendMany.newBuilder()
                        .setTo(WireMessages.nodeId(to.node()))
                        .addSerials(to.serial())
                        .addSerials(Long.MAX_VALUE) // no such process: dropped silently
                        .setMessage(WireMessage.newBuilder()
                                .setUser(Payload.newBuilder()
                                        .setTag("string")
                                        .setData(com.google.protobuf.ByteString.copyFromUtf8(text)))))
                .build();
    }

    private static DataFrame send(Pid to, String text, String tag) {
        return DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSend(Send.newBuilder()
                        .setTo(WireMessages.pid(to))
                        .setMessage(WireMessage.newBuilder()
                                .setUser(Payload.newBuilder()
                                        .setTag(tag)
                                        .setData(com.google.protobuf.ByteString.copyFromUtf8(text)))))
                .build();
    }
}
