package io.cohort.node.process;

import java.util.function.Consumer;

/** The messages the server loop understands besides {@code handleInfo}'s; public so the data plane can carry them. */
public sealed interface ServerMessage {

    /** A request that wants a reply at {@code from}. */
    record Call(ServerContext.From from, Object request) implements ServerMessage {}

    /** A request without a reply. */
    record Cast(Object message) implements ServerMessage {}

    /** The answer to a call, sent to the caller's reply address. */
    record Reply(long ref, Object value) implements ServerMessage {}

    /** Stop with {@code reason}; the requester watches for the server's DOWN. */
    record Stop(ExitReason reason) implements ServerMessage {}

    /** {@code sys}: reply with the current state. */
    record GetState(ServerContext.From from) implements ServerMessage {}

    /** {@code sys}: report every message handled to {@code sink} (null turns tracing off); reply {@code "ok"}. */
    record Trace(ServerContext.From from, Consumer<String> sink) implements ServerMessage {}
}
