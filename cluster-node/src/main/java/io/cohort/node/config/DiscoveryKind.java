package io.cohort.node.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** How a node finds the other members of its cluster. */
public enum DiscoveryKind {
    /** A static list of seed addresses; the default, and the one for loopback and fixed hosts. */
    TCPPING,
    /** A DNS A or SRV query, e.g. a Kubernetes headless service. */
    DNS_PING,
    /** The Kubernetes API: pods of a namespace matching a label selector. */
    KUBE_PING,
    /** A shared database table every member registers in. */
    JDBC_PING2;

    /** Parses a kind by name, ignoring case and accepting '-' for '_'. */
    public static Optional<DiscoveryKind> parse(String text) {
        String normalised = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return Arrays.stream(values()).filter(k -> k.name().equals(normalised)).findFirst();
    }

    /** The valid names, for error messages. */
    public static String validNames() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
