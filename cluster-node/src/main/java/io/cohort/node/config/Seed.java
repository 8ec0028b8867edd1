package io.cohort.node.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One TCPPING seed: a host (name or literal address; IPv6 literals in brackets) and the exact port a member listens
 * on.
 */
public record Seed(String host, int port) {

    public Seed {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("seed host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("seed port must be 1..65535: " + port);
        }
    }

    /** Parses {@code host:port} or {@code [v6-literal]:port}. */
    public static Seed parse(String text) {
        String trimmed = text.trim();
        int colon = trimmed.lastIndexOf(':');
        if (colon <= 0 || colon == trimmed.length() - 1) {
            throw new IllegalArgumentException("malformed seed '" + text + "': expected host:port");
        }
        String host = trimmed.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.contains(":")) {
            throw new IllegalArgumentException(
                    "malformed seed '" + text + "': write IPv6 addresses in brackets, e.g. [::1]:7800");
        }
        int port;
        try {
            port = Integer.parseInt(trimmed.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed seed '" + text + "': the port is not a number", e);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("malformed seed '" + text + "': port must be 1..65535");
        }
        if (host.isBlank()) {
            throw new IllegalArgumentException("malformed seed '" + text + "': the host is empty");
        }
        return new Seed(host, port);
    }

    /** Parses a comma-separated list, adding one problem per malformed entry instead of stopping at the first. */
    static List<Seed> parseList(String text, List<String> problems) {
        List<Seed> seeds = new ArrayList<>();
        for (String part : text.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                seeds.add(parse(part));
            } catch (IllegalArgumentException e) {
                problems.add(ConfigKey.SEEDS.fileKey() + ": " + e.getMessage());
            }
        }
        return seeds;
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
