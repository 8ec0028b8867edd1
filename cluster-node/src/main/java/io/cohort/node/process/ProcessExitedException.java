package io.cohort.node.process;

/**
 * Thrown inside a process that has been ended from outside (killed, or an exit signal it does not trap) when it next
 * touches its mailbox or the runtime. It unwinds the process's code; the process is already dead to everyone else.
 * Do not catch it.
 */
public final class ProcessExitedException extends RuntimeException {

    public ProcessExitedException() {
        super("this process has exited", null, false, false);
    }
}
