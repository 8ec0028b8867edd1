package io.cohort.node.tools;

import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Configurations for a cluster of nodes in one JVM on 127.0.0.1: each on a free port, every node a seed of the
 * others, the cluster name unique to this process. For tests and examples that run components on real JGroups and
 * Netty: {@code for (NodeConfig c : LoopbackNodes.configs("pg", "p", 3)) Node.builder(c).component(...).start();}
 */
public final class LoopbackNodes {

    private LoopbackNodes() {}

    /** {@code count} configurations named {@code prefix1..prefixN} in the cluster {@code cluster-<pid>}. */
    public static List<NodeConfig> configs(String cluster, String prefix, int count) {
        List<Integer> ports = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ports.add(freePort());
        }
        List<Seed> seeds =
                ports.stream().map(port -> new Seed("127.0.0.1", port)).toList();
        String name = cluster + "-" + ProcessHandle.current().pid();
        List<NodeConfig> configs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            configs.add(NodeConfig.builder()
                    .nodeName(prefix + (i + 1))
                    .clusterName(name)
                    .bindPort(ports.get(i))
                    .portRange(0)
                    .seeds(seeds)
                    .build());
        }
        return configs;
    }

    /** A TCP port on the loopback interface that was free a moment ago. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on the loopback interface", e);
        }
    }
}
