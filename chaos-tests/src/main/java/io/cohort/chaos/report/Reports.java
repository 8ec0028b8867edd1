package io.cohort.chaos.report;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.check.Violation;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.history.Op;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The three reports of a run: a text summary for the console, {@code result.json} for machines, and
 * {@code index.html}, a page with the fault timeline and the checks that a person reads at a glance.
 */
public final class Reports {

    private Reports() {}

    /** Writes {@code summary.txt}, {@code result.json}, {@code history.txt} and {@code index.html} into {@code dir}. */
    public static void write(RunResult result, Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("summary.txt"), text(result), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("result.json"), Json.write(json(result)), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("history.txt"), historyText(result.ops()), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("index.html"), HtmlReport.page(result), StandardCharsets.UTF_8);
    }

    /** The console summary; on a failed check it ends with the seed and the schedule that reproduce it. */
    public static String text(RunResult r) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(
                Locale.ROOT,
                "chaos run %s: seed=%d nodes=%d length=%ss image=%s%s%n",
                r.runId(),
                r.seed(),
                r.schedule().nodes().size(),
                fmtSeconds(r.schedule().length().toMillis()),
                r.image(),
                r.bug().isEmpty() ? "" : " planted-bug=" + r.bug()));
        out.append(String.format(
                Locale.ROOT,
                "faults injected: %d (%s)%s%n",
                r.faultsInjected(),
                faultKinds(r.ops()),
                nemesisFailures(r.ops()) == 0 ? "" : "; nemesis steps that failed: " + nemesisFailures(r.ops())));
        out.append(String.format(
                Locale.ROOT,
                "operations: %d (ok %d, fail %d, unknown %d)%n",
                r.operations(),
                r.completions(Op.Type.OK),
                r.completions(Op.Type.FAIL),
                r.completions(Op.Type.INFO)));
        perOperation(r.ops()).forEach((f, counts) -> out.append(String.format(Locale.ROOT, "  %-8s %s%n", f, counts)));
        out.append(
                r.convergedAfterMs() >= 0
                        ? String.format(
                                Locale.ROOT,
                                "converged %.1f s after the faults were undone%n",
                                r.convergedAfterMs() / 1000.0)
                        : "did not converge after the faults were undone\n");
        r.notes().forEach(note -> out.append("note: ").append(note).append('\n'));
        out.append("checks:\n");
        for (CheckResult check : r.checks()) {
            out.append(String.format(
                    Locale.ROOT,
                    "  %s %-22s %s%n",
                    check.passed() ? "PASS" : "FAIL",
                    check.check(),
                    check.passed() ? check.proves() : check.violations().size() + " violation(s)"));
            for (Violation violation : check.violations()) {
                out.append("       ").append(violation.message()).append('\n');
            }
        }
        out.append("result: ")
                .append(r.valid() ? "VALID" : "INVALID (" + r.violationCount() + " violations)")
                .append('\n');
        if (!r.valid()) {
            out.append("reproduce with: ").append(r.repro()).append('\n');
            out.append(r.schedule().toText());
        }
        return out.toString();
    }

    static Map<String, Object> json(RunResult r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("run", r.runId());
        json.put("started_at", r.startedAt());
        json.put("valid", r.valid());
        json.put("seed", r.seed());
        json.put("nodes", r.schedule().nodes());
        json.put("length_ms", r.schedule().length().toMillis());
        json.put("image", r.image());
        json.put("planted_bug", r.bug());
        json.put("repro", r.repro());
        json.put("faults_injected", r.faultsInjected());
        json.put("operations", r.operations());
        Map<String, Object> outcomes = new LinkedHashMap<>();
        outcomes.put("ok", r.completions(Op.Type.OK));
        outcomes.put("fail", r.completions(Op.Type.FAIL));
        outcomes.put("unknown", r.completions(Op.Type.INFO));
        json.put("outcomes", outcomes);
        json.put("by_operation", perOperation(r.ops()));
        json.put("converged_after_ms", r.convergedAfterMs());
        json.put("phases_ms", new TreeMap<>(r.phasesMs()));
        json.put("notes", r.notes());
        List<Object> checks = new ArrayList<>();
        for (CheckResult check : r.checks()) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("check", check.check());
            c.put("passed", check.passed());
            c.put("proves", check.proves());
            c.put(
                    "violations",
                    check.violations().stream().map(Violation::message).toList());
            checks.add(c);
        }
        json.put("checks", checks);
        List<Object> schedule = new ArrayList<>();
        for (FaultSchedule.Step step : r.schedule().steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("at_ms", step.atMs());
            s.put("kind", step.fault().kind());
            s.put("nodes", step.fault().nodes());
            s.put("what", step.fault().describe());
            schedule.add(s);
        }
        json.put("schedule", schedule);
        List<Object> faults = new ArrayList<>();
        long endMs = r.phasesMs().getOrDefault("end", 0L);
        for (Timeline.Span span : Timeline.spans(r.ops(), endMs)) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("node", span.node());
            f.put("kind", span.kind());
            f.put("from_ms", span.fromMs());
            f.put("to_ms", span.toMs());
            f.put("what", span.what());
            faults.add(f);
        }
        json.put("fault_spans", faults);
        json.put("node_logs", r.logTails());
        return json;
    }

    /** One line per op: {@code   12.345s w0 ok join n1 g2 <n1#17.3>}. */
    static String historyText(List<Op> ops) {
        StringBuilder out = new StringBuilder();
        for (Op op : ops) {
            out.append(String.format(
                    Locale.ROOT,
                    "%10.3fs %-8s %-6s %-11s %-4s %s%s%n",
                    op.timeNs() / 1e9,
                    op.process(),
                    op.type().label(),
                    op.f(),
                    op.node(),
                    op.value(),
                    op.error().isEmpty() ? "" : "  (" + op.error() + ")"));
        }
        return out.toString();
    }

    static Map<String, Map<String, Long>> perOperation(List<Op> ops) {
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (Op op : ops) {
            if (!op.isNemesis() && op.isCompletion()) {
                counts.computeIfAbsent(op.f(), f -> new TreeMap<>())
                        .merge(op.type() == Op.Type.INFO ? "unknown" : op.type().label(), 1L, Long::sum);
            }
        }
        return counts;
    }

    static String faultKinds(List<Op> ops) {
        Map<String, Long> kinds = new TreeMap<>();
        for (Op op : ops) {
            if (op.isNemesis() && op.type() == Op.Type.OK && Timeline.isFaultStart(op.f())) {
                kinds.merge(op.f(), 1L, Long::sum);
            }
        }
        List<String> parts = new ArrayList<>();
        kinds.forEach((kind, count) -> parts.add(kind + " " + count));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    static long nemesisFailures(List<Op> ops) {
        return ops.stream()
                .filter(op -> op.isNemesis() && op.type() == Op.Type.FAIL)
                .count();
    }

    static String fmtSeconds(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(Locale.ROOT, "%.1f", ms / 1000.0);
    }
}
