package io.cohort.chaos.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Collects metric lines: printed at once as {@code name value unit}, and kept for the closing summary. While a
 * workload runs ({@link #begin} to {@link #end}) every metric is checked against the names it declares: a name it did
 * not declare, or a declared name it never printed, is a {@link #problems problem}.
 */
final class Report {

    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();
    /** The running workload's name and declared metric names (templates); empty between workloads. */
    private String workload = "";

    private List<String> declared = List.of();
    /** The declared names the running workload has printed so far. */
    private final Set<String> printed = new LinkedHashSet<>();

    Report(PrintStream out) {
        this.out = out;
    }

    /** Starts checking metrics against {@code workload}'s declared names. */
    void begin(Workload workload) {
        this.workload = workload.name();
        this.declared = List.copyOf(workload.metrics());
        printed.clear();
    }

    /** Ends the running workload; every declared name it did not print becomes a problem. */
    void end() {
        for (String name : declared) {
            if (!printed.contains(name)) {
                problems.add(workload + " did not print " + name);
            }
        }
        workload = "";
        declared = List.of();
    }

    void metric(String name, double value, String unit) {
        String line = String.format(Locale.ROOT, "%s %s %s", name, format(value), unit);
        lines.add(line);
        out.println(line);
        out.flush();
        if (!workload.isEmpty()) {
            String template =
                    declared.stream().filter(t -> matches(t, name)).findFirst().orElse(null);
            if (template == null) {
                problems.add(workload + " printed " + name + ", which it does not declare");
            } else {
                printed.add(template);
            }
        }
    }

    /** A comment line, for settings and context; never parsed as a metric. */
    void note(String text) {
        out.println("# " + text);
        out.flush();
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Metrics printed but not declared, and declared but not printed, in the order found. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Whether a printed metric {@code name} is an instance of {@code template}, in which each upper-case letter
     * stands for a number: {@code pg_join_rate_pP} matches {@code pg_join_rate_p100000}.
     */
    static boolean matches(String template, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : template.toCharArray()) {
            regex.append(Character.isUpperCase(c) ? "[0-9]+" : Pattern.quote(String.valueOf(c)));
        }
        return name.matches(regex.toString());
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value)
                : String.format(Locale.ROOT, "%.2f", value);
    }
}
