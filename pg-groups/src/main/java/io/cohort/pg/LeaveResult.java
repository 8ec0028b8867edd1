package io.cohort.pg;

/** What {@code leave} did: Erlang returns {@code not_joined} when none of the processes was a member. */
public enum LeaveResult {
    LEFT,
    NOT_JOINED
}
