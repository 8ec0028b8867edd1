package io.cohort.supervisor;

import io.cohort.node.process.Server;

/**
 * The code of a kind of child, registered under the same name on every node ({@link ChildKinds}): given how an
 * incarnation starts, it makes the {@link Server} that runs it. A server that also implements {@link Handoff} hands its
 * state to the next incarnation on planned moves.
 */
@FunctionalInterface
public interface ChildKind {
    Server<?> create(ChildStart start);
}
