package io.cohort.node.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigLoaderTest {

    @TempDir
    Path dir;

    private static NodeConfig env(Map<String, String> env) {
        return NodeConfigLoader.fromEnvironment(env);
    }

    private static List<String> problemsOf(Runnable load) {
        try {
            load.run();
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected a ConfigException");
    }

    @Test
    void defaultsNeedOnlySeeds() {
        NodeConfig config = env(Map.of("COHORT_SEEDS", "127.0.0.1:7800"));
        assertThat(config.clusterName()).isEqualTo("cohort");
        assertThat(config.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(config.bindPort()).isEqualTo(7800);
        assertThat(config.portRange()).isEqualTo(10);
        assertThat(config.discovery().kind()).isEqualTo(DiscoveryKind.TCPPING);
        assertThat(config.discovery().seeds()).containsExactly(new Seed("127.0.0.1", 7800));
        assertThat(config.timing()).isEqualTo(NodeConfig.Timing.DEFAULT);
        assertThat(config.timing().fdTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.sharedSecret()).isEmpty();
        assertThat(config.dataPort()).isZero();
        assertThat(config.maxMessageBytes()).isEqualTo(8 * 1024 * 1024);
        assertThat(config.tls()).isEmpty();
        assertThat(config.nodeName()).isNotEmpty();
        assertThat(config.incarnation()).isEmpty();
    }

    @Test
    void readsPropertiesFileAndEnvironmentOverridesIt() throws IOException {
        Path file = dir.resolve("node.properties");
        Files.writeString(file, """
                node.name=alpha
                cluster.name=blue
                bind.port=7900
                discovery.seeds=127.0.0.1:7900, [::1]:7901
                fd.timeout=4s
                fd.interval=500ms
                security.shared-secret=0123456789abcdef
                """);
        NodeConfig config =
                NodeConfigLoader.load(file, Map.of("COHORT_BIND_PORT", "7950", "COHORT_FD_TIMEOUT_MS", "2500"));
        assertThat(config.nodeName()).isEqualTo("alpha");
        assertThat(config.clusterName()).isEqualTo("blue");
        assertThat(config.bindPort()).isEqualTo(7950);
        assertThat(config.discovery().seeds()).containsExactly(new Seed("127.0.0.1", 7900), new Seed("::1", 7901));
        assertThat(config.timing().fdTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(config.timing().fdInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.sharedSecret()).contains("0123456789abcdef");
        assertThat(config.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void readsNestedYamlWithSeedList() throws IOException {
        Path file = dir.resolve("node.yaml");
        Files.writeString(file, """
                node:
                  name: beta
                  incarnation: 42
                cluster:
                  name: green
                discovery:
                  kind: tcpping
                  seeds: ["127.0.0.1:7800", "127.0.0.1:7801"]
                merge:
                  min-interval: 2s
                  max-interval: 5s
                data:
                  port: 9000
                """);
        NodeConfig config = NodeConfigLoader.load(file, Map.of());
        assertThat(config.nodeName()).isEqualTo("beta");
        assertThat(config.incarnation()).hasValue(42);
        assertThat(config.clusterName()).isEqualTo("green");
        assertThat(config.discovery().seeds()).hasSize(2);
        assertThat(config.timing().mergeMaxInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.dataPort()).isEqualTo(9000);
    }

    @Test
    void yamlNeverConstructsArbitraryTypes() {
        List<String> problems = problemsOf(() -> NodeConfigLoader.fromYaml(
                "node: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]",
                "evil.yaml"));
        assertThat(problems).anySatisfy(p -> assertThat(p).contains("evil.yaml").contains("not valid YAML"));
    }

    @Test
    void portOutOfRangeAndNotANumber() {
        List<String> problems = problemsOf(() ->
                env(Map.of("COHORT_SEEDS", "127.0.0.1:7800", "COHORT_BIND_PORT", "70000", "COHORT_DATA_PORT", "http")));
        assertThat(problems)
                .anySatisfy(p ->
                        assertThat(p).contains("bind.port").contains("1..65535").contains("70000"))
                .anySatisfy(p -> assertThat(p)
                        .contains("data.port")
                        .contains("not a number")
                        .contains("'http'"));
    }

    @Test
    void unknownDiscoveryKindNamesTheValidOnes() {
        List<String> problems =
                problemsOf(() -> env(Map.of("COHORT_DISCOVERY", "MULTICAST", "COHORT_SEEDS", "127.0.0.1:7800")));
        assertThat(problems)
                .singleElement()
                .asString()
                .contains("'MULTICAST'")
                .contains("TCPPING, DNS_PING, KUBE_PING, JDBC_PING2");
    }

    @Test
    void tcpPingWithoutSeeds() {
        List<String> problems = problemsOf(() -> env(Map.of()));
        assertThat(problems)
                .singleElement()
                .asString()
                .contains("discovery.seeds")
                .contains("at least one seed");
    }

    @Test
    void malformedSeedIsNamed() {
        List<String> problems = problemsOf(() -> env(Map.of("COHORT_SEEDS", "127.0.0.1:7800,localhost,h:x,::1:7800")));
        assertThat(problems)
                .hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("'localhost'").contains("host:port"))
                .anySatisfy(p -> assertThat(p).contains("'h:x'").contains("not a number"))
                .anySatisfy(p -> assertThat(p).contains("'::1:7800'").contains("brackets"));
    }

    @Test
    void fdIntervalMustBeBelowTimeout() {
        List<String> problems = problemsOf(() -> env(Map.of(
                "COHORT_SEEDS", "127.0.0.1:7800", "COHORT_FD_TIMEOUT_MS", "1000", "COHORT_FD_INTERVAL_MS", "1000")));
        assertThat(problems).singleElement().asString().contains("fd.interval").contains("must be below fd.timeout");
    }

    @Test
    void dataPlaneTlsNeedsAllThreeReadableFiles() throws IOException {
        Path cert = java.nio.file.Files.writeString(dir.resolve("node.crt"), "cert");
        Path key = java.nio.file.Files.writeString(dir.resolve("node.key"), "key");
        NodeConfig config = env(Map.of(
                "COHORT_SEEDS", "127.0.0.1:7800",
                "COHORT_DATA_TLS_CERTIFICATE", cert.toString(),
                "COHORT_DATA_TLS_PRIVATE_KEY", key.toString(),
                "COHORT_DATA_TLS_TRUST", cert.toString()));
        assertThat(config.tls()).contains(new NodeConfig.Tls(cert, key, cert));
        assertThat(config.toString()).contains("tls=<set>");

        assertThat(problemsOf(() ->
                        env(Map.of("COHORT_SEEDS", "127.0.0.1:7800", "COHORT_DATA_TLS_CERTIFICATE", cert.toString()))))
                .singleElement()
                .asString()
                .contains("data.tls.private-key");
        assertThat(problemsOf(() -> env(Map.of(
                        "COHORT_SEEDS", "127.0.0.1:7800",
                        "COHORT_DATA_TLS_CERTIFICATE", cert.toString(),
                        "COHORT_DATA_TLS_PRIVATE_KEY",
                                dir.resolve("missing.key").toString(),
                        "COHORT_DATA_TLS_TRUST", cert.toString()))))
                .singleElement()
                .asString()
                .contains("missing.key");
    }

    @Test
    void secretShorterThan16Characters() {
        List<String> problems =
                problemsOf(() -> env(Map.of("COHORT_SEEDS", "127.0.0.1:7800", "COHORT_SHARED_SECRET", "short")));
        assertThat(problems)
                .singleElement()
                .asString()
                .contains("security.shared-secret")
                .contains("at least 16")
                .doesNotContain("short");
    }

    @Test
    void unknownKeyInFileSuggestsTheClosest() throws IOException {
        Path file = dir.resolve("node.yml");
        Files.writeString(file, """
                discovery:
                  seeds: 127.0.0.1:7800
                fd:
                  timout: 3s
                """);
        List<String> problems = problemsOf(() -> NodeConfigLoader.load(file, Map.of()));
        assertThat(problems)
                .singleElement()
                .asString()
                .contains("unknown key 'fd.timout'")
                .contains(file.toString())
                .contains("did you mean 'fd.timeout'");
    }

    @Test
    void unknownPropertyKeySuggestsTheClosest() {
        Properties properties = new Properties();
        properties.setProperty("discovery.seeds", "127.0.0.1:7800");
        properties.setProperty("bind.prot", "7800");
        List<String> problems = problemsOf(() -> NodeConfigLoader.fromProperties(properties, "test.properties"));
        assertThat(problems).singleElement().asString().contains("'bind.prot'").contains("'bind.port'");
    }

    @Test
    void reportsAllProblemsAtOnce() {
        ConfigException error = (ConfigException) org.assertj.core.api.Assertions.catchThrowable(() -> env(Map.of(
                "COHORT_BIND_PORT", "0",
                "COHORT_DISCOVERY", "TCPPING",
                "COHORT_FD_INTERVAL_MS", "5000",
                "COHORT_SHARED_SECRET", "x",
                "COHORT_NODE_NAME", "bad name")));
        assertThat(error.problems()).hasSize(5);
        assertThat(error.getMessage()).startsWith("invalid node configuration (5 problems):");
    }

    @Test
    void otherDiscoveryKindsNeedTheirSettings() {
        assertThat(problemsOf(() -> env(Map.of("COHORT_DISCOVERY", "dns-ping", "COHORT_DNS_RECORD_TYPE", "MX"))))
                .hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("needs a query"))
                .anySatisfy(p -> assertThat(p).contains("A or SRV"));
        assertThat(problemsOf(() -> env(Map.of("COHORT_DISCOVERY", "JDBC_PING2"))))
                .singleElement()
                .asString()
                .contains("connection URL");
        NodeConfig kube = env(Map.of("COHORT_DISCOVERY", "KUBE_PING", "COHORT_KUBE_LABELS", "app=cohort"));
        assertThat(kube.discovery().kind()).isEqualTo(DiscoveryKind.KUBE_PING);
        assertThat(kube.discovery().kubeNamespace()).isEqualTo("default");
    }

    @Test
    void durationsTakeUnits() {
        assertThat(NodeConfigLoader.parseDuration("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(NodeConfigLoader.parseDuration("3s")).isEqualTo(Duration.ofSeconds(3));
        assertThat(NodeConfigLoader.parseDuration("1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(NodeConfigLoader.parseDuration("PT2S")).isEqualTo(Duration.ofSeconds(2));
        assertThat(NodeConfigLoader.parseDuration("1500")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> NodeConfigLoader.parseDuration("soon")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void builderValidatesToo() {
        assertThatThrownBy(() -> NodeConfig.builder()
                        .nodeName("a")
                        .seeds(List.of(new Seed("127.0.0.1", 7800)))
                        .bindPort(-1)
                        .build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bind.port");
    }
}
