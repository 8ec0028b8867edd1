package io.cohort.node.process;

import io.cohort.node.Pid;

/** The system messages a process can find in its mailbox, next to its ordinary messages. */
public sealed interface Signal {

    /**
     * A monitored process ended (or never existed: {@code noproc}; or its node left the view: {@code noconnection}).
     * Exactly one per monitor, unless demonitored first.
     */
    record Down(long monitorRef, Pid pid, ExitReason reason) implements Signal {}

    /** A linked process ended, or someone called {@code exit} on us, while we trap exits. */
    record Exit(Pid from, ExitReason reason) implements Signal {}
}
