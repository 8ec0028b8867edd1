package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;

/** What a {@link Server}'s callbacks may use besides their state. */
public interface ServerContext {

    /** The calling side of a call, for a deferred {@link #reply}. */
    record From(Pid replyTo, long ref) {}

    Pid self();

    /** The server's own process: send, monitor, link, trap exits. */
    ProcessContext process();

    /** Answers a call whose callback returned without a reply. A reply to a caller that gave up is dropped. */
    void reply(From from, Object value);

    /** Sends {@code message} to this server after {@code delay} (arrives as {@code handleInfo}). */
    void sendAfter(Duration delay, Object message);
}
