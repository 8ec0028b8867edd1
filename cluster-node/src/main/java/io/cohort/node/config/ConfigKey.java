package io.cohort.node.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every configuration key a node understands: the one place they are documented.
 *
 * <p>A key has a dotted name used in Properties and YAML files (YAML may nest it: {@code fd: {timeout: 3s}}) and an
 * environment variable; the environment overrides the file. Durations in files take a unit ({@code 500ms},
 * {@code 3s}, {@code 1m}); a bare number means milliseconds. Environment variables ending in {@code _MS} are plain
 * milliseconds.
 *
 * <table>
 *   <caption>Configuration keys</caption>
 *   <tr><th>File key</th><th>Environment</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>node.name</td><td>COHORT_NODE_NAME</td><td>host name, else "node"</td><td>the NodeId name</td></tr>
 *   <tr><td>node.incarnation</td><td>COHORT_INCARNATION</td><td>wall clock (ms) when the control plane is built</td>
 *       <td>the NodeId incarnation; set only for tests and tools</td></tr>
 *   <tr><td>cluster.name</td><td>COHORT_CLUSTER</td><td>cohort</td><td>the JGroups cluster; nodes of other
 *       clusters never join or deliver</td></tr>
 *   <tr><td>bind.address</td><td>COHORT_BIND_ADDRESS</td><td>127.0.0.1</td><td>address of the membership TCP
 *       transport</td></tr>
 *   <tr><td>bind.port</td><td>COHORT_BIND_PORT</td><td>7800</td><td>first port tried, 1..65535</td></tr>
 *   <tr><td>bind.port-range</td><td>COHORT_PORT_RANGE</td><td>10</td><td>further ports tried when taken</td></tr>
 *   <tr><td>discovery.kind</td><td>COHORT_DISCOVERY</td><td>TCPPING</td><td>TCPPING, DNS_PING, KUBE_PING or
 *       JDBC_PING2</td></tr>
 *   <tr><td>discovery.seeds</td><td>COHORT_SEEDS</td><td>-</td><td>TCPPING: host:port,host:port (required)</td></tr>
 *   <tr><td>discovery.dns.query</td><td>COHORT_DNS_QUERY</td><td>-</td><td>DNS_PING: the name to query
 *       (required)</td></tr>
 *   <tr><td>discovery.dns.record-type</td><td>COHORT_DNS_RECORD_TYPE</td><td>A</td><td>DNS_PING: A or SRV</td></tr>
 *   <tr><td>discovery.kube.namespace</td><td>COHORT_KUBE_NAMESPACE</td><td>default</td><td>KUBE_PING</td></tr>
 *   <tr><td>discovery.kube.labels</td><td>COHORT_KUBE_LABELS</td><td>-</td><td>KUBE_PING: label selector</td></tr>
 *   <tr><td>discovery.jdbc.url</td><td>COHORT_JDBC_URL</td><td>-</td><td>JDBC_PING2 (required)</td></tr>
 *   <tr><td>discovery.jdbc.user</td><td>COHORT_JDBC_USER</td><td>-</td><td>JDBC_PING2</td></tr>
 *   <tr><td>discovery.jdbc.password</td><td>COHORT_JDBC_PASSWORD</td><td>-</td><td>JDBC_PING2</td></tr>
 *   <tr><td>fd.timeout</td><td>COHORT_FD_TIMEOUT_MS</td><td>3s</td><td>silence after which a hung member is
 *       suspected</td></tr>
 *   <tr><td>fd.interval</td><td>COHORT_FD_INTERVAL_MS</td><td>1s</td><td>heartbeat interval, below
 *       fd.timeout</td></tr>
 *   <tr><td>fd.verify-timeout</td><td>COHORT_VERIFY_SUSPECT_TIMEOUT_MS</td><td>250ms</td><td>how long a
 *       heartbeat suspect may answer before it is excluded</td></tr>
 *   <tr><td>merge.min-interval</td><td>COHORT_MERGE_MIN_INTERVAL_MS</td><td>100ms</td><td>MERGE3 lower
 *       bound</td></tr>
 *   <tr><td>merge.max-interval</td><td>COHORT_MERGE_MAX_INTERVAL_MS</td><td>400ms</td><td>MERGE3 upper
 *       bound</td></tr>
 *   <tr><td>join.timeout</td><td>COHORT_JOIN_TIMEOUT_MS</td><td>2s</td><td>wait for a join response per
 *       attempt</td></tr>
 *   <tr><td>security.shared-secret</td><td>COHORT_SHARED_SECRET</td><td>-</td><td>enables encryption and
 *       authentication; at least 16 characters</td></tr>
 *   <tr><td>data.port</td><td>COHORT_DATA_PORT</td><td>0 (ephemeral)</td><td>port of the Netty data
 *       plane</td></tr>
 *   <tr><td>message.max-bytes</td><td>COHORT_MAX_MESSAGE_BYTES</td><td>8388608</td><td>largest control message
 *       sent or accepted, and largest data-plane frame</td></tr>
 *   <tr><td>data.tls.certificate</td><td>COHORT_DATA_TLS_CERTIFICATE</td><td>-</td><td>PEM certificate chain of
 *       this node; with the next two, turns on mutual TLS for the data plane</td></tr>
 *   <tr><td>data.tls.private-key</td><td>COHORT_DATA_TLS_PRIVATE_KEY</td><td>-</td><td>PEM PKCS#8 key, not
 *       encrypted</td></tr>
 *   <tr><td>data.tls.trust</td><td>COHORT_DATA_TLS_TRUST</td><td>-</td><td>PEM certificates peers must present
 *       (or their CA)</td></tr>
 * </table>
 */
