package io.cohort.chaos.jmh;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.Codecs;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.WireMessage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The data plane's per-message codec work: a 100-byte payload to a remote pid, encoded and decoded. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {

    private final WireMessages wire = new WireMessages(new Codecs());
    private final Pid to = new Pid(new NodeId("orders-2", 1_795_000_000_000L), 4242);
    private final byte[] payload = new byte[100];
    private byte[] encodedFrame;
    private WireMessage encodedMessage;

    @Setup
    public void setUp() {
        encodedMessage = wire.encode(payload);
        encodedFrame = frame().toByteArray();
    }

    private DataFrame frame() {
        return DataFrame.newBuilder()
                .setVersion(1)
                .setSend(Send.newBuilder().setTo(WireMessages.pid(to)).setMessage(wire.encode(payload)))
                .build();
    }

    @Benchmark
    public byte[] encodeSendFrame() {
        return frame().toByteArray();
    }

    @Benchmark
    public Object decodeSendFrame() throws Exception {
        DataFrame frame = DataFrame.parseFrom(encodedFrame);
        return wire.decode(frame.getSend().getMessage());
    }

    @Benchmark
    public Object decodePayload() {
        return wire.decode(encodedMessage);
    }
}
