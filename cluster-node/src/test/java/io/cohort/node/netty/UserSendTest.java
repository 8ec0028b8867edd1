package io.cohort.node.netty;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Payload;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.SendMany;
import io.cohort.node.wire.WireMessage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.NotEmpty;
import net.jqwik.api.constraints.Size;

/**
 * The hand-rolled codec of the hot frame against the generated one: the same bytes out, the same values in, and
 * anything that is not exactly that frame left to the generated parser.
 */
class UserSendTest {

    private static DataFrame generated(long serial, String tag, byte[] data) {
        return DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSend(Send.newBuilder()
                        .setToSerial(serial)
                        .setMessage(WireMessage.newBuilder()
                                .setUser(Payload.newBuilder().setTag(tag).setData(ByteString.copyFrom(data)))))
                .build();
    }

    private static byte[] handEncoded(long serial, String tag, byte[] data) throws IOException {
        UserSend send = new UserSend(serial, ByteString.copyFromUtf8(tag), data.clone());
        byte[] bytes = new byte[send.serializedSize()];
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        send.writeTo(out);
        out.checkNoSpaceLeft();
        return bytes;
    }

    @Property(tries = 1000)
    void writesExactlyTheGeneratedBytes(
            @ForAll long serial, @ForAll @NotEmpty String tag, @ForAll @Size(max = 300) byte[] data)
            throws IOException {
        assertThat(handEncoded(serial, tag, data))
                .isEqualTo(generated(serial, tag, data).toByteArray());
    }

    @Property(tries = 1000)
    void readsWhatTheGeneratedCodeWrites(
            @ForAll long serial, @ForAll @NotEmpty String tag, @ForAll @Size(max = 300) byte[] data) {
        UserSend.Inbound decoded =
                UserSend.tryDecode(ByteBuffer.wrap(generated(serial, tag, data).toByteArray()));

        assertThat(decoded).isNotNull();
        assertThat(decoded.toSerial()).isEqualTo(serial);
        assertThat(decoded.tag()).isEqualTo(tag);
        assertThat(decoded.data()).isEqualTo(data);
    }

    @Property(tries = 300)
    void aConnectionsTagCacheFollowsChangingTags(
            @ForAll @Size(min = 1, max = 20) java.util.List<@NotEmpty String> tags) {
        UserSend.TagCache cache = new UserSend.TagCache();
        for (String tag : tags) {
            // Direct buffers, as the event loop reads them, and arrays, as in the other properties.
            byte[] frame = generated(5, tag, new byte[] {7}).toByteArray();
            ByteBuffer direct =
                    ByteBuffer.allocateDirect(frame.length).put(frame).flip();

            assertThat(UserSend.tryDecode(direct, cache).tag()).isEqualTo(tag);
            assertThat(UserSend.tryDecode(ByteBuffer.wrap(frame), cache).tag()).isEqualTo(tag);
        }
    }

    @Example
    void aTagThatIsNotUtf8IsLeftToTheGeneratedParser() {
        byte[] frame = generated(5, "ab", new byte[] {7}).toByteArray();
        int at = indexOf(frame, (byte) 'a');
        frame[at] = (byte) 0xC3; // a lead byte followed by 'b': malformed UTF-8
        assertThat(UserSend.tryDecode(ByteBuffer.wrap(frame))).isNull();
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }

    @Property(tries = 1000)
    void anythingItAcceptsTheGeneratedParserReadsTheSame(@ForAll @Size(max = 200) byte[] bytes) throws Exception {
        UserSend.Inbound decoded = UserSend.tryDecode(ByteBuffer.wrap(bytes));
        if (decoded != null) {
            DataFrame frame = DataFrame.parseFrom(bytes);
            assertThat(frame.getSend().getToSerial()).isEqualTo(decoded.toSerial());
            assertThat(frame.getSend().getMessage().getUser().getTag()).isEqualTo(decoded.tag());
            assertThat(frame.getSend().getMessage().getUser().getData().toByteArray())
                    .isEqualTo(decoded.data());
        }
    }

    @Property(tries = 500)
    void truncatedOrCorruptedFramesAreLeftToTheGeneratedParser(
            @ForAll long serial, @ForAll @Size(min = 1, max = 100) byte[] data, @ForAll int cut) {
        byte[] whole = generated(serial, "bytes", data).toByteArray();
        byte[] truncated = Arrays.copyOf(whole, Math.floorMod(cut, whole.length));
        assertThat(UserSend.tryDecode(ByteBuffer.wrap(truncated))).isNull();
    }

    @Example
    void otherFramesAreLeftToTheGeneratedParser() {
        NodeId node = new NodeId("n", 7);
        WireMessages wire = new WireMessages(new io.cohort.node.codec.Codecs());
        DataFrame addressedByPid = DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSend(Send.newBuilder()
                        .setTo(WireMessages.pid(new Pid(node, 3)))
                        .setMessage(wire.encode("hello")))
                .build();
        DataFrame systemMessage = DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSend(Send.newBuilder()
                        .setToSerial(3)
                        .setMessage(wire.encode(new io.cohort.node.process.Signal.Exit(
                                new Pid(node, 4), io.cohort.node.process.ExitReason.NORMAL))))
                .build();
        DataFrame many = DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSendMany(SendMany.newBuilder()
                        .setTo(WireMessages.nodeId(node))
                        .addSerials(3)
                        .setMessage(wire.encode("hello")))
                .build();
        DataFrame newerVersion = generated(3, "string", new byte[] {1}).toBuilder()
                .setVersion(Frames.VERSION + 1)
                .build();
        DataFrame unknownField = generated(3, "string", new byte[] {1}).toBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                        .addField(
                                99,
                                com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                        .addVarint(1)
                                        .build())
                        .build())
                .build();
        for (DataFrame frame : new DataFrame[] {
            addressedByPid, systemMessage, many, newerVersion, unknownField, Frames.hello(node, "c")
        }) {
            assertThat(UserSend.tryDecode(ByteBuffer.wrap(frame.toByteArray())))
                    .as("%s", frame)
                    .isNull();
        }
    }

    @Example
    void aUserSendIsWhatTheCodecsSayOfTheValue() {
        WireMessages wire = new WireMessages(new io.cohort.node.codec.Codecs());
        WireMessages.EncodedUser user = wire.encodeUser("héllo");
        UserSend.Inbound decoded = UserSend.tryDecode(ByteBuffer.wrap(
                generated(9, user.tag().toStringUtf8(), user.bytes()).toByteArray()));

        assertThat(wire.value(decoded.tag(), decoded.data())).isEqualTo("héllo");
        assertThat(WireMessages.isUserValue("héllo")).isTrue();
        assertThat(WireMessages.isUserValue(null)).isFalse();
        assertThat(WireMessages.isUserValue(new io.cohort.node.process.Signal.Exit(
                        new Pid(new NodeId("n", 1), 4), io.cohort.node.process.ExitReason.NORMAL)))
                .isFalse();
    }
}
