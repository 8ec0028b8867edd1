package io.cohort.node.runtime;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;

/**
 * Messages between a component and the component of the same name on other nodes.
 *
 * <p><b>Contract.</b> Between two node incarnations A and B that share a view, everything A sends to B, by
 * {@link #send} or {@link #broadcast}, is delivered to B once, in the order A sent it, unless one of them crashes or
 * the two are separated long enough to leave each other's view; then the undelivered tail is lost and each side
 * learns it from a new view. A message to a node outside the sender's current view is dropped and counted. Receivers
 * accept messages from any node, including one whose view they have not installed yet.
 *
 * <p>Payloads are opaque bytes (Protobuf messages of the component's own schema). Implementations never throw across
 * this interface for remote conditions; they count and drop.
 */
public interface Transport {

    /** Sends to the same-named component on {@code to}. */
    void send(NodeId to, byte[] payload);

    /** Sends to the same-named component on every other member of the current view. */
    void broadcast(byte[] payload);

    /** The view most recently delivered to this component. */
    MembershipView view();
}
