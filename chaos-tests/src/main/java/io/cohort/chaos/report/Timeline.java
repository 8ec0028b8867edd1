package io.cohort.chaos.report;

import io.cohort.chaos.history.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The faults of a run as spans per node (when each node was down, paused, cut off, lossy or slow), rebuilt from the
 * nemesis entries of the history.
 */
public final class Timeline {

    /** A node was in {@code kind} ({@code killed}, {@code paused}, {@code partitioned}, {@code lossy}, {@code slow}). */
    public record Span(String node, String kind, long fromMs, long toMs, String what) {}

    private Timeline() {}

    /** True for fault kinds that start a fault rather than undo one. */
    public static boolean isFaultStart(String kind) {
        return !Set.of("restart", "resume", "heal", "clear-links", "recover").contains(kind);
    }

    /** Spans from the nemesis's completed steps; a span still open at {@code endMs} ends there. */
    public static List<Span> spans(List<Op> ops, long endMs) {
        List<Span> spans = new ArrayList<>();
        Map<String, long[]> open = new LinkedHashMap<>(); // node|kind -> [fromMs]
        Map<String, String> openWhat = new LinkedHashMap<>();
        Map<Long, Op> invokes = new LinkedHashMap<>();
        for (Op op : ops) {
            if (!op.isNemesis()) {
                continue;
            }
            if (op.type() == Op.Type.INVOKE) {
                invokes.put(op.index(), op);
                continue;
            }
            if (op.type() != Op.Type.OK) {
                continue;
            }
            Op invoke = invokes.get(op.invokeIndex());
            long atMs = (invoke == null ? op.timeNs() : invoke.timeNs()) / 1_000_000;
            String[] nodes = op.node().isEmpty() ? new String[0] : op.node().split(",");
            switch (op.f()) {
                case "kill" -> openAll(open, openWhat, nodes, "killed", atMs, invoke);
                case "pause" -> openAll(open, openWhat, nodes, "paused", atMs, invoke);
                case "partition" -> {
                    closeKind(spans, open, openWhat, "partitioned", atMs);
                    openAll(open, openWhat, nodes, "partitioned", atMs, invoke);
                }
                case "lossy" -> openAll(open, openWhat, nodes, "lossy", atMs, invoke);
                case "slow" -> openAll(open, openWhat, nodes, "slow", atMs, invoke);
                case "restart" -> closeAll(spans, open, openWhat, nodes, "killed", atMs);
                case "resume" -> closeAll(spans, open, openWhat, nodes, "paused", atMs);
                case "heal" -> closeKind(spans, open, openWhat, "partitioned", atMs);
                case "clear-links" -> {
                    closeKind(spans, open, openWhat, "lossy", atMs);
                    closeKind(spans, open, openWhat, "slow", atMs);
                }
                case "recover" -> {
                    for (String kind : List.of("killed", "paused", "partitioned", "lossy", "slow")) {
                        closeKind(spans, open, openWhat, kind, atMs);
                    }
                }
                default -> {}
            }
        }
        for (String kind : List.of("killed", "paused", "partitioned", "lossy", "slow")) {
            closeKind(spans, open, openWhat, kind, endMs);
        }
        spans.sort((a, b) -> Long.compare(a.fromMs(), b.fromMs()));
        return spans;
    }

    private static void openAll(
            Map<String, long[]> open, Map<String, String> openWhat, String[] nodes, String kind, long atMs, Op invoke) {
        for (String node : nodes) {
            open.putIfAbsent(node + "|" + kind, new long[] {atMs});
            openWhat.putIfAbsent(node + "|" + kind, invoke == null ? kind : invoke.value());
        }
    }

    private static void closeAll(
            List<Span> spans,
            Map<String, long[]> open,
            Map<String, String> openWhat,
            String[] nodes,
            String kind,
            long atMs) {
        for (String node : nodes) {
            long[] from = open.remove(node + "|" + kind);
            String what = openWhat.remove(node + "|" + kind);
            if (from != null) {
                spans.add(new Span(node, kind, from[0], atMs, what));
            }
        }
    }

    private static void closeKind(
            List<Span> spans, Map<String, long[]> open, Map<String, String> openWhat, String kind, long atMs) {
        for (String key : List.copyOf(open.keySet())) {
            if (key.endsWith("|" + kind)) {
                String node = key.substring(0, key.indexOf('|'));
                spans.add(new Span(node, kind, open.remove(key)[0], atMs, openWhat.remove(key)));
            }
        }
    }
}
