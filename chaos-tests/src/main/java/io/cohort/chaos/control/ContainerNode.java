package io.cohort.chaos.control;

import io.cohort.node.Node;
import io.cohort.node.config.ConfigException;
import io.cohort.node.config.ConfigKey;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.runtime.Component;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.pg.PgScope;
import io.cohort.pg.ProcessGroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The main class of the Cohort node image: a {@link StandaloneNode} with process-group scopes and the chaos control
 * channel, configured from the environment.
 *
 * <table>
 *   <caption>Environment (besides the node's own {@code COHORT_*} keys)</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>COHORT_BIND_ADDRESS</td><td>the first non-loopback IPv4 address</td><td>as for any node; inside a
 *       container the default is the container's own address</td></tr>
 *   <tr><td>COHORT_PG_SCOPES</td><td>chaos</td><td>comma-separated pg scopes the node runs</td></tr>
 *   <tr><td>COHORT_CONTROL_PORT</td><td>7777</td><td>TCP port of the control channel, on every address;
 *       {@code off} serves none</td></tr>
 *   <tr><td>COHORT_CHAOS_BUG</td><td>-</td><td>a planted bug ({@link PgOperations#BUGS}), only for the harness's
 *       own tests</td></tr>
 * </table>
 */
public final class ContainerNode {

    public static final int DEFAULT_CONTROL_PORT = 7777;

    private ContainerNode() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.computeIfAbsent(ConfigKey.BIND_ADDRESS.envVar(), key -> firstSiteAddress());
        NodeConfig config;
        List<String> scopeNames;
        String bug = env.getOrDefault("COHORT_CHAOS_BUG", "").trim();
        try {
            config = StandaloneNode.configFromEnvironment(env);
            scopeNames = Arrays.stream(
                            env.getOrDefault("COHORT_PG_SCOPES", "chaos").split(","))
                    .map(String::trim)
                    .filter(name -> !name.isEmpty())
                    .distinct()
                    .toList();
            if (!bug.isEmpty() && !PgOperations.BUGS.contains(bug)) {
                throw new IllegalArgumentException("COHORT_CHAOS_BUG must be one of " + PgOperations.BUGS);
            }
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        String controlPort = env.getOrDefault("COHORT_CONTROL_PORT", Integer.toString(DEFAULT_CONTROL_PORT));
        Map<String, PgScope> scopes = new LinkedHashMap<>();
        scopeNames.forEach(name -> scopes.put(name, new PgScope(name)));
        List<Component> components = new ArrayList<>(scopes.values());
        ControlServer server = new ControlServer();
        StandaloneNode.run(config, components, System.out, node -> {
            if (!controlPort.equals("off")) {
                try {
                    serveControl(node, server, scopes, bug, Integer.parseInt(controlPort));
                } catch (RuntimeException e) {
                    // A node the harness cannot drive is of no use to it: say why and stop at once.
                    System.err.println("cohort: no control channel: " + e);
                    Runtime.getRuntime().halt(3);
                }
            }
        });
        server.close();
    }

    private static void serveControl(
            Node node, ControlServer server, Map<String, PgScope> scopes, String bug, int port) {
        Map<String, ProcessGroups> groups = new LinkedHashMap<>();
        scopes.forEach((name, scope) -> groups.put(name, new ProcessGroups(node, scope)));
        NodeOperations processes = new NodeOperations(node, List.of("node", "pg"), List.copyOf(scopes.keySet()), bug);
        processes.registerWith(server);
        new PgOperations(node, processes, groups, bug).registerWith(server);
        try {
            server.start(new InetSocketAddress(port));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the control channel on port " + port, e);
        }
    }

    /** The first IPv4 address that is not loopback: a container's address on its network. */
    static String firstSiteAddress() {
        try {
            for (NetworkInterface nic : NetworkInterface.networkInterfaces().toList()) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : nic.inetAddresses().toList()) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // Fall through to loopback.
        }
        return "127.0.0.1";
    }
}
