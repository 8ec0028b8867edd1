package io.cohort.supervisor;

/**
 * Implemented by a child's {@link io.cohort.node.process.Server} that can hand its state to its next incarnation when
 * the supervisor moves it on purpose (active redistribution, graceful leave). The bytes reach the next incarnation as
 * {@link ChildStart#handoffState()}. Not called on failures: a crashed node hands nothing over.
 *
 * @param <S> the server's state
 */
public interface Handoff<S> {
    /** The state to hand over; called in the server's process, after which it stops. Null for nothing. */
    byte[] handOff(S state);
}
