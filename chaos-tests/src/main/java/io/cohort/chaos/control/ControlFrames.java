package io.cohort.chaos.control;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.MessageLite;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The control channel's framing: Protobuf's delimited form (a varint size, then the message), with a size limit so a
 * stray or hostile peer cannot make either side allocate without bound.
 */
public final class ControlFrames {

    /** The largest frame either side sends or accepts. */
    public static final int MAX_FRAME_BYTES = 1 << 20;

    private ControlFrames() {}

    /**
     * Reads one frame's bytes; null at a clean end of stream (before the first byte of a frame).
     *
     * @throws IOException on a truncated frame or one larger than {@link #MAX_FRAME_BYTES}
     */
    public static byte[] read(InputStream in) throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int size = CodedInputStream.readRawVarint32(first, in);
        if (size < 0 || size > MAX_FRAME_BYTES) {
            throw new IOException("control frame of " + size + " bytes (limit " + MAX_FRAME_BYTES + ")");
        }
        byte[] bytes = in.readNBytes(size);
        if (bytes.length != size) {
            throw new EOFException("control frame truncated: " + bytes.length + " of " + size + " bytes");
        }
        return bytes;
    }

    /** Writes one message as a frame and flushes. */
    public static void write(OutputStream out, MessageLite message) throws IOException {
        int size = message.getSerializedSize();
        if (size > MAX_FRAME_BYTES) {
            throw new IOException("control frame of " + size + " bytes (limit " + MAX_FRAME_BYTES + ")");
        }
        message.writeDelimitedTo(out);
        out.flush();
    }
}
