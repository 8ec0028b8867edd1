package io.cohort.chaos.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Collects metric lines: printed at once as {@code name value unit}, and kept for the closing summary. */
final class Report {

    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();

    Report(PrintStream out) {
        this.out = out;
    }

    void metric(String name, double value, String unit) {
        String line = String.format(Locale.ROOT, "%s %s %s", name, format(value), unit);
        lines.add(line);
        out.println(line);
        out.flush();
    }

    /** A comment line, for settings and context; never parsed as a metric. */
    void note(String text) {
        out.println("# " + text);
        out.flush();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
