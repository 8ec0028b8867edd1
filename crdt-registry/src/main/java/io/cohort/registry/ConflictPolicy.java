package io.cohort.registry;

import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.ProcessHost;

/**
 * What the loser's own node does to a process that lost a name conflict, after it has removed the registration
 * (which happens whatever the policy, so the name is free of it everywhere). Runs on the registry's thread: it must
 * be quick and must not block.
 */
@FunctionalInterface
public interface ConflictPolicy {

    /** The exit reason {@link #EXIT} sends. */
    ExitReason NAME_CONFLICT = new ExitReason.Custom("name_conflict");

    void onLost(NameConflict conflict, ProcessHost processes);

    /**
     * The default: an exit signal with reason {@code name_conflict}. A process that does not trap exits ends; one that
     * traps them receives the signal as a message and goes on, but without the name.
     */
    ConflictPolicy EXIT = (conflict, processes) -> processes.exit(conflict.loser(), NAME_CONFLICT);

    /** Deliver a {@link NameConflict} message and leave the process running (without the name). */
    ConflictPolicy NOTIFY = (conflict, processes) -> processes.deliver(conflict.loser(), conflict);
}
