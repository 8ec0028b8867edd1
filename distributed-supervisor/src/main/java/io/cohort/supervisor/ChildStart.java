package io.cohort.supervisor;

import io.cohort.node.NodeId;

/**
 * What one incarnation of a child is started with.
 *
 * @param id the child's id (its registered name)
 * @param args the spec's start arguments
 * @param token this incarnation's fencing token: larger than every earlier incarnation's token this node knew of, so
 *     an external system that remembers the largest token it has seen can refuse a stale incarnation's writes
 * @param handoffState what the previous incarnation's {@link Handoff} gave on a planned move, or null
 * @param node the node it runs on
 */
public record ChildStart(String id, byte[] args, long token, byte[] handoffState, NodeId node) {}
