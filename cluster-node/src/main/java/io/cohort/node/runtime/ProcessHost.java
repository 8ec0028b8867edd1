package io.cohort.node.runtime;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;

/**
 * The node's local processes as protocol components see them: whether a pid is alive, delivery into a mailbox, and
 * exit notices. Exit notices arrive as {@link Component#onProcessExit} on the component that asked, through its own
 * inbox, so they are ordered with its other events.
 */
public interface ProcessHost {

    /** True while the local process {@code pid} is running. False for pids of other nodes. */
    boolean isAlive(Pid pid);

    /** Puts {@code message} into a local process's mailbox; silently dropped when the process is gone (Erlang). */
    void deliver(Pid pid, Object message);

    /**
     * Asks for exactly one {@link Component#onProcessExit} when the local process {@code pid} ends, at once (with
     * reason {@code noproc}) if it already has. Monitoring twice yields two notices.
     *
     * @return a reference for {@link #demonitor}
     */
    long monitor(Pid pid);

    /** Cancels a monitor; no notice is delivered for it afterwards. Unknown references are ignored. */
    void demonitor(long monitorRef);

    /**
     * Sends the exit signal {@code reason} to the local process {@code pid}, from the node itself (Erlang's
     * {@code exit(Pid, Reason)}): a process that traps exits receives it as a message and goes on, any other ends
     * with {@code reason}; {@code killed} ends it whatever it traps. Ignored for a dead or foreign pid.
     */
    void exit(Pid pid, ExitReason reason);
}
