package io.cohort.node.netty;

import com.google.protobuf.CodedOutputStream;
import io.cohort.node.NodeId;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Hello;
import io.cohort.node.wire.HelloAck;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The framing of data-plane connections: a 4-byte big-endian length, then one serialized {@link DataFrame}. Both ends
 * of a connection build the same pipeline: optional TLS, the length decoder (which refuses frames above the maximum),
 * and the {@link FrameDecoder}; the role handler (acceptor or connector) goes last.
 */
final class Frames {

    /** The frame version this node writes and reads. */
    static final int VERSION = 1;
    /** The connection protocol version carried in Hello. */
    static final int PROTOCOL_VERSION = 1;

    static final int LENGTH_BYTES = 4;

    private Frames() {}

    /** Adds TLS (when configured), framing and decoding in front of the role handler. */
    static void framing(ChannelPipeline pipeline, SslContext tls, int maxFrameBytes, FrameDecoder decoder) {
        if (tls != null) {
            pipeline.addLast("tls", tls.newHandler(pipeline.channel().alloc()));
        }
        // failFast: an oversized length is refused as soon as it is read, before any of its body is buffered.
        pipeline.addLast(
                "length",
                new LengthFieldBasedFrameDecoder(maxFrameBytes + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES, true));
        pipeline.addLast("frames", decoder);
    }

    /** {@code frame} with its length prefix, in a buffer from {@code allocator}. */
    static ByteBuf encode(ByteBufAllocator allocator, DataFrame frame) {
        int size = frame.getSerializedSize();
        ByteBuf buffer = allocator.ioBuffer(LENGTH_BYTES + size);
        boolean done = false;
        try {
            buffer.writeInt(size);
            CodedOutputStream out = CodedOutputStream.newInstance(buffer.nioBuffer(LENGTH_BYTES, size));
            frame.writeTo(out);
            out.checkNoSpaceLeft();
            buffer.writerIndex(LENGTH_BYTES + size);
            done = true;
            return buffer;
        } catch (IOException e) {
            throw new UncheckedIOException("a frame did not fit its own serialized size", e);
        } finally {
            if (!done) {
                buffer.release();
            }
        }
    }

    /**
     * Frames of one drain, encoded one after another into one buffer with one protobuf encoder, so the socket write
     * gathers one buffer per batch instead of one per message, and no per-frame buffer view or encoder is made.
     */
    static final class Batch {
        private final ByteBuf buffer;
        private final CodedOutputStream out;

        /** A batch with room for at least {@code capacity} bytes. */
        Batch(ByteBufAllocator allocator, int capacity) {
            this.buffer = allocator.ioBuffer(capacity);
            this.out = CodedOutputStream.newInstance(buffer.nioBuffer(0, buffer.capacity()));
        }

        /** True when a frame of {@code size} bytes (without its prefix) still fits. */
        boolean fits(int size) {
            return out.spaceLeft() >= LENGTH_BYTES + size;
        }

        /** Appends {@code frame} of {@code size} bytes ({@link Outbound#serializedSize}) with its length prefix. */
        void add(Outbound frame, int size) {
            int before = out.getTotalBytesWritten();
            try {
                out.writeRawByte((byte) (size >>> 24));
                out.writeRawByte((byte) (size >>> 16));
                out.writeRawByte((byte) (size >>> 8));
                out.writeRawByte((byte) size);
                frame.writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException("a frame did not fit its batch", e);
            }
            if (out.getTotalBytesWritten() - before != LENGTH_BYTES + size) {
                throw new IllegalStateException("a frame wrote " + (out.getTotalBytesWritten() - before - LENGTH_BYTES)
                        + " bytes, not its serialized size " + size);
            }
        }

        /** The buffer holding every frame added, ready to write; the batch is done. */
        ByteBuf finish() {
            buffer.writerIndex(out.getTotalBytesWritten());
            return buffer;
        }

        /** Gives the buffer back unwritten (the channel went away). */
        void discard() {
            buffer.release();
        }
    }

    static DataFrame hello(NodeId self, String cluster) {
        return DataFrame.newBuilder()
                .setVersion(VERSION)
                .setHello(Hello.newBuilder()
                        .setSender(WireMessages.nodeId(self))
                        .setCluster(cluster)
                        .setProtocolVersion(PROTOCOL_VERSION))
                .build();
    }

    static DataFrame helloAck(NodeId self) {
        return DataFrame.newBuilder()
                .setVersion(VERSION)
                .setHelloAck(HelloAck.newBuilder().setReceiver(WireMessages.nodeId(self)))
                .build();
    }
}
