package io.cohort.node.netty;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The data plane's hot frame — a user value sent to one process, addressed by serial — encoded and decoded by hand.
 *
 * <p>The bytes are exactly those the generated code writes for
 * {@code DataFrame{version: 1, send: Send{message: WireMessage{user: Payload{tag, data}}, to_serial}}} (same fields,
 * same order, same omission of default values; {@code UserSendTest} checks this byte for byte against the generated
 * builders), so peers, fuzzers and the generated parser see an ordinary {@code DataFrame}. Going around the generated
 * builders saves the four nested message objects per message on both sides, which was most of the sending and
 * receiving event loops' work for small messages.
 *
 * <p>{@link #tryDecode} accepts only that exact layout and answers null for anything else — another kind of frame,
 * another field order, an unknown field, a malformed or truncated frame — and the caller then parses the frame with the
 * generated parser, which handles (or counts as malformed) everything.
 */
final class UserSend implements Outbound {

    // Tags: (field number << 3) | wire type.
    private static final int FRAME_VERSION = 1 << 3 | WireFormat.WIRETYPE_VARINT;
    private static final int FRAME_SEND = 4 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int SEND_MESSAGE = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int SEND_TO_SERIAL = 3 << 3 | WireFormat.WIRETYPE_VARINT;
    private static final int MESSAGE_USER = 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int PAYLOAD_TAG = 1 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    private static final int PAYLOAD_DATA = 2 << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;

    private final long toSerial;
    private final ByteString tag;
    private final byte[] data;
    private final int payloadSize;
    private final int messageSize;
    private final int sendSize;
    private final int frameSize;

    /**
     * @param tag the codec tag's UTF-8 bytes, not empty
     * @param data the encoded value; taken over, not copied
     */
    UserSend(long toSerial, ByteString tag, byte[] data) {
        if (tag.isEmpty()) {
            throw new IllegalArgumentException("a user send needs a codec tag");
        }
        this.toSerial = toSerial;
        this.tag = tag;
        this.data = data;
        this.payloadSize = CodedOutputStream.computeBytesSize(1, tag)
                + (data.length == 0 ? 0 : CodedOutputStream.computeByteArraySize(2, data));
        this.messageSize = lengthDelimitedSize(payloadSize);
        this.sendSize = lengthDelimitedSize(messageSize)
                + (toSerial == 0 ? 0 : CodedOutputStream.computeUInt64Size(3, toSerial));
        this.frameSize = CodedOutputStream.computeUInt32Size(1, Frames.VERSION) + lengthDelimitedSize(sendSize);
    }

    private static int lengthDelimitedSize(int contentSize) {
        return CodedOutputStream.computeTagSize(1)
                + CodedOutputStream.computeUInt32SizeNoTag(contentSize)
                + contentSize;
    }

    @Override
    public int serializedSize() {
        return frameSize;
    }

    @Override
    public void writeTo(CodedOutputStream out) throws IOException {
        out.writeUInt32(1, Frames.VERSION);
        out.writeTag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(sendSize);
        out.writeTag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(messageSize);
        out.writeTag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(payloadSize);
        out.writeBytes(1, tag);
        if (data.length > 0) {
            out.writeByteArray(2, data);
        }
        if (toSerial != 0) {
            out.writeUInt64(3, toSerial);
        }
    }

    /** A decoded user send: the receiving process's serial, the codec tag and the encoded value. */
    record Inbound(long toSerial, String tag, byte[] data) {}

    /**
     * The last tag a connection decoded, as bytes and as a string: a stream of messages nearly always carries one
     * codec's values, so the tag is compared rather than decoded from UTF-8 again. Confined to one event loop.
     */
    static final class TagCache {
        private ByteString bytes = ByteString.EMPTY;
        private String tag = "";

        /** The string of {@code read} (aliasing the frame's buffer), or null when it is not valid UTF-8. */
        String tagOf(ByteString read) {
            if (!read.equals(bytes)) {
                if (!read.isValidUtf8()) {
                    return null;
                }
                bytes = ByteString.copyFrom(read.asReadOnlyByteBuffer()); // the frame's buffer is released after
                tag = read.toStringUtf8();
            }
            return tag;
        }
    }

    /** As {@link #tryDecode(ByteBuffer, TagCache)} with a cache of its own. */
    static Inbound tryDecode(ByteBuffer bytes) {
        return tryDecode(bytes, new TagCache());
    }

    /** The frame in {@code bytes} if it has exactly the layout {@link #writeTo} produces, else null (see the class). */
    static Inbound tryDecode(ByteBuffer bytes, TagCache tags) {
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true); // readBytes then wraps the frame's bytes; readByteArray still copies
            if (in.readTag() != FRAME_VERSION || in.readUInt32() != Frames.VERSION) {
                return null;
            }
            if (in.readTag() != FRAME_SEND) {
                return null;
            }
            int sendLimit = in.pushLimit(in.readRawVarint32());
            if (in.readTag() != SEND_MESSAGE) {
                return null;
            }
            int messageLimit = in.pushLimit(in.readRawVarint32());
            if (in.readTag() != MESSAGE_USER) {
                return null;
            }
            int payloadLimit = in.pushLimit(in.readRawVarint32());
            if (in.readTag() != PAYLOAD_TAG) {
                return null;
            }
            String tag = tags.tagOf(in.readBytes());
            if (tag == null) {
                return null; // not UTF-8: the generated parser refuses it
            }
            byte[] data;
            int next = in.readTag();
            if (next == PAYLOAD_DATA) {
                data = in.readByteArray();
                next = in.readTag();
            } else {
                data = new byte[0];
            }
            if (next != 0 || tag.isEmpty()) {
                return null; // more payload fields than ours: a newer layout
            }
            in.popLimit(payloadLimit);
            if (!in.isAtEnd()) {
                return null;
            }
            in.popLimit(messageLimit);
            long serial = 0;
            next = in.readTag();
            if (next == SEND_TO_SERIAL) {
                serial = in.readUInt64();
                next = in.readTag();
            }
            if (next != 0) {
                return null;
            }
            in.popLimit(sendLimit);
            return in.isAtEnd() ? new Inbound(serial, tag, data) : null;
        } catch (IOException | RuntimeException e) {
            return null; // malformed: the generated parser will say so, and the caller counts it
        }
    }
}
