package io.cohort.node.netty;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.IOException;
import javax.net.ssl.SSLException;

/** What to do with an exception that reached the end of a data-plane pipeline: count it by kind, close, move on. */
final class ConnectionFailures {

    private ConnectionFailures() {}

    static void closeOn(Throwable cause, ChannelHandlerContext ctx, DataPlaneCounters counters, RateLimitedLog log) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)) {
            root = root.getCause();
        }
        if (cause instanceof TooLongFrameException || root instanceof TooLongFrameException) {
            counters.rejectedOversized.increment();
            log.warn(
                    "oversized",
                    "closed a data connection from " + ctx.channel().remoteAddress() + ": frame above the maximum ("
                            + cause.getMessage() + ")");
        } else if (root instanceof SSLException) {
            counters.rejectedTls.increment();
            log.warn("tls", "closed a data connection with " + ctx.channel().remoteAddress() + ": TLS failed: " + root);
        } else if (cause instanceof CorruptedFrameException || root instanceof CorruptedFrameException) {
            counters.rejectedMalformed.increment();
            log.warn("corrupt", "closed a data connection from " + ctx.channel().remoteAddress() + ": " + cause);
        } else if (!(root instanceof IOException)) {
            // I/O errors (reset by peer) are ordinary ends of a connection; anything else is a bug or bad input.
            counters.rejectedMalformed.increment();
            log.warn("error", "closed a data connection with " + ctx.channel().remoteAddress() + ": " + cause);
        }
        ctx.close();
    }
}
