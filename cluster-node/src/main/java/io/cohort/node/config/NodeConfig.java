package io.cohort.node.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Everything a node needs to join its cluster, immutable and validated. Build one with {@link #builder()} or load one
 * with {@link NodeConfigLoader}; the keys and defaults are listed in {@link ConfigKey}.
 *
 * @param nodeName the name part of this node's {@code NodeId}
 * @param incarnation the incarnation part; empty means "the wall clock at start", which a restart makes larger
 * @param clusterName the JGroups cluster name; members of other clusters never join or deliver
 * @param bindAddress the address the membership transport binds to
 * @param bindPort the first port tried
 * @param portRange how many further ports are tried when {@code bindPort} is taken
 * @param discovery how members find each other
 * @param timing failure detection, merge and join timing
 * @param sharedSecret when present, traffic is encrypted and joins are authenticated with keys derived from it
 * @param dataPort the Netty data plane's port, 0 for an ephemeral one
 * @param maxMessageBytes the largest control message sent or accepted, and the largest data-plane frame
 * @param tls when present, data-plane connections use mutually authenticated TLS with these files
 */
public record NodeConfig(
        String nodeName,
        OptionalLong incarnation,
        String clusterName,
        String bindAddress,
        int bindPort,
        int portRange,
        Discovery discovery,
        Timing timing,
        Optional<String> sharedSecret,
        int dataPort,
        int maxMessageBytes,
        Optional<Tls> tls) {

    public static final String DEFAULT_CLUSTER = "cohort";
    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_BIND_PORT = 7800;
    public static final int DEFAULT_PORT_RANGE = 10;
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
    public static final int MIN_SECRET_LENGTH = 16;

    public NodeConfig {
        Objects.requireNonNull(nodeName, "nodeName");
        Objects.requireNonNull(incarnation, "incarnation");
        Objects.requireNonNull(clusterName, "clusterName");
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(discovery, "discovery");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(sharedSecret, "sharedSecret");
        Objects.requireNonNull(tls, "tls");
    }

    /** A configuration without data-plane TLS (the form before TLS settings existed). */
    public NodeConfig(
            String nodeName,
            OptionalLong incarnation,
            String clusterName,
            String bindAddress,
            int bindPort,
            int portRange,
            Discovery discovery,
            Timing timing,
            Optional<String> sharedSecret,
            int dataPort,
            int maxMessageBytes) {
        this(
                nodeName,
                incarnation,
                clusterName,
                bindAddress,
                bindPort,
                portRange,
                discovery,
                timing,
                sharedSecret,
                dataPort,
                maxMessageBytes,
                Optional.empty());
    }

    /**
     * Mutually authenticated TLS for the data plane: each node presents {@code certificateChain} (signed by an
     * authority in {@code trustedCertificates}) and accepts only peers whose certificate that file trusts.
     *
     * @param certificateChain PEM file with this node's certificate chain
     * @param privateKey PEM file with this node's PKCS#8 private key, unencrypted
     * @param trustedCertificates PEM file with the certificates (or authorities) peers must present
     */
    public record Tls(
            java.nio.file.Path certificateChain,
            java.nio.file.Path privateKey,
            java.nio.file.Path trustedCertificates) {
        public Tls {
            Objects.requireNonNull(certificateChain, "certificateChain");
            Objects.requireNonNull(privateKey, "privateKey");
            Objects.requireNonNull(trustedCertificates, "trustedCertificates");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a variant. */
    public Builder toBuilder() {
        Builder builder = new Builder()
                .nodeName(nodeName)
                .clusterName(clusterName)
                .bindAddress(bindAddress)
                .bindPort(bindPort)
                .portRange(portRange)
                .discovery(discovery)
                .timing(timing)
                .sharedSecret(sharedSecret.orElse(null))
                .dataPort(dataPort)
                .maxMessageBytes(maxMessageBytes)
                .tls(tls.orElse(null));
        incarnation.ifPresent(builder::incarnation);
        return builder;
    }

    /** Never prints the secret or the database password. */
    @Override
    public String toString() {
        return "NodeConfig[node=" + nodeName + (incarnation.isPresent() ? "#" + incarnation.getAsLong() : "")
                + ", cluster=" + clusterName + ", bind=" + bindAddress + ":" + bindPort + "+" + portRange
                + ", discovery=" + discovery + ", timing=" + timing
                + ", sharedSecret=" + (sharedSecret.isPresent() ? "<set>" : "<none>")
                + ", dataPort=" + dataPort + ", maxMessageBytes=" + maxMessageBytes
                + ", tls=" + (tls.isPresent() ? "<set>" : "<none>") + "]";
    }

    /**
     * How members find each other. Only the settings of {@link #kind} are used.
     *
     * @param seeds TCPPING: the members to ask first (exact ports)
     * @param dnsQuery DNS_PING: the name to resolve
     * @param dnsRecordType DNS_PING: {@code A} or {@code SRV}
     * @param kubeNamespace KUBE_PING: the namespace to list pods in
     * @param kubeLabels KUBE_PING: a label selector, empty for all pods
     * @param jdbcUrl JDBC_PING2: the connection URL
     * @param jdbcUser JDBC_PING2: the user, may be empty
     * @param jdbcPassword JDBC_PING2: the password, may be empty
     */
    public record Discovery(
            DiscoveryKind kind,
            List<Seed> seeds,
            String dnsQuery,
            String dnsRecordType,
            String kubeNamespace,
            String kubeLabels,
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword) {

        public Discovery {
            Objects.requireNonNull(kind, "kind");
            seeds = List.copyOf(seeds);
            dnsQuery = Objects.requireNonNullElse(dnsQuery, "");
            dnsRecordType = Objects.requireNonNullElse(dnsRecordType, "A");
            kubeNamespace = Objects.requireNonNullElse(kubeNamespace, "default");
            kubeLabels = Objects.requireNonNullElse(kubeLabels, "");
            jdbcUrl = Objects.requireNonNullElse(jdbcUrl, "");
            jdbcUser = Objects.requireNonNullElse(jdbcUser, "");
            jdbcPassword = Objects.requireNonNullElse(jdbcPassword, "");
        }

        public static Discovery tcpPing(List<Seed> seeds) {
            return new Discovery(DiscoveryKind.TCPPING, seeds, null, null, null, null, null, null, null);
        }

        @Override
        public String toString() {
            // A switch statement, not an expression: forbiddenapis runs on JDK 17 and cannot resolve the
            // MatchException an exhaustive enum switch expression compiles to.
            String settings;
            switch (kind) {
                case DNS_PING -> settings = "[" + dnsQuery + " " + dnsRecordType + "]";
                case KUBE_PING -> settings = "[" + kubeNamespace + " " + kubeLabels + "]";
                case JDBC_PING2 -> settings = "[" + jdbcUrl + " user=" + jdbcUser + "]";
                default -> settings = seeds.toString();
            }
            return kind + settings;
        }
    }

    /**
     * Failure detection, merge and join timing.
     *
     * @param fdTimeout silence after which a member that still holds its sockets open (hung, paused, partitioned) is
     *     suspected
     * @param fdInterval heartbeat interval; below {@code fdTimeout}
     * @param verifySuspectTimeout how long a heartbeat suspect may answer before it is excluded
     * @param mergeMinInterval lower bound between MERGE3 announcements
     * @param mergeMaxInterval upper bound between MERGE3 announcements; MERGE3 checks for subgroups every 1.6 times
     *     this, so a healed partition is noticed within about 2.6 times this
     * @param joinTimeout how long one join attempt waits for the coordinator's answer
     */
    public record Timing(
            Duration fdTimeout,
            Duration fdInterval,
            Duration verifySuspectTimeout,
            Duration mergeMinInterval,
            Duration mergeMaxInterval,
            Duration joinTimeout) {

        public static final Timing DEFAULT = new Timing(
                Duration.ofSeconds(3),
                Duration.ofSeconds(1),
                Duration.ofMillis(250),
                Duration.ofMillis(100),
                Duration.ofMillis(400),
                Duration.ofSeconds(2));

        public Timing {
            Objects.requireNonNull(fdTimeout, "fdTimeout");
            Objects.requireNonNull(fdInterval, "fdInterval");
            Objects.requireNonNull(verifySuspectTimeout, "verifySuspectTimeout");
            Objects.requireNonNull(mergeMinInterval, "mergeMinInterval");
            Objects.requireNonNull(mergeMaxInterval, "mergeMaxInterval");
            Objects.requireNonNull(joinTimeout, "joinTimeout");
        }

        @Override
        public String toString() {
            return "fd=" + fdTimeout.toMillis() + "/" + fdInterval.toMillis() + "ms verify="
                    + verifySuspectTimeout.toMillis() + "ms merge=" + mergeMinInterval.toMillis() + ".."
                    + mergeMaxInterval.toMillis() + "ms join=" + joinTimeout.toMillis() + "ms";
        }
    }

    /**
     * Collects values, then {@link #build()} validates all of them at once and throws one {@link ConfigException}
     * listing every problem.
     */
    public static final class Builder {
        private String nodeName;
        private Long incarnation;
        private String clusterName = DEFAULT_CLUSTER;
        private String bindAddress = DEFAULT_BIND_ADDRESS;
        private int bindPort = DEFAULT_BIND_PORT;
        private int portRange = DEFAULT_PORT_RANGE;
        private Discovery discovery = Discovery.tcpPing(List.of());
        private Timing timing = Timing.DEFAULT;
        private String sharedSecret;
        private int dataPort;
        private int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        private Tls tls;

        private Builder() {}

        /** Data-plane TLS settings, or null for plain TCP. */
        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder nodeName(String name) {
            this.nodeName = name;
            return this;
        }

        public Builder incarnation(long incarnation) {
            this.incarnation = incarnation;
            return this;
        }

        public Builder clusterName(String name) {
            this.clusterName = name;
            return this;
        }

        public Builder bindAddress(String address) {
            this.bindAddress = address;
            return this;
        }

        public Builder bindPort(int port) {
            this.bindPort = port;
            return this;
        }

        public Builder portRange(int range) {
            this.portRange = range;
            return this;
        }

        public Builder discovery(Discovery discovery) {
            this.discovery = discovery;
            return this;
        }

        /** Shorthand for TCPPING discovery with these seeds. */
        public Builder seeds(List<Seed> seeds) {
            this.discovery = Discovery.tcpPing(seeds);
            return this;
        }

        public Builder timing(Timing timing) {
            this.timing = timing;
            return this;
        }

        /** The shared secret, or null for none. */
        public Builder sharedSecret(String secret) {
            this.sharedSecret = secret;
            return this;
        }

        public Builder dataPort(int port) {
            this.dataPort = port;
            return this;
        }

        public Builder maxMessageBytes(int bytes) {
            this.maxMessageBytes = bytes;
            return this;
        }

        /** Validates every value and builds, or throws one exception listing all problems. */
        public NodeConfig build() {
            List<String> problems = new ArrayList<>();
            NodeConfig config = buildCollecting(problems);
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
            return config;
        }

        /** Adds this builder's problems to {@code problems}; the result is usable only if none were added. */
        NodeConfig buildCollecting(List<String> problems) {
            String name = nodeName == null ? defaultNodeName() : nodeName;
            checkNodeName(name, problems);
            if (incarnation != null && incarnation < 0) {
                problems.add(key(ConfigKey.NODE_INCARNATION) + "must be >= 0, got " + incarnation);
            }
            if (clusterName == null || clusterName.isBlank()) {
                problems.add(key(ConfigKey.CLUSTER_NAME) + "must not be empty");
            }
            checkBindAddress(problems);
            checkPort(ConfigKey.BIND_PORT, bindPort, 1, problems);
            if (portRange < 0 || portRange > 1000) {
                problems.add(key(ConfigKey.PORT_RANGE) + "must be 0..1000, got " + portRange);
            }
            checkDiscovery(problems);
            checkTiming(problems);
            if (sharedSecret != null && sharedSecret.length() < MIN_SECRET_LENGTH) {
                problems.add(key(ConfigKey.SHARED_SECRET) + "must be at least " + MIN_SECRET_LENGTH
                        + " characters, got " + sharedSecret.length());
            }
            checkPort(ConfigKey.DATA_PORT, dataPort, 0, problems);
            if (tls != null) {
                for (java.nio.file.Path file :
                        List.of(tls.certificateChain(), tls.privateKey(), tls.trustedCertificates())) {
                    if (!java.nio.file.Files.isReadable(file)) {
                        problems.add("data-plane TLS file is not readable: " + file);
                    }
                }
            }
            if (maxMessageBytes < 1024) {
                problems.add(key(ConfigKey.MAX_MESSAGE_BYTES) + "must be at least 1024, got " + maxMessageBytes);
            }
            return new NodeConfig(
                    name,
                    incarnation == null ? OptionalLong.empty() : OptionalLong.of(incarnation),
                    Objects.requireNonNullElse(clusterName, ""),
                    Objects.requireNonNullElse(bindAddress, ""),
                    bindPort,
                    portRange,
                    Objects.requireNonNullElse(discovery, Discovery.tcpPing(List.of())),
                    Objects.requireNonNullElse(timing, Timing.DEFAULT),
                    Optional.ofNullable(sharedSecret),
                    dataPort,
                    maxMessageBytes,
                    Optional.ofNullable(tls));
        }

        private static void checkNodeName(String name, List<String> problems) {
            boolean valid = !name.isEmpty() && name.length() <= 128;
            for (int i = 0; valid && i < name.length(); i++) {
                char c = name.charAt(i);
                valid = Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.';
            }
            if (!valid) {
                problems.add(key(ConfigKey.NODE_NAME) + "must be 1..128 letters, digits, '-', '_' or '.', got '" + name
                        + "'");
            }
        }

        private void checkBindAddress(List<String> problems) {
            if (bindAddress == null || bindAddress.isBlank()) {
                problems.add(key(ConfigKey.BIND_ADDRESS) + "must not be empty");
                return;
            }
            try {
                InetAddress.getByName(bindAddress);
            } catch (UnknownHostException e) {
                problems.add(key(ConfigKey.BIND_ADDRESS) + "cannot be resolved: '" + bindAddress + "'");
            }
        }

        private static void checkPort(ConfigKey key, int port, int min, List<String> problems) {
            if (port < min || port > 65535) {
                problems.add(key(key) + "must be " + min + "..65535, got " + port);
            }
        }

        private void checkDiscovery(List<String> problems) {
            if (discovery == null) {
                problems.add(key(ConfigKey.DISCOVERY) + "must be set");
                return;
            }
            switch (discovery.kind()) {
                case TCPPING -> {
                    if (discovery.seeds().isEmpty()) {
                        problems.add(key(ConfigKey.SEEDS) + "TCPPING needs at least one seed (host:port,host:port)");
                    }
                }
                case DNS_PING -> {
                    if (discovery.dnsQuery().isBlank()) {
                        problems.add(key(ConfigKey.DNS_QUERY) + "DNS_PING needs a query");
                    }
                    String type = discovery.dnsRecordType().toUpperCase(Locale.ROOT);
                    if (!type.equals("A") && !type.equals("SRV")) {
                        problems.add(key(ConfigKey.DNS_RECORD_TYPE) + "must be A or SRV, got '"
                                + discovery.dnsRecordType() + "'");
                    }
                }
                case KUBE_PING -> {
                    if (discovery.kubeNamespace().isBlank()) {
                        problems.add(key(ConfigKey.KUBE_NAMESPACE) + "KUBE_PING needs a namespace");
                    }
                }
                case JDBC_PING2 -> {
                    if (discovery.jdbcUrl().isBlank()) {
                        problems.add(key(ConfigKey.JDBC_URL) + "JDBC_PING2 needs a connection URL");
                    }
                }
            }
        }

        private void checkTiming(List<String> problems) {
            if (timing == null) {
                problems.add("timing must be set");
                return;
            }
            positive(ConfigKey.FD_TIMEOUT, timing.fdTimeout(), problems);
            positive(ConfigKey.FD_INTERVAL, timing.fdInterval(), problems);
            positive(ConfigKey.VERIFY_SUSPECT_TIMEOUT, timing.verifySuspectTimeout(), problems);
            positive(ConfigKey.MERGE_MIN_INTERVAL, timing.mergeMinInterval(), problems);
            positive(ConfigKey.MERGE_MAX_INTERVAL, timing.mergeMaxInterval(), problems);
            positive(ConfigKey.JOIN_TIMEOUT, timing.joinTimeout(), problems);
            if (timing.fdInterval().compareTo(timing.fdTimeout()) >= 0) {
                problems.add(
                        key(ConfigKey.FD_INTERVAL) + "(" + timing.fdInterval().toMillis()
                                + "ms) must be below " + ConfigKey.FD_TIMEOUT.fileKey() + " ("
                                + timing.fdTimeout().toMillis() + "ms): several heartbeats must fit in the timeout");
            }
            if (timing.verifySuspectTimeout().compareTo(timing.fdTimeout()) >= 0) {
                problems.add(key(ConfigKey.VERIFY_SUSPECT_TIMEOUT) + "must be below " + ConfigKey.FD_TIMEOUT.fileKey());
            }
            if (timing.mergeMinInterval().compareTo(timing.mergeMaxInterval()) > 0) {
                problems.add(key(ConfigKey.MERGE_MIN_INTERVAL) + "must not exceed "
                        + ConfigKey.MERGE_MAX_INTERVAL.fileKey());
            }
        }

        private static void positive(ConfigKey key, Duration value, List<String> problems) {
            if (value.isNegative() || value.isZero()) {
                problems.add(key(key) + "must be positive, got " + value.toMillis() + "ms");
            }
        }

        private static String key(ConfigKey key) {
            return key.fileKey() + " (" + key.envVar() + "): ";
        }

        /** The host name made into a valid node name, or "node" when there is none. */
        static String defaultNodeName() {
            String host = System.getenv("HOSTNAME");
            if (host == null || host.isBlank()) {
                try {
                    host = InetAddress.getLocalHost().getHostName();
                } catch (UnknownHostException e) {
                    host = null;
                }
            }
            if (host == null) {
                return "node";
            }
            StringBuilder name = new StringBuilder();
            for (char c : host.toCharArray()) {
                if (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.') {
                    name.append(c);
                }
            }
            return name.isEmpty() || name.length() > 128 ? "node" : name.toString();
        }
    }
}
