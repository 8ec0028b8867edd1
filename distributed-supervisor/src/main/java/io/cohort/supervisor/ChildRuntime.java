package io.cohort.supervisor;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;

/**
 * Where a supervisor replica's children run: the node's processes in production ({@link ProcessChildRuntime}), stand-in
 * processes in the simulator. The replica decides; this only acts, and reports back through the replica's own events
 * (exit notices of the monitors it sets, and {@link Callback#handedOff}).
 */
public interface ChildRuntime {

    /** The exit reason of a child whose id was already registered to another process. */
    ExitReason NAME_TAKEN = new ExitReason.Custom("name_taken");
    /** The exit reason of a child that stopped after handing its state over. */
    ExitReason HANDED_OFF = new ExitReason.Custom("handed_off");
    /** The exit reason of a child whose kind is not registered on this node. */
    ExitReason UNKNOWN_KIND = new ExitReason.Custom("unknown_kind");

    /**
     * Starts one incarnation of {@code kind} and returns its local pid at once, without waiting for its init. The
     * child registers {@code start.id()} in the registry before running any user code; when the name is held by
     * another process it ends with {@link #NAME_TAKEN} having run nothing.
     */
    Pid start(String kind, ChildStart start);

    /**
     * Asks a running child to hand its state over and stop: it calls {@link Callback#handedOff} with its state (null
     * when it has none), then ends with {@link #HANDED_OFF}. A child that does not answer is killed by the replica
     * after its shutdown timeout.
     */
    void requestHandoff(Pid pid);

    /**
     * Called by the replica at the end of each of its events, after every {@link #start} of that event (and, after a
     * node loss, also once the lost node's children are started, before the rest is reconciled): a runtime may
     * register the children it started since the last call in one batch here.
     */
    default void flush() {}

    /** How a runtime reports to its replica; calls arrive as events of the replica, never concurrently. */
    interface Callback {
        void handedOff(Pid pid, byte[] state);
    }
}
