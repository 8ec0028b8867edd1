package io.cohort.node.netty;

import io.cohort.node.NodeId;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Hello;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The accepting end of a connection another node opened to us. Its first frame must be a {@link Hello} from a member
 * of our cluster, of an incarnation in our current view, speaking our protocol version; otherwise the connection is
 * closed and counted. After the Hello is answered, every frame goes to the plane tagged with the sender's identity.
 * Runs on the channel's event loop, so frames of one connection are handled one at a time, in order.
 */
final class AcceptorHandler extends ChannelInboundHandlerAdapter {

    private final NettyDataPlane plane;
    private final DataPlaneCounters counters;
    private final RateLimitedLog log;
    /** The peer that said Hello; null until then. Confined to the event loop. */
    private NodeId peer;

    AcceptorHandler(NettyDataPlane plane, DataPlaneCounters counters, RateLimitedLog log) {
        this.plane = plane;
        this.counters = counters;
        this.log = log;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (peer != null) {
            if (message instanceof UserSend.Inbound send) {
                plane.onUserSend(peer, send);
            } else {
                plane.onFrame(peer, (DataFrame) message);
            }
            return;
        }
        if (!(message instanceof DataFrame frame) || !frame.hasHello()) {
            counters.rejectedNoHello.increment();
            log.warn(
                    "no_hello",
                    "closed a data connection from " + ctx.channel().remoteAddress() + ": first frame was "
                            + (message instanceof DataFrame other ? other.getKindCase() : "SEND") + ", not Hello");
            ctx.close();
            return;
        }
        Hello hello = frame.getHello();
        NodeId sender;
        try {
            sender = WireMessages.nodeId(hello.getSender());
        } catch (IllegalArgumentException e) {
            counters.rejectedMalformed.increment();
            log.warn("hello", "closed a data connection from " + ctx.channel().remoteAddress() + ": " + e.getMessage());
            ctx.close();
            return;
        }
        String refusal = plane.admit(sender, hello);
        if (refusal != null) {
            log.warn(
                    "hello",
                    "closed a data connection from " + sender + " at "
                            + ctx.channel().remoteAddress() + ": " + refusal);
            ctx.close();
            return;
        }
        peer = sender;
        plane.inboundOpened(sender, ctx.channel());
        ctx.writeAndFlush(Frames.encode(ctx.alloc(), Frames.helloAck(plane.self())));
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (peer != null) {
            plane.inboundClosed(peer, ctx.channel());
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.closeOn(cause, ctx, counters, log);
    }
}
