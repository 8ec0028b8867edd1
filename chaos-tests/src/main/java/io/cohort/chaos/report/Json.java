package io.cohort.chaos.report;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;

/**
 * A small JSON writer for reports: maps, collections, strings, numbers, booleans and null, written with keys in the
 * maps' own order. Enough for the harness's result files without a JSON library on the node's classpath.
 */
public final class Json {

    private Json() {}

    public static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        out.append('\n');
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, int depth) {
        switch (value) {
            case null -> out.append("null");
            case String s -> string(out, s);
            case Boolean b -> out.append(b);
            case Double d -> out.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
            case Float f -> write(out, f.doubleValue(), depth);
            case Number n -> out.append(n);
            case Map<?, ?> map -> {
                if (map.isEmpty()) {
                    out.append("{}");
                    return;
                }
                out.append("{\n");
                int i = 0;
                for (Map.Entry<?, ?> entry : map.entrySet()) {
                    indent(out, depth + 1);
                    string(out, String.valueOf(entry.getKey()));
                    out.append(": ");
                    write(out, entry.getValue(), depth + 1);
                    out.append(++i < map.size() ? ",\n" : "\n");
                }
                indent(out, depth);
                out.append('}');
            }
            case Collection<?> list -> {
                if (list.isEmpty()) {
                    out.append("[]");
                    return;
                }
                boolean flat = list.stream().noneMatch(item -> item instanceof Map || item instanceof Collection);
                out.append(flat ? "[" : "[\n");
                int i = 0;
                for (Object item : list) {
                    if (!flat) {
                        indent(out, depth + 1);
                    }
                    write(out, item, depth + 1);
                    if (++i < list.size()) {
                        out.append(flat ? ", " : ",\n");
                    }
                }
                if (!flat) {
                    out.append('\n');
                    indent(out, depth);
                }
                out.append(']');
            }
            default -> string(out, value.toString());
        }
    }

    private static void indent(StringBuilder out, int depth) {
        out.append("  ".repeat(depth));
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
