package io.cohort.node.sim;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.NodeContext;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A test component that checks the transport and membership contracts from inside a node: it broadcasts a numbered
 * message on every tick, and fails at once when a peer's numbers arrive twice or out of order, when a view arrives
 * before {@code onStart}, or when view ids do not grow.
 */
final class Probe implements Component {

    static final String NAME = "probe";
    private static final long TICK_NS = 50_000_000L;

    final List<MembershipView> views = new ArrayList<>();
    /** Per sender incarnation, every number received, in order. */
    final Map<NodeId, List<Long>> received = new TreeMap<>();

    private NodeContext context;
    private long nextNumber;
    private boolean sending = true;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void onStart(NodeContext context, long nowNs) {
        if (this.context != null) {
            throw new AssertionError("onStart twice");
        }
        this.context = context;
        context.timers().schedule("tick", TICK_NS);
    }

    @Override
    public void onView(MembershipView view, long nowNs) {
        if (context == null) {
            throw new AssertionError("view before onStart");
        }
        if (!views.isEmpty() && view.id().id() <= last().id().id()) {
            throw new AssertionError(context.self() + " view ids must grow: " + last() + " then " + view);
        }
        if (!view.contains(context.self())) {
            throw new AssertionError(context.self() + " got a view without itself: " + view);
        }
        views.add(view);
    }

    @Override
    public void onMessage(NodeId from, byte[] payload, long nowNs) {
        long number = ByteBuffer.wrap(payload).getLong();
        List<Long> numbers = received.computeIfAbsent(from, k -> new ArrayList<>());
        if (!numbers.isEmpty() && number <= numbers.get(numbers.size() - 1)) {
            throw new AssertionError(context.self() + " got " + number + " from " + from + " after "
                    + numbers.get(numbers.size() - 1) + ": duplicate or out of order");
        }
        numbers.add(number);
    }

    @Override
    public void onTimer(Object key, long nowNs) {
        if (sending) {
            context.transport()
                    .broadcast(ByteBuffer.allocate(8).putLong(nextNumber++).array());
        }
        context.timers().schedule("tick", TICK_NS);
    }

    void stopSending() {
        sending = false;
    }

    long sent() {
        return nextNumber;
    }

    MembershipView last() {
        return views.get(views.size() - 1);
    }
}
