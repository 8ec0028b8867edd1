package io.cohort.node.sim;

import java.util.ArrayDeque;

/**
 * What a simulation did, event by event: a running 64-bit hash over every line (two runs of one seed must end with
 * the same hash) and the most recent lines for failure reports.
 */
final class Trace {

    private static final int RECENT_LINES_MAX = 60;
    private static final long FNV_PRIME = 0x100000001b3L;

    private final ArrayDeque<String> recent = new ArrayDeque<>();
    private long hash = 0xcbf29ce484222325L;
    private long lines;

    void record(long atNs, String line) {
        String full = atNs + " " + line;
        for (int i = 0; i < full.length(); i++) {
            hash = (hash ^ full.charAt(i)) * FNV_PRIME;
        }
        hash = (hash ^ '\n') * FNV_PRIME;
        lines++;
        if (recent.size() == RECENT_LINES_MAX) {
            recent.removeFirst();
        }
        recent.addLast(full);
    }

    long hash() {
        return hash;
    }

    long lines() {
        return lines;
    }

    String recent() {
        StringBuilder text = new StringBuilder();
        for (String line : recent) {
            text.append("    ").append(line).append('\n');
        }
        return text.toString();
    }
}