public enum ConfigKey {
    NODE_NAME("node.name", "COHORT_NODE_NAME"),
    NODE_INCARNATION("node.incarnation", "COHORT_INCARNATION"),
    CLUSTER_NAME("cluster.name", "COHORT_CLUSTER"),
    BIND_ADDRESS("bind.address", "COHORT_BIND_ADDRESS"),
    BIND_PORT("bind.port", "COHORT_BIND_PORT"),
    PORT_RANGE("bind.port-range", "COHORT_PORT_RANGE"),
    DISCOVERY("discovery.kind", "COHORT_DISCOVERY"),
    SEEDS("discovery.seeds", "COHORT_SEEDS"),
    DNS_QUERY("discovery.dns.query", "COHORT_DNS_QUERY"),
    DNS_RECORD_TYPE("discovery.dns.record-type", "COHORT_DNS_RECORD_TYPE"),
    KUBE_NAMESPACE("discovery.kube.namespace", "COHORT_KUBE_NAMESPACE"),
    KUBE_LABELS("discovery.kube.labels", "COHORT_KUBE_LABELS"),
    JDBC_URL("discovery.jdbc.url", "COHORT_JDBC_URL"),
    JDBC_USER("discovery.jdbc.user", "COHORT_JDBC_USER"),
    JDBC_PASSWORD("discovery.jdbc.password", "COHORT_JDBC_PASSWORD"),
    FD_TIMEOUT("fd.timeout", "COHORT_FD_TIMEOUT_MS"),
    FD_INTERVAL("fd.interval", "COHORT_FD_INTERVAL_MS"),
    VERIFY_SUSPECT_TIMEOUT("fd.verify-timeout", "COHORT_VERIFY_SUSPECT_TIMEOUT_MS"),
    MERGE_MIN_INTERVAL("merge.min-interval", "COHORT_MERGE_MIN_INTERVAL_MS"),
    MERGE_MAX_INTERVAL("merge.max-interval", "COHORT_MERGE_MAX_INTERVAL_MS"),
    JOIN_TIMEOUT("join.timeout", "COHORT_JOIN_TIMEOUT_MS"),
    SHARED_SECRET("security.shared-secret", "COHORT_SHARED_SECRET"),
    DATA_PORT("data.port", "COHORT_DATA_PORT"),
    MAX_MESSAGE_BYTES("message.max-bytes", "COHORT_MAX_MESSAGE_BYTES"),
    DATA_TLS_CERTIFICATE("data.tls.certificate", "COHORT_DATA_TLS_CERTIFICATE"),
    DATA_TLS_PRIVATE_KEY("data.tls.private-key", "COHORT_DATA_TLS_PRIVATE_KEY"),
    DATA_TLS_TRUST("data.tls.trust", "COHORT_DATA_TLS_TRUST");

    private static final Map<String, ConfigKey> BY_FILE_KEY =
            Arrays.stream(values()).collect(Collectors.toUnmodifiableMap(ConfigKey::fileKey, Function.identity()));

    private final String fileKey;
    private final String envVar;

    ConfigKey(String fileKey, String envVar) {
        this.fileKey = fileKey;
        this.envVar = envVar;
    }

    /** The dotted name in Properties and YAML files. */
    public String fileKey() {
        return fileKey;
    }

    /** The environment variable that overrides the file. */
    public String envVar() {
        return envVar;
    }

    /** True for keys whose value is a duration (files take units, the environment takes milliseconds). */
    public boolean isDuration() {
        return envVar.endsWith("_MS");
    }

    /** True for keys whose value must never be printed. */
    public boolean isSecret() {
        return this == SHARED_SECRET || this == JDBC_PASSWORD;
    }

    public static Optional<ConfigKey> byFileKey(String key) {
        return Optional.ofNullable(BY_FILE_KEY.get(key));
    }

    /** The valid file key closest to {@code unknown} by edit distance, for "did you mean" hints. */
    public static String closestFileKey(String unknown) {
        String lower = unknown.toLowerCase(Locale.ROOT);
        ConfigKey best = NODE_NAME;
        int bestDistance = Integer.MAX_VALUE;
        for (ConfigKey key : values()) {
            int distance = editDistance(lower, key.fileKey);
            if (distance < bestDistance) {
                best = key;
                bestDistance = distance;
            }
        }
        return best.fileKey;
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
