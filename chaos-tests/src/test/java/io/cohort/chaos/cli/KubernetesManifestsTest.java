package io.cohort.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.config.ConfigKey;
import io.cohort.node.config.DiscoveryKind;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.NodeConfigLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes example manifests of docs/deploy/kubernetes: they parse, use only environment variables the node
 * (or its launcher) reads, make a configuration the node accepts, and discover through the headless Service they
 * define. There is no Kubernetes here, so this is as far as they are checked.
 */
class KubernetesManifestsTest {

    /** Read by the launcher scripts of the distribution, not by the node's configuration. */
    private static final Set<String> LAUNCHER_VARIABLES = Set.of("COHORT_JAVA_OPTS", "JAVA_HOME");

    @Test
    void theStatefulSetDiscoversItsPeersThroughTheHeadlessService() throws IOException {
        Map<String, Object> service = only("Service");
        Map<String, Object> statefulSet = only("StatefulSet");
        String serviceName = string(service, "metadata", "name");
        assertThat(string(service, "spec", "clusterIP")).isEqualTo("None");
        assertThat(string(statefulSet, "spec", "serviceName")).isEqualTo(serviceName);

        Map<String, Object> container = container(statefulSet);
        Map<String, String> env = literalEnv(container);
        assertThat(env.get("COHORT_DISCOVERY")).isEqualTo("DNS_PING");
        String query = env.get("COHORT_DNS_QUERY");
        assertThat(query).startsWith(serviceName + ".").endsWith(".svc.cluster.local");

        // The Service selects the pods the StatefulSet makes, and exposes the port the node binds.
        assertThat(map(service, "spec", "selector")).isEqualTo(map(statefulSet, "spec", "selector", "matchLabels"));
        List<Integer> containerPorts = list(container, "ports").stream()
                .map(p -> (Integer) ((Map<?, ?>) p).get("containerPort"))
                .toList();
        assertThat(containerPorts)
                .contains(Integer.parseInt(env.get("COHORT_BIND_PORT")), Integer.parseInt(env.get("COHORT_DATA_PORT")));
        List<Integer> servicePorts = list(service, "spec", "ports").stream()
                .map(p -> (Integer) ((Map<?, ?>) p).get("port"))
                .toList();
        assertThat(servicePorts).containsAll(containerPorts);
    }

    @Test
    void everyEnvironmentVariableIsOneTheNodeReadsAndTheirValuesMakeAValidConfiguration() throws IOException {
        Map<String, Object> container = container(only("StatefulSet"));
        Set<String> accepted =
                Arrays.stream(ConfigKey.values()).map(ConfigKey::envVar).collect(Collectors.toSet());
        Map<String, String> env = new HashMap<>();
        for (Object item : list(container, "env")) {
            Map<?, ?> variable = (Map<?, ?>) item;
            String name = (String) variable.get("name");
            assertThat(accepted.contains(name) || LAUNCHER_VARIABLES.contains(name))
                    .as("%s is neither a ConfigKey variable nor one the launcher reads", name)
                    .isTrue();
            if (LAUNCHER_VARIABLES.contains(name)) {
                continue;
            }
            // What Kubernetes fills in from the pod and the Secret: plausible stand-ins.
            Object value = variable.get("value");
            if (value == null) {
                Map<?, ?> from = (Map<?, ?>) variable.get("valueFrom");
                if (from.containsKey("fieldRef")) {
                    String path = (String) ((Map<?, ?>) from.get("fieldRef")).get("fieldPath");
                    value = path.equals("status.podIP") ? "10.1.2.3" : "cohort-0";
                } else {
                    value = "a-shared-secret-of-32-characters";
                }
            }
            env.put(name, value.toString());
        }
        NodeConfig config = NodeConfigLoader.fromEnvironment(env);
        assertThat(config.discovery().kind()).isEqualTo(DiscoveryKind.DNS_PING);
        assertThat(config.nodeName()).isEqualTo("cohort-0");
    }

    private static Path manifests() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/deploy/kubernetes");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "no docs/deploy/kubernetes above " + Path.of("").toAbsolutePath());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> only(String kind) throws IOException {
        List<Map<String, Object>> found = new ArrayList<>();
        try (var files = Files.list(manifests())) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                for (Object document : new Yaml().loadAll(Files.readString(file))) {
                    if (document instanceof Map<?, ?> map && kind.equals(map.get("kind"))) {
                        found.add((Map<String, Object>) map);
                    }
                }
            }
        }
        assertThat(found).as("manifests of kind %s", kind).hasSize(1);
        return found.get(0);
    }

    private static Map<String, Object> container(Map<String, Object> statefulSet) {
        List<?> containers = list(statefulSet, "spec", "template", "spec", "containers");
        assertThat(containers).hasSize(1);
        @SuppressWarnings("unchecked")
        Map<String, Object> container = (Map<String, Object>) containers.get(0);
        return container;
    }

    private static Map<String, String> literalEnv(Map<String, Object> container) {
        Map<String, String> env = new HashMap<>();
        for (Object item : list(container, "env")) {
            Map<?, ?> variable = (Map<?, ?>) item;
            if (variable.get("value") != null) {
                env.put((String) variable.get("name"), variable.get("value").toString());
            }
        }
        return env;
    }

    private static Object at(Map<String, Object> root, String... path) {
        Object node = root;
        for (String key : path) {
            assertThat(node).as("%s in %s", key, String.join(".", path)).isInstanceOf(Map.class);
            node = ((Map<?, ?>) node).get(key);
        }
        assertThat(node).as(String.join(".", path)).isNotNull();
        return node;
    }

    private static String string(Map<String, Object> root, String... path) {
        return at(root, path).toString();
    }

    private static Map<?, ?> map(Map<String, Object> root, String... path) {
        return (Map<?, ?>) at(root, path);
    }

    private static List<?> list(Map<String, Object> root, String... path) {
        return (List<?>) at(root, path);
    }
}
