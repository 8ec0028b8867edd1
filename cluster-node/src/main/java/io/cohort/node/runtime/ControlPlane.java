package io.cohort.node.runtime;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import java.util.Map;

/**
 * A node's membership and control-message layer: agreed views of who is in the cluster and reliable, per-sender
 * FIFO messages between components of the same name. Production runs it over JGroups
 * ({@code io.cohort.node.jgroups}); the simulator provides its own.
 *
 * <p>Each member may publish a few small attributes (for example the host and port of its data plane) that every
 * other member can read once it has a view containing that member.
 */
public interface ControlPlane extends AutoCloseable {

    /** This node's identity; fixed for the life of the control plane. */
    NodeId self();

    /**
     * Joins the cluster and starts delivering to {@code listener}. Returns once the first view is installed. Callbacks
     * come from the control plane's threads and must not block for long.
     */
    void start(Listener listener) throws Exception;

    /** Sends to the component named {@code component} on {@code to}; see {@link Transport} for the guarantees. */
    void send(NodeId to, String component, byte[] payload);

    /** The most recently installed view (null before {@link #start} returns). */
    MembershipView view();

    /** The attributes {@code member} published, or an empty map when it is unknown. */
    Map<String, String> attributes(NodeId member);

    /** Leaves the cluster gracefully; peers install a view without this node. */
    @Override
    void close();

    /** Receives views and messages, in order per sender. */
    interface Listener {
        void onView(MembershipView view);

        void onMessage(NodeId from, String component, byte[] payload);
    }
}
