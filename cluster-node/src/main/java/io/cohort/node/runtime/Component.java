package io.cohort.node.runtime;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;

/**
 * A single-threaded protocol state machine on one node (a pg scope, a registry replica, a supervisor).
 *
 * <p>A driver calls the handlers one at a time, never concurrently, each with the time it read once for that event.
 * Handlers must not block, sleep, read the clock, start threads or draw randomness other than through the
 * {@link NodeContext} given to {@link #onStart}; they decide, then act through the context. Two drivers exist: the
 * production one (an owner thread and a bounded inbox per component, the system clock, JGroups and Netty) and the
 * simulator ({@code SimCluster}), which runs every node's components in one thread.
 *
 * <p>Events for one component arrive in this order of guarantees: {@code onStart} first; then views, messages,
 * timers and exit notices interleaved; messages from one peer in the order it sent them; {@code onStop} last.
 */
public interface Component {

    /** The name peers' same-named components are addressed by; unique on a node. */
    String name();

    /** Called once, first. The context stays valid for the component's life. */
    void onStart(NodeContext context, long nowNs);

    /** A new membership view was installed on this node. */
    void onView(MembershipView view, long nowNs);

    /**
     * A message from the same-named component on {@code from}. The payload is untrusted: a component decodes it
     * defensively and counts what it cannot use.
     */
    void onMessage(NodeId from, byte[] payload, long nowNs);

    /** A timer this component set has fired. */
    default void onTimer(Object key, long nowNs) {}

    /** A local process this component monitors has ended. */
    default void onProcessExit(Pid pid, long monitorRef, ExitReason reason, long nowNs) {}

    /**
     * The node is about to leave the cluster on purpose ({@code Node.leave}): move away whatever must outlive this
     * node here (a supervisor hands its children over) and complete the future when done. The node waits for every
     * component's future, within the leave's timeout, before it closes. Nothing to do by default.
     */
    default java.util.concurrent.CompletableFuture<Void> onLeave(long nowNs) {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }

    /** Called once, last, when the node leaves gracefully. Not called on a crash. */
    default void onStop(long nowNs) {}
}
