package io.cohort.chaos.report;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.check.Violation;
import io.cohort.chaos.history.Op;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The HTML page of a run: a verdict banner, a timeline (one row per node with its faults, the run's phases, and the
 * operations' outcomes per second), the checks with their violations, the schedule and the command that replays it.
 * One self-contained file: inline CSS and SVG, no scripts.
 */
final class HtmlReport {

    private static final int WIDTH = 1100;
    private static final int LEFT = 70;
    private static final int ROW = 26;
    private static final Map<String, String> COLOURS = Map.of(
            "killed", "#d62728",
            "paused", "#ff7f0e",
            "partitioned", "#9467bd",
            "lossy", "#bcbd22",
            "slow", "#17becf");

    private HtmlReport() {}

    static String page(RunResult r) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Cohort chaos ")
                .append(esc(r.runId()))
                .append("</title>\n<style>\n")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#222;max-width:1180px}\n")
                .append(
                        ".verdict{display:inline-block;padding:4px 14px;border-radius:6px;color:#fff;font-weight:700}\n")
                .append(".ok{background:#2ca02c}.bad{background:#d62728}\n")
                .append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;"
                        + "text-align:left;vertical-align:top}\n")
                .append("pre{background:#f6f6f6;padding:8px;overflow-x:auto}.muted{color:#666}\n")
                .append(".legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;"
                        + "height:12px;margin-right:4px;vertical-align:-1px}\n")
                .append("</style></head><body>\n");
        h.append("<h1>Cohort chaos run <code>")
                .append(esc(r.runId()))
                .append("</code> <span class=\"verdict ")
                .append(r.valid() ? "ok\">VALID" : "bad\">INVALID")
                .append("</span></h1>\n");
        h.append("<p>seed <b>")
                .append(r.seed())
                .append("</b> · ")
                .append(r.schedule().nodes().size())
                .append(" nodes · ")
                .append(Reports.fmtSeconds(r.schedule().length().toMillis()))
                .append(" s of faults · image <code>")
                .append(esc(r.image()))
                .append("</code>")
                .append(r.bug().isEmpty() ? "" : " · planted bug <b>" + esc(r.bug()) + "</b>")
                .append(" · started ")
                .append(esc(r.startedAt()))
                .append("</p>\n");
        h.append(String.format(
                Locale.ROOT,
                "<p><b>%d</b> faults injected (%s) · <b>%d</b> operations: %d ok, %d failed, %d unknown · %s</p>%n",
                r.faultsInjected(),
                esc(Reports.faultKinds(r.ops())),
                r.operations(),
                r.completions(Op.Type.OK),
                r.completions(Op.Type.FAIL),
                r.completions(Op.Type.INFO),
                r.convergedAfterMs() >= 0
                        ? String.format(
                                Locale.ROOT,
                                "converged %.1f s after the faults were undone",
                                r.convergedAfterMs() / 1000.0)
                        : "<b>did not converge</b> after the faults were undone"));
        h.append("<h2>Timeline</h2>\n").append(timeline(r));
        h.append("<h2>Invariants</h2>\n<table><tr><th>check</th><th>status</th><th>what it proves</th></tr>\n");
        for (CheckResult check : r.checks()) {
            h.append("<tr><td><code>")
                    .append(esc(check.check()))
                    .append("</code></td><td><span class=\"verdict ")
                    .append(check.passed() ? "ok\">PASS" : "bad\">FAIL")
                    .append("</span></td><td>")
                    .append(esc(check.proves()));
            if (!check.passed()) {
                h.append("<ul>");
                for (Violation violation : check.violations()) {
                    h.append("<li>").append(esc(violation.message())).append("</li>");
                }
                h.append("</ul>");
            }
            h.append("</td></tr>\n");
        }
        h.append("</table>\n");
        h.append("<h2>Reproduce</h2>\n<pre>")
                .append(esc(r.repro()))
                .append("</pre>\n<p class=\"muted\">The seed fixes the fault schedule and each worker's choice of "
                        + "operations; the interleaving with the real nodes differs from run to run.</p>\n")
                .append("<pre>")
                .append(esc(r.schedule().toText()))
                .append("</pre>\n");
        if (!r.notes().isEmpty()) {
            h.append("<h2>Notes</h2><ul>");
            r.notes().forEach(note -> h.append("<li>").append(esc(note)).append("</li>"));
            h.append("</ul>\n");
        }
        if (!r.logTails().isEmpty()) {
            h.append("<h2>Node output</h2>\n");
            r.logTails()
                    .forEach((node, lines) -> h.append("<details><summary>")
                            .append(esc(node))
                            .append("</summary><pre>")
                            .append(esc(String.join("\n", lines)))
                            .append("</pre></details>\n"));
        }
        h.append("<p class=\"muted\">Files: <a href=\"result.json\">result.json</a> · "
                + "<a href=\"history.txt\">history.txt</a> (every operation) · "
                + "<a href=\"summary.txt\">summary.txt</a></p>\n</body></html>\n");
        return h.toString();
    }

    private static String timeline(RunResult r) {
        List<String> nodes = r.schedule().nodes();
        long endMs = Math.max(1, r.phasesMs().getOrDefault("end", 1L));
        int plot = WIDTH - LEFT - 10;
        int opsTop = 30 + ROW * nodes.size() + 8;
        int height = opsTop + 60 + 24;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                .append(WIDTH)
                .append("\" height=\"")
                .append(height)
                .append("\" font-size=\"12\">\n");
        // phases band
        List<String> phases = List.of("workload", "recover", "quiet", "check", "end");
        String[] shades = {"#eef5ff", "#fff3e0", "#eefaee", "#f3f3f3"};
        for (int i = 0; i + 1 < phases.size(); i++) {
            Long from = r.phasesMs().get(phases.get(i));
            Long to = r.phasesMs().get(phases.get(i + 1));
            if (from == null || to == null) {
                continue;
            }
            int x = x(from, endMs, plot);
            int w = Math.max(1, x(to, endMs, plot) - x);
            s.append(rect(x, 4, w, 18, shades[i], phases.get(i) + " " + from + "–" + to + " ms"));
            s.append(text(x + 3, 17, phases.get(i), "#555"));
        }
        // node rows
        for (int i = 0; i < nodes.size(); i++) {
            int y = 30 + ROW * i;
            s.append(text(6, y + 16, nodes.get(i), "#222"));
            s.append("<line x1=\"")
                    .append(LEFT)
                    .append("\" x2=\"")
                    .append(LEFT + plot)
                    .append("\" y1=\"")
                    .append(y + ROW / 2)
                    .append("\" y2=\"")
                    .append(y + ROW / 2)
                    .append("\" stroke=\"#ddd\"/>\n");
        }
        for (Timeline.Span span : Timeline.spans(r.ops(), endMs)) {
            int row = nodes.indexOf(span.node());
            if (row < 0) {
                continue;
            }
            int x = x(span.fromMs(), endMs, plot);
            int w = Math.max(2, x(span.toMs(), endMs, plot) - x);
            int lane =
                    List.of("killed", "paused", "partitioned", "lossy", "slow").indexOf(span.kind());
            int y = 30 + ROW * row + 3 + (lane >= 2 ? 10 : 0);
            s.append(rect(
                    x,
                    y,
                    w,
                    lane >= 2 ? 8 : 18,
                    COLOURS.getOrDefault(span.kind(), "#888"),
                    span.node() + " " + span.kind() + " " + span.fromMs() + "–" + span.toMs() + " ms: " + span.what()));
        }
        // operations per second
        long buckets = Math.max(1, (endMs + 999) / 1000);
        Map<Long, long[]> perSecond = new TreeMap<>();
        for (Op op : r.ops()) {
            if (!op.isNemesis() && op.isCompletion()) {
                long[] c = perSecond.computeIfAbsent(op.timeNs() / 1_000_000_000L, k -> new long[3]);
                c[op.type() == Op.Type.OK ? 0 : op.type() == Op.Type.FAIL ? 1 : 2]++;
            }
        }
        long max = perSecond.values().stream()
                .mapToLong(c -> c[0] + c[1] + c[2])
                .max()
                .orElse(1);
        s.append(text(6, opsTop + 34, "ops/s", "#222"));
        double bw = (double) plot / buckets;
        for (Map.Entry<Long, long[]> e : perSecond.entrySet()) {
            int x = LEFT + (int) (e.getKey() * bw);
            int base = opsTop + 60;
            String[] colours = {"#2ca02c", "#d62728", "#e6b800"};
            String[] labels = {"ok", "fail", "unknown"};
            for (int k = 0; k < 3; k++) {
                int hgt = (int) Math.round(60.0 * e.getValue()[k] / max);
                if (hgt > 0) {
                    base -= hgt;
                    s.append(rect(
                            x,
                            base,
                            Math.max(1, (int) bw - 1),
                            hgt,
                            colours[k],
                            e.getKey() + " s: " + e.getValue()[k] + " " + labels[k]));
                }
            }
        }
        // axis
        int axisY = opsTop + 60 + 14;
        for (long t = 0; t <= endMs; t += tick(endMs)) {
            int x = x(t, endMs, plot);
            s.append(text(x - 6, axisY, (t / 1000) + "s", "#666"));
        }
        s.append("</svg>\n<p class=\"legend\">");
        for (String kind : List.of("killed", "paused", "partitioned", "lossy", "slow")) {
            s.append("<span><i class=\"sw\" style=\"background:")
                    .append(COLOURS.get(kind))
                    .append("\"></i>")
                    .append(kind)
                    .append("</span>");
        }
        s.append("<span><i class=\"sw\" style=\"background:#2ca02c\"></i>ok</span>")
                .append("<span><i class=\"sw\" style=\"background:#d62728\"></i>failed</span>")
                .append("<span><i class=\"sw\" style=\"background:#e6b800\"></i>unknown</span>")
                .append(" <span class=\"muted\">(hover a bar for details)</span></p>\n");
        return s.toString();
    }

    private static long tick(long endMs) {
        for (long step : new long[] {5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000}) {
            if (endMs / step <= 14) {
                return step;
            }
        }
        return 600_000;
    }

    private static int x(long ms, long endMs, int plot) {
        return LEFT + (int) Math.round((double) Math.min(ms, endMs) / endMs * plot);
    }

    private static String rect(int x, int y, int w, int h, String fill, String title) {
        return String.format(
                Locale.ROOT,
                "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>%n",
                x,
                y,
                w,
                h,
                fill,
                esc(title));
    }

    private static String text(int x, int y, String text, String fill) {
        return String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n", x, y, fill, esc(text));
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
