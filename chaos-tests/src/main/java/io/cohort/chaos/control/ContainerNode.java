package io.cohort.chaos.control;

import io.cohort.node.Node;
import io.cohort.node.config.ConfigException;
import io.cohort.node.config.ConfigKey;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.runtime.Component;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.pg.PgScope;
import io.cohort.pg.ProcessGroups;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryServer;
import io.cohort.supervisor.SpecStore;
import io.cohort.supervisor.SupervisorServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The main class of the Cohort node image: a {@link StandaloneNode} with process-group scopes, the registry
 * {@value RegistryOperations#REGISTRY}, the distributed supervisor {@value SupervisorOperations#SUPERVISOR} (its
 * children named in the registry {@value SupervisorOperations#NAMES}) and the chaos control channel, configured from
 * the environment.
 *
 * <p>Planted bugs exist only here, in the harness's node image, never in the pg, registry or supervisor modules: they
 * swap in a faulty policy or answer through the control channel, and only when {@code COHORT_CHAOS_BUG} names one
 * (an unknown name stops the node). A node running one says so on its first output line and in every {@code Pong}.
 *
 * <table>
 *   <caption>Environment (besides the node's own {@code COHORT_*} keys)</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>COHORT_BIND_ADDRESS</td><td>the first non-loopback IPv4 address</td><td>as for any node; inside a
 *       container the default is the container's own address</td></tr>
 *   <tr><td>COHORT_PG_SCOPES</td><td>chaos</td><td>comma-separated pg scopes the node runs</td></tr>
 *   <tr><td>COHORT_CONTROL_PORT</td><td>7777</td><td>TCP port of the control channel, on every address;
 *       {@code off} serves none</td></tr>
 *   <tr><td>COHORT_CHAOS_BUG</td><td>-</td><td>a planted bug ({@link #BUGS}), only for the harness's own tests</td></tr>
 * </table>
 */
public final class ContainerNode {

    public static final int DEFAULT_CONTROL_PORT = 7777;

    /** Every bug a node of the image can plant. */
    public static final List<String> BUGS = Stream.of(
                    PgOperations.BUGS, RegistryOperations.BUGS, SupervisorOperations.BUGS)
            .flatMap(List::stream)
            .toList();

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
            if (!bug.isEmpty() && !BUGS.contains(bug)) {
                throw new IllegalArgumentException("COHORT_CHAOS_BUG must be one of " + BUGS);
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
        // The registries before the supervisor, so a view reaches them first.
        RegistryServer names = new RegistryServer(
                RegistryOperations.REGISTRY,
                RegistryServer.Options.defaults().withConflictPolicy(RegistryOperations.conflictPolicy(bug)));
        RegistryServer childNames = new RegistryServer(SupervisorOperations.NAMES);
        SupervisorServer children = new SupervisorServer(
                SupervisorOperations.SUPERVISOR, SupervisorOperations.options(bug, config.nodeName()));
        String stateDir = env.getOrDefault("COHORT_SUPERVISOR_STATE_DIR", "").trim();
        if (!stateDir.isEmpty()) {
            // Durable specs in the container's own filesystem: a restart of the container (a new incarnation) finds
            // them again, so a restart of every node brings the children back.
            children.durable(SpecStore.inDirectory(Path.of(stateDir), SupervisorOperations.SUPERVISOR));
        }
        components.add(names);
        components.add(childNames);
        components.add(children);
        if (!bug.isEmpty()) {
            System.out.println(
                    "cohort: PLANTED BUG " + bug + " (chaos harness self-test; never use this node otherwise)");
        }
        ControlServer server = new ControlServer();
        Subsystems subsystems = new Subsystems(scopes, names, childNames, children);
        StandaloneNode.run(config, components, System.out, node -> {
            if (!controlPort.equals("off")) {
                try {
                    serveControl(node, server, subsystems, bug, Integer.parseInt(controlPort));
                } catch (RuntimeException e) {
                    // A node the harness cannot drive is of no use to it: say why and stop at once.
                    System.err.println("cohort: no control channel: " + e);
                    Runtime.getRuntime().halt(3);
                }
            }
        });
        server.close();
    }

    /** The node's components the control channel drives. */
    private record Subsystems(
            Map<String, PgScope> scopes, RegistryServer names, RegistryServer childNames, SupervisorServer children) {}

    private static void serveControl(Node node, ControlServer server, Subsystems subsystems, String bug, int port) {
        Map<String, ProcessGroups> groups = new LinkedHashMap<>();
        subsystems.scopes().forEach((name, scope) -> groups.put(name, new ProcessGroups(node, scope)));
        NodeOperations processes = new NodeOperations(
                node,
                List.of("node", "pg", "registry", "supervisor"),
                List.copyOf(subsystems.scopes().keySet()),
                bug);
        processes.registerWith(server);
        new PgOperations(node, processes, groups, bug).registerWith(server);
        new RegistryOperations(node, new Registry(node, subsystems.names())).registerWith(server);
        new SupervisorOperations(node, subsystems.children(), new Registry(node, subsystems.childNames()))
                .registerWith(server);
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
