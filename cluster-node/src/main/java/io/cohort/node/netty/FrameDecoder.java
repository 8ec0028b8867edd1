package io.cohort.node.netty;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.cohort.node.wire.DataFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Turns each length-delimited frame into a {@link DataFrame} — or, for the hot frame of a user value sent to one
 * process, a {@link UserSend.Inbound} decoded without the generated builders — and passes it on. A frame that does not parse, or whose
 * version this node does not read, is dropped and counted; the connection stays open, since framing is intact and
 * the next frame may be fine (a peer on a newer version sends frames we skip). Never throws: every buffer is
 * released here.
 */
final class FrameDecoder extends ChannelInboundHandlerAdapter {

    private final DataPlaneCounters counters;
    private final RateLimitedLog log;
    private final UserSend.TagCache tags = new UserSend.TagCache();

    FrameDecoder(DataPlaneCounters counters, RateLimitedLog log) {
        this.counters = counters;
        this.log = log;
    }

    /**
     * A protobuf input over the frame's bytes in place. A stream adapter would allocate and fill a 4 KiB buffer per
     * frame, which cost the receiving event loop a third of its time on small messages.
     */
    private static CodedInputStream input(ByteBuf buffer) {
        if (buffer.nioBufferCount() == 1) {
            return CodedInputStream.newInstance(buffer.internalNioBuffer(buffer.readerIndex(), buffer.readableBytes()));
        }
        return CodedInputStream.newInstance(new ByteBufInputStream(buffer));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (!(message instanceof ByteBuf buffer)) {
            ctx.fireChannelRead(message);
            return;
        }
        UserSend.Inbound userSend = null;
        if (buffer.nioBufferCount() == 1) {
            userSend = UserSend.tryDecode(buffer.nioBuffer(buffer.readerIndex(), buffer.readableBytes()), tags);
        }
        if (userSend != null) {
            buffer.release();
            counters.framesReceived.increment();
            ctx.fireChannelRead(userSend);
            return;
        }
        DataFrame frame;
        try {
            frame = DataFrame.parseFrom(input(buffer));
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            counters.droppedMalformed.increment();
            log.warn(
                    "malformed",
                    "dropped a malformed data frame from " + ctx.channel().remoteAddress() + ": " + e);
            return;
        } catch (java.io.IOException e) {
            counters.droppedMalformed.increment();
            log.warn(
                    "malformed",
                    "dropped an unreadable data frame from " + ctx.channel().remoteAddress() + ": " + e);
            return;
        } finally {
            buffer.release();
        }
        if (frame.getVersion() != Frames.VERSION) {
            counters.droppedUnknownVersion.increment();
            log.warn(
                    "version",
                    "dropped a data frame of version " + frame.getVersion() + " from "
                            + ctx.channel().remoteAddress());
            return;
        }
        counters.framesReceived.increment();
        ctx.fireChannelRead(frame);
    }
}
