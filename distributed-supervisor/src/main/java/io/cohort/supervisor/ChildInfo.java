package io.cohort.supervisor;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;

/**
 * One child as {@code whichChildren} reports it on one node.
 *
 * @param id the child's id
 * @param kind its kind
 * @param status whether it runs, waits for an owner, or was given up on
 * @param node the node running it, or null when none does (as this node knows)
 * @param pid its process, when this node knows it (its own children, or the registry resolves the id), else null
 * @param token the running incarnation's fencing token, or 0
 */
public record ChildInfo(String id, String kind, Status status, NodeId node, Pid pid, long token) {

    public enum Status {
        /** An incarnation runs (or is being restarted by) {@link #node()}. */
        RUNNING,
        /** No node of this view runs it yet: it is starting, moving, or this side of a partition may not run it. */
        PENDING,
        /** It exceeded its restart intensity and is no longer started; terminate it or start it anew. */
        FAILED
    }
}
