package io.cohort.chaos.cli;

import io.cohort.node.config.ConfigException;
import io.cohort.node.config.ConfigKey;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.tools.StandaloneNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cohort node}: one node in this process, configured by a file, the environment and flags (in that order). */
@Command(
        name = "node",
        mixinStandardHelpOptions = true,
        description = {
            "Runs one Cohort node until SIGTERM/SIGINT, printing a line for every membership view.",
            "Settings come from --config FILE (Properties or YAML), then COHORT_* environment variables, then flags."
        })
final class NodeCommand implements Callable<Integer> {

    @Option(names = "--config", description = "Properties or YAML file with node settings")
    Path config;

    @Option(names = "--name", description = "node name (default: host name)")
    String name;

    @Option(names = "--cluster", description = "cluster name (default: cohort)")
    String cluster;

    @Option(names = "--bind", description = "address to bind (default: 127.0.0.1)")
    String bind;

    @Option(names = "--port", description = "membership port (default: 7800)")
    String port;

    @Option(names = "--discovery", description = "TCPPING, DNS_PING, KUBE_PING or JDBC_PING2 (default: TCPPING)")
    String discovery;

    @Option(names = "--seeds", description = "TCPPING seeds, host:port,host:port")
    String seeds;

    @Option(names = "--secret-env", description = "name of an environment variable holding the cluster's shared secret")
    String secretEnv;

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        put(env, ConfigKey.NODE_NAME, name);
        put(env, ConfigKey.CLUSTER_NAME, cluster);
        put(env, ConfigKey.BIND_ADDRESS, bind);
        put(env, ConfigKey.BIND_PORT, port);
        put(env, ConfigKey.DISCOVERY, discovery);
        put(env, ConfigKey.SEEDS, seeds);
        if (secretEnv != null) {
            String secret = System.getenv(secretEnv);
            if (secret == null) {
                System.err.println("cohort node: environment variable " + secretEnv + " is not set");
                return 2;
            }
            put(env, ConfigKey.SHARED_SECRET, secret);
        }
        if (config != null) {
            env.put("COHORT_CONFIG", config.toString());
        }
        NodeConfig nodeConfig;
        try {
            nodeConfig = StandaloneNode.configFromEnvironment(env);
        } catch (ConfigException e) {
            System.err.println("cohort node: " + e.getMessage());
            return 2;
        }
        StandaloneNode.run(nodeConfig, List.of(), System.out);
        return 0;
    }

    private static void put(Map<String, String> env, ConfigKey key, String value) {
        if (value != null) {
            env.put(key.envVar(), value);
        }
    }
}
