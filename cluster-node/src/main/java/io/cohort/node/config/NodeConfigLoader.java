package io.cohort.node.config;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Reads a {@link NodeConfig} from a Properties or YAML file and the environment (the environment wins). Every problem
 * found, in the file, the environment or the combination, is reported in one {@link ConfigException}. The keys are
 * documented in {@link ConfigKey}.
 *
 * <p>YAML is read with snakeyaml's {@code SafeConstructor}: only maps, lists and scalars, never arbitrary types; the
 * document size and alias count are bounded by {@code LoaderOptions}.
 */
public final class NodeConfigLoader {

    private static final int MAX_YAML_CODE_POINTS = 1 << 20;

    private NodeConfigLoader() {}

    /** Loads {@code file} (YAML when it ends in .yaml or .yml, Properties otherwise), then applies {@code env}. */
    public static NodeConfig load(Path file, Map<String, String> env) {
        List<String> problems = new ArrayList<>();
        Map<ConfigKey, String> values = readFile(file, problems);
        values.putAll(fromEnv(env));
        return toConfig(values, problems);
    }

    /** The configuration given by the environment alone (defaults for everything else). */
    public static NodeConfig fromEnvironment(Map<String, String> env) {
        return toConfig(fromEnv(env), new ArrayList<>());
    }

    /** The configuration given by a Properties object, reporting keys it does not know. */
    public static NodeConfig fromProperties(Properties properties, String source) {
        List<String> problems = new ArrayList<>();
        Map<String, String> flat = new TreeMap<>();
        for (String name : properties.stringPropertyNames()) {
            flat.put(name, properties.getProperty(name));
        }
        return toConfig(known(flat, source, problems), problems);
    }

    /** The configuration given by a YAML document, reporting keys it does not know. */
    public static NodeConfig fromYaml(String yaml, String source) {
        List<String> problems = new ArrayList<>();
        Map<ConfigKey, String> values = readYaml(new StringReader(yaml), source, problems);
        return toConfig(values, problems);
    }

