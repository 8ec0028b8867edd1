package io.cohort.chaos.history;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A run's history: every invocation and completion, in the order they were recorded. Safe for concurrent workers;
 * times are given by the caller (nanoseconds since the start of the run), so the history itself reads no clock.
 */
public final class History {

    private final List<Op> ops = new ArrayList<>();

    /** Records an invocation; returns its index, to complete it with. */
    public synchronized long invoke(String process, String f, String node, String value, long timeNs) {
        long index = ops.size();
        ops.add(new Op(index, process, Op.Type.INVOKE, f, node, value, timeNs, -1, ""));
        return index;
    }

    /**
     * Records the completion of invocation {@code invokeIndex}.
     *
     * @throws IllegalArgumentException when that is not an invocation
     */
    public synchronized Op complete(long invokeIndex, Op.Type type, String value, String error, long timeNs) {
        Op invoke = ops.get((int) invokeIndex);
        if (invoke.type() != Op.Type.INVOKE || type == Op.Type.INVOKE) {
            throw new IllegalArgumentException("complete an invoke with ok, fail or info: " + invoke + " " + type);
        }
        Op op = new Op(
                ops.size(), invoke.process(), type, invoke.f(), invoke.node(), value, timeNs, invokeIndex, error);
        ops.add(op);
        return op;
    }

    /** A snapshot of every op so far. */
    public synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    /** The invocation a completion answers. */
    public synchronized Op invocationOf(Op completion) {
        return ops.get((int) completion.invokeIndex());
    }

    /** Completions of workload operations by {@code f} and type: how many joins were ok, failed, unknown. */
    public synchronized Map<String, Map<Op.Type, Long>> completionCounts() {
        Map<String, Map<Op.Type, Long>> counts = new TreeMap<>();
        for (Op op : ops) {
            if (op.isCompletion() && !op.isNemesis()) {
                counts.computeIfAbsent(op.f(), f -> new EnumMap<>(Op.Type.class))
                        .merge(op.type(), 1L, Long::sum);
            }
        }
        return counts;
    }
}
