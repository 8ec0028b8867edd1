package io.cohort.node.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.ViewId;
import io.cohort.node.codec.Codecs;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.sim.SimMetrics;
import io.cohort.node.wire.DataFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random bytes into the real inbound pipeline (length decoder, frame decoder, acceptor, dispatch to a process
 * runtime): nothing ever escapes the pipeline as an exception, whatever arrives before or after a valid Hello.
 */
class FrameDecoderFuzzTest {

    private static final NodeId SELF = new NodeId("fuzzed", 1);
    private static final NodeId PEER = new NodeId("peer", 1);

    private static NettyDataPlane plane;
    private static ProcessRuntime runtime;

    @BeforeContainer
    static void startPlane() {
        NodeConfig config = NodeConfig.builder()
                .nodeName("fuzzed")
                .clusterName("fuzz")
                .seeds(List.of(new io.cohort.node.config.Seed("127.0.0.1", 7800)))
                .maxMessageBytes(64 * 1024)
                .build();
        SimMetrics metrics = new SimMetrics();
        plane = new NettyDataPlane(config, metrics, new Codecs());
        runtime = new ProcessRuntime(new ProcessTable(SELF), metrics);
        plane.attach(runtime, id -> Map.of());
        plane.onView(MembershipView.of(new ViewId(SELF, 1), List.of(PEER, SELF)));
        // A few live processes, so random Sends and Monitors sometimes hit one.
        for (int i = 0; i < 4; i++) {
            runtime.spawn(ctx -> {
                while (true) {
                    ctx.receive();
                }
            });
        }
    }

    @AfterContainer
    static void closePlane() {
        runtime.close();
        plane.close();
    }

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        DataPlaneCounters counters = plane.counters();
        RateLimitedLog log = new RateLimitedLog();
        Frames.framing(channel.pipeline(), null, 64 * 1024, new FrameDecoder(counters, log));
        channel.pipeline().addLast(new AcceptorHandler(plane, counters, log));
        return channel;
    }

    private static ByteBuf framed(byte[] body) {
        ByteBuf buffer = Unpooled.buffer(4 + body.length);
        buffer.writeInt(body.length);
        buffer.writeBytes(body);
        return buffer;
    }

    private static void feed(EmbeddedChannel channel, ByteBuf bytes) {
        // EmbeddedChannel rethrows anything that reached the end of the pipeline: the property is that this never
        // throws.
        channel.writeInbound(bytes);
        channel.checkException();
        channel.runPendingTasks();
    }

    @Property(tries = 500)
    void rawRandomBytesNeverEscapeThePipeline(@ForAll @Size(max = 2048) byte[] bytes) {
        EmbeddedChannel channel = channel();
        feed(channel, Unpooled.wrappedBuffer(bytes));
        channel.finishAndReleaseAll();
    }

    @Property(tries = 500)
    void randomFramesAfterAValidHelloNeverEscapeThePipeline(
            @ForAll @Size(max = 8) List<@Size(max = 512) byte[]> bodies) {
        EmbeddedChannel channel = channel();
        feed(channel, framed(Frames.hello(PEER, "fuzz").toByteArray()));
        assertThat(channel.isActive()).isTrue();
        for (byte[] body : bodies) {
            feed(channel, framed(body));
        }
        channel.finishAndReleaseAll();
    }

    @Property(tries = 300)
    void mutatedValidFramesNeverEscapeThePipeline(
            @ForAll int seedIndex, @ForAll @Size(min = 1, max = 16) byte[] noise) {
        DataFrame valid = FuzzFrames.sample(seedIndex, SELF, PEER);
        byte[] body = valid.toByteArray();
        for (int i = 0; i < noise.length && body.length > 0; i++) {
            body[Math.floorMod(noise[i] * 31 + i * 7, body.length)] ^= noise[i];
        }
        EmbeddedChannel channel = channel();
        feed(channel, framed(Frames.hello(PEER, "fuzz").toByteArray()));
        feed(channel, framed(body));
        channel.finishAndReleaseAll();
    }
}
