package io.cohort.node.process;

import io.cohort.node.Pid;

/**
 * A {@link Servers#call} that got no reply: it timed out, the server was not there, it ended before answering, or its
 * node became unreachable. The caller is not harmed; deciding what to do is its business.
 */
public final class CallException extends RuntimeException {

    /** Why no reply came. */
    public enum Kind {
        TIMEOUT,
        /** The server ended (or never existed) before replying; {@link #reason()} says how. */
        SERVER_DOWN
    }

    private final Kind kind;
    private final Pid server;
    private final ExitReason reason;

    CallException(Kind kind, Pid server, ExitReason reason) {
        super("call to " + server + " failed: " + (kind == Kind.TIMEOUT ? "timeout" : "server down (" + reason + ")"));
        this.kind = kind;
        this.server = server;
        this.reason = reason;
    }

    public Kind kind() {
        return kind;
    }

    public Pid server() {
        return server;
    }

    /** How the server ended ({@code noproc}, {@code noconnection}, its exit reason); null for a timeout. */
    public ExitReason reason() {
        return reason;
    }
}
