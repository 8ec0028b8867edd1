package io.cohort.supervisor;

import io.cohort.node.NodeId;

/** Events a supervisor replica sends to its subscribers (local processes). */
public sealed interface SupervisorEvent {

    /** The subscription they come from. */
    long ref();

    /** Child {@code id} exceeded its restart intensity on {@code node} and was marked failed. */
    record ChildFailed(long ref, String id, NodeId node, String lastReason) implements SupervisorEvent {}

    /** This node started an incarnation of child {@code id}. */
    record ChildStarted(long ref, String id, long token) implements SupervisorEvent {}

    /** This node's incarnation of child {@code id} ended with {@code reason}. */
    record ChildEnded(long ref, String id, long token, String reason) implements SupervisorEvent {}
}
