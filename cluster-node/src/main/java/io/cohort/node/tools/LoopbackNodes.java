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
        List<Integer> ports = reservePorts(count);
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

    /** Where FD_SOCK2 (under JGroups' defaults) puts its liveness socket: the bind port plus 100, up to 3 more. */
    private static final int FD_SOCK_OFFSET = 100;

    private static final int FD_SOCK_RANGE = 4;

    /** How many ports below the kernel's ephemeral range {@link #reservePorts} picks from. */
    private static final int WINDOW = 12_000;

    /**
     * {@code count} distinct TCP ports on the loopback interface that were free a moment ago, for nodes that bind them
     * later. They lie below the kernel's ephemeral range, so nothing that binds port 0 or connects out in the meantime
     * can take one; a port picked by binding port 0 could (a Netty data plane on an ephemeral port once took the
     * JGroups port of a node that had not started yet, and that node never came up). The ports FD_SOCK2 derives from
     * each one are free as well and clear of the others'. Random within the window, so concurrent runs rarely meet.
     */
    public static List<Integer> reservePorts(int count) {
        int ephemeralLow = ephemeralRangeStart();
        int windowStart = Math.max(1024, ephemeralLow - WINDOW);
        int windowSize = ephemeralLow - FD_SOCK_OFFSET - FD_SOCK_RANGE - windowStart;
        if (windowSize < 100 * count) {
            List<Integer> ports = new ArrayList<>(); // no room below the ephemeral range: let the kernel choose
            for (int i = 0; i < count; i++) {
                ports.add(freePort());
            }
            return ports;
        }
        List<Integer> ports = new ArrayList<>();
        java.util.Set<Integer> taken = new java.util.HashSet<>();
        int offset = java.util.concurrent.ThreadLocalRandom.current().nextInt(windowSize);
        for (int tried = 0; tried < windowSize && ports.size() < count; tried++) {
            int port = windowStart + (offset + tried * 7) % windowSize;
            List<Integer> uses = new ArrayList<>(List.of(port));
            for (int i = 0; i < FD_SOCK_RANGE; i++) {
                uses.add(port + FD_SOCK_OFFSET + i);
            }
            if (uses.stream().noneMatch(taken::contains) && uses.stream().allMatch(LoopbackNodes::bindable)) {
                ports.add(port);
                taken.addAll(uses);
            }
        }
        if (ports.size() < count) {
            throw new IllegalStateException("only " + ports.size() + " of " + count + " free ports on loopback in "
                    + windowStart + ".." + (windowStart + windowSize));
        }
        return ports;
    }

    /** The first port of Linux's ephemeral range, or 32768 (the usual start, and IANA's is higher) elsewhere. */
    static int ephemeralRangeStart() {
        try {
            // readAllLines: procfs files report a size of 0, and readString returned just "3" of "32768 60999".
            String range = java.nio.file.Files.readAllLines(
                            java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32768;
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
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
