package io.cohort.node.netty;

import io.cohort.node.NodeId;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.wire.DataFrame;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * The connecting end of our connection to one peer: says Hello, waits for the peer's HelloAck, then hands the channel
 * to its {@link PeerConnection}, which writes our frames to it. The peer never sends anything else on this
 * connection (its frames to us travel on its own connection), so later frames are dropped and counted.
 */
final class ConnectorHandler extends ChannelInboundHandlerAdapter {

    private final PeerConnection connection;
    private final DataPlaneCounters counters;
    private final RateLimitedLog log;
    private final DataFrame hello;
    private boolean ready;

    ConnectorHandler(PeerConnection connection, DataFrame hello, DataPlaneCounters counters, RateLimitedLog log) {
        this.connection = connection;
        this.hello = hello;
        this.counters = counters;
        this.log = log;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // With TLS the handler holds this until the handshake completes.
        ctx.writeAndFlush(Frames.encode(ctx.alloc(), hello));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object message) {
        if (ready || !(message instanceof DataFrame frame) || !frame.hasHelloAck()) {
            counters.droppedUnexpected.increment();
            return;
        }
        NodeId receiver;
        try {
            receiver = WireMessages.nodeId(frame.getHelloAck().getReceiver());
        } catch (IllegalArgumentException e) {
            receiver = null;
        }
        if (!connection.peer().equals(receiver)) {
            // The address now belongs to another node or another life of the peer: not the one we meant to reach.
            counters.rejectedUnknownNode.increment();
            log.warn("ack", "closed a data connection to " + connection.peer() + ": answered by " + receiver);
            ctx.close();
            return;
        }
        ready = true;
        connection.onReady(ctx.channel());
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            connection.scheduleDrain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.onClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ConnectionFailures.closeOn(cause, ctx, counters, log);
    }
}