    private static Map<ConfigKey, String> readFile(Path file, List<String> problems) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                return readYaml(reader, file.toString(), problems);
            }
            Properties properties = new Properties();
            properties.load(reader);
            Map<String, String> flat = new TreeMap<>();
            for (String key : properties.stringPropertyNames()) {
                flat.put(key, properties.getProperty(key));
            }
            return known(flat, file.toString(), problems);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configuration file " + file, e);
        }
    }

    private static Map<ConfigKey, String> readYaml(Reader reader, String source, List<String> problems) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(10);
        options.setCodePointLimit(MAX_YAML_CODE_POINTS);
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(reader);
        } catch (YAMLException e) {
            problems.add(source + ": not valid YAML: " + e.getMessage());
            return new EnumMap<>(ConfigKey.class);
        }
        Map<String, String> flat = new TreeMap<>();
        if (document instanceof Map<?, ?> map) {
            flatten("", map, flat);
        } else if (document != null) {
            problems.add(source + ": expected a mapping of configuration keys at the top level");
        }
        return known(flat, source, problems);
    }

    private static void flatten(String prefix, Map<?, ?> map, Map<String, String> out) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String key = prefix + entry.getKey();
            Object value = entry.getValue();
            if (value instanceof Map<?, ?> nested) {
                flatten(key + ".", nested, out);
            } else if (value instanceof List<?> list) {
                out.put(key, list.stream().map(String::valueOf).collect(Collectors.joining(",")));
            } else if (value != null) {
                out.put(key, String.valueOf(value));
            }
        }
    }

    private static Map<ConfigKey, String> known(Map<String, String> flat, String source, List<String> problems) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        flat.forEach((name, value) -> ConfigKey.byFileKey(name)
                .ifPresentOrElse(
                        key -> values.put(key, value.trim()),
                        () -> problems.add("unknown key '" + name + "' in " + source + "; did you mean '"
                                + ConfigKey.closestFileKey(name) + "'?")));
        return values;
    }

    private static Map<ConfigKey, String> fromEnv(Map<String, String> env) {
        Map<ConfigKey, String> values = new EnumMap<>(ConfigKey.class);
        for (ConfigKey key : ConfigKey.values()) {
            String value = env.get(key.envVar());
            if (value != null && !value.isBlank()) {
                values.put(key, value.trim());
            }
        }
        return values;
    }

    private static NodeConfig toConfig(Map<ConfigKey, String> values, List<String> problems) {
        NodeConfig.Builder builder = NodeConfig.builder();
        Parser parser = new Parser(values, problems);
        parser.string(ConfigKey.NODE_NAME, builder::nodeName);
        parser.integer(ConfigKey.NODE_INCARNATION, Long::parseLong, builder::incarnation);
        parser.string(ConfigKey.CLUSTER_NAME, builder::clusterName);
        parser.string(ConfigKey.BIND_ADDRESS, builder::bindAddress);
        parser.integer(ConfigKey.BIND_PORT, Integer::parseInt, builder::bindPort);
        parser.integer(ConfigKey.PORT_RANGE, Integer::parseInt, builder::portRange);
        parser.integer(ConfigKey.DATA_PORT, Integer::parseInt, builder::dataPort);
        parser.integer(ConfigKey.MAX_MESSAGE_BYTES, Integer::parseInt, builder::maxMessageBytes);
        parser.string(ConfigKey.SHARED_SECRET, builder::sharedSecret);
        builder.discovery(discovery(values, problems));
        builder.tls(tls(values, problems));
        NodeConfig.Timing d = NodeConfig.Timing.DEFAULT;
        builder.timing(new NodeConfig.Timing(
                parser.duration(ConfigKey.FD_TIMEOUT, d.fdTimeout()),
                parser.duration(ConfigKey.FD_INTERVAL, d.fdInterval()),
                parser.duration(ConfigKey.VERIFY_SUSPECT_TIMEOUT, d.verifySuspectTimeout()),
                parser.duration(ConfigKey.MERGE_MIN_INTERVAL, d.mergeMinInterval()),
                parser.duration(ConfigKey.MERGE_MAX_INTERVAL, d.mergeMaxInterval()),
                parser.duration(ConfigKey.JOIN_TIMEOUT, d.joinTimeout())));
        NodeConfig config = builder.buildCollecting(problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return config;
    }

    /** The data-plane TLS files: all three keys or none. */
    private static NodeConfig.Tls tls(Map<ConfigKey, String> values, List<String> problems) {
        List<ConfigKey> keys =
                List.of(ConfigKey.DATA_TLS_CERTIFICATE, ConfigKey.DATA_TLS_PRIVATE_KEY, ConfigKey.DATA_TLS_TRUST);
        long given = keys.stream().filter(values::containsKey).count();
        if (given == 0) {
            return null;
        }
        if (given < keys.size()) {
            problems.add("data-plane TLS needs all of "
                    + keys.stream().map(ConfigKey::fileKey).toList() + " (or none)");
            return null;
        }
        return new NodeConfig.Tls(
                Path.of(values.get(ConfigKey.DATA_TLS_CERTIFICATE)),
                Path.of(values.get(ConfigKey.DATA_TLS_PRIVATE_KEY)),
                Path.of(values.get(ConfigKey.DATA_TLS_TRUST)));
    }

    private static NodeConfig.Discovery discovery(Map<ConfigKey, String> values, List<String> problems) {
        DiscoveryKind kind = DiscoveryKind.TCPPING;
        String kindText = values.get(ConfigKey.DISCOVERY);
        if (kindText != null) {
            kind = DiscoveryKind.parse(kindText).orElse(null);
            if (kind == null) {
                problems.add(ConfigKey.DISCOVERY.fileKey() + " (" + ConfigKey.DISCOVERY.envVar()
                        + "): unknown discovery kind '" + kindText + "'; valid kinds are "
                        + DiscoveryKind.validNames());
                kind = DiscoveryKind.TCPPING;
            }
        }
        String seedText = values.get(ConfigKey.SEEDS);
        List<Seed> seeds = seedText == null ? List.of() : Seed.parseList(seedText, problems);
        return new NodeConfig.Discovery(
                kind,
                seeds,
                values.get(ConfigKey.DNS_QUERY),
                values.get(ConfigKey.DNS_RECORD_TYPE),
                values.get(ConfigKey.KUBE_NAMESPACE),
                values.get(ConfigKey.KUBE_LABELS),
                values.get(ConfigKey.JDBC_URL),
                values.get(ConfigKey.JDBC_USER),
                values.get(ConfigKey.JDBC_PASSWORD));
    }

    /** Converts raw strings, recording one problem per value it cannot read. */
    private record Parser(Map<ConfigKey, String> values, List<String> problems) {

        void string(ConfigKey key, Consumer<String> setter) {
            String value = values.get(key);
            if (value != null) {
                setter.accept(value);
            }
        }

        <T> void integer(ConfigKey key, Function<String, T> parse, Consumer<T> setter) {
            String value = values.get(key);
            if (value == null) {
                return;
            }
            try {
                setter.accept(parse.apply(value));
            } catch (NumberFormatException e) {
                problems.add(key.fileKey() + " (" + key.envVar() + "): not a number: '" + value + "'");
            }
        }

        Duration duration(ConfigKey key, Duration fallback) {
            String value = values.get(key);
            if (value == null) {
                return fallback;
            }
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                problems.add(key.fileKey() + " (" + key.envVar() + "): not a duration: '" + value
                        + "' (write e.g. 500ms, 3s, 1m, or a number of milliseconds)");
                return fallback;
            }
        }
    }

    /** Reads {@code 500ms}, {@code 3s}, {@code 1m}, ISO-8601 ({@code PT3S}) or a bare number of milliseconds. */
    static Duration parseDuration(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (value.startsWith("pt")) {
                return Duration.parse(value.toUpperCase(Locale.ROOT));
            }
            if (value.endsWith("ms")) {
                return Duration.ofMillis(
                        Long.parseLong(value.substring(0, value.length() - 2).trim()));
            }
            if (value.endsWith("s")) {
                return Duration.ofSeconds(
                        Long.parseLong(value.substring(0, value.length() - 1).trim()));
            }
            if (value.endsWith("m")) {
                return Duration.ofMinutes(
                        Long.parseLong(value.substring(0, value.length() - 1).trim()));
            }
            return Duration.ofMillis(Long.parseLong(value));
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: " + text, e);
        }
    }
}
