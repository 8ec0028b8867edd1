package io.cohort.registry;

import io.cohort.node.Pid;

/** What {@code register} did. */
public sealed interface RegisterResult {

    /** The name is now bound to the process. */
    record Registered(Pid pid) implements RegisterResult {}

    /** The name is already bound, as this node knows, to {@code owner} (possibly the same process). */
    record Taken(Pid owner) implements RegisterResult {}

    /** The process is not alive on this node. */
    record NoProcess(Pid pid) implements RegisterResult {}
}
