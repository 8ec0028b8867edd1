package io.cohort.node.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.ServerMessage;
import io.cohort.node.process.Signal;
import io.cohort.node.wire.WireMessage;
import io.cohort.node.wire.WireNodeId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.StringLength;

/** Every value and system message that crosses nodes comes back equal after encoding and decoding. */
class CodecsPropertiesTest {

    private final WireMessages wire = new WireMessages(
            new Codecs().registerProtobuf(WireNodeId.getDefaultInstance()).register(new PointCodec()));

    private Object roundTrip(Object message) throws Exception {
        WireMessage encoded = wire.encode(message);
        return wire.decode(WireMessage.parseFrom(encoded.toByteArray()));
    }

    @Property
    void stringsRoundTrip(@ForAll String value) throws Exception {
        assertThat(roundTrip(value)).isEqualTo(value);
    }

    @Property
    void bytesRoundTrip(@ForAll byte[] value) throws Exception {
        assertThat((byte[]) roundTrip(value)).isEqualTo(value);
    }

    @Property
    void numbersAndBooleansRoundTrip(@ForAll long l, @ForAll int i, @ForAll boolean b) throws Exception {
        assertThat(roundTrip(l)).isEqualTo(l);
        assertThat(roundTrip(i)).isEqualTo(i);
        assertThat(roundTrip(b)).isEqualTo(b);
    }

    @Property
    void registeredProtobufMessagesRoundTrip(
            @ForAll @AlphaChars @StringLength(min = 1, max = 30) String name, @ForAll long incarnation)
            throws Exception {
        WireNodeId message = WireNodeId.newBuilder()
                .setName(name)
                .setIncarnation(incarnation)
                .build();
        assertThat(roundTrip(message)).isEqualTo(message);
    }

    @Property
    void userCodecsRoundTrip(@ForAll int x, @ForAll int y) throws Exception {
        assertThat(roundTrip(new Point(x, y))).isEqualTo(new Point(x, y));
    }

    @Property
    void systemMessagesRoundTrip(@ForAll("pids") Pid pid, @ForAll long ref, @ForAll("reasons") ExitReason reason)
            throws Exception {
        long r = ref & Long.MAX_VALUE;
        for (Object message : List.of(
                new ServerMessage.Call(new ServerContext.From(pid, r), "req"),
                new ServerMessage.Cast(7L),
                new ServerMessage.Reply(r, "value"),
                new ServerMessage.Stop(reason),
                new Signal.Down(r, pid, reason),
                new Signal.Exit(pid, reason))) {
            assertThat(roundTrip(message)).isEqualTo(message);
        }
    }

    @Property
    void exitReasonsRoundTrip(@ForAll("reasons") ExitReason reason) {
        assertThat(WireMessages.reason(WireMessages.reason(reason))).isEqualTo(reason);
    }

    @Example
    void aNullReplyRoundTrips() throws Exception {
        assertThat(roundTrip(new ServerMessage.Reply(3, null))).isEqualTo(new ServerMessage.Reply(3, null));
    }

    @Example
    void aTypeWithoutACodecIsRefusedWithAClearError() {
        record Unknown() {}
        assertThatThrownBy(() -> wire.encode(new Unknown()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Unknown.class.getName())
                .hasMessageContaining("Codecs.register");
    }

    @Example
    void anUnknownTagOnReceiveIsReportedAsSuch() {
        WireMessages stranger = new WireMessages(new Codecs());
        assertThatThrownBy(() -> stranger.decode(wire.encode(new Point(1, 2))))
                .isInstanceOf(WireMessages.UnknownTagException.class);
        assertThatThrownBy(() -> stranger.decode(wire.encode(WireNodeId.getDefaultInstance())))
                .isInstanceOf(WireMessages.UnknownTagException.class);
    }

    @Provide
    Arbitrary<Pid> pids() {
        return Combinators.combine(
                        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20),
                        Arbitraries.longs().greaterOrEqual(0),
                        Arbitraries.longs().greaterOrEqual(0))
                .as((name, incarnation, serial) -> new Pid(new NodeId(name, incarnation), serial));
    }

    @Provide
    Arbitrary<ExitReason> reasons() {
        return Arbitraries.oneOf(
                Arbitraries.of(
                        ExitReason.NORMAL,
                        ExitReason.SHUTDOWN,
                        ExitReason.KILLED,
                        ExitReason.NOPROC,
                        ExitReason.NOCONNECTION),
                Arbitraries.strings().map(ExitReason.Custom::new),
                Combinators.combine(Arbitraries.strings().ofMinLength(1), Arbitraries.strings())
                        .as(ExitReason.Failure::new));
    }

    record Point(int x, int y) {}

    /** An application codec, as users write them. */
    static final class PointCodec implements Codec {
        @Override
        public String tag() {
            return "test.Point";
        }

        @Override
        public boolean handles(Object value) {
            return value instanceof Point;
        }

        @Override
        public byte[] encode(Object value) {
            Point p = (Point) value;
            return (p.x() + "," + p.y()).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public Object decode(byte[] bytes) {
            String[] parts = new String(bytes, StandardCharsets.UTF_8).split(",");
            return new Point(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
        }
    }
}
