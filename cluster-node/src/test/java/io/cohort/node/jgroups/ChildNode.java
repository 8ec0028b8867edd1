package io.cohort.node.jgroups;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.runtime.ControlPlane;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A control plane in its own JVM, for tests that kill a node for real ({@code Process.destroyForcibly}, i.e. SIGKILL).
 * Arguments: cluster name, node name, bind port, seed ports, shared secret ("-" for none). It stays up until it is killed, its parent goes away
 * (standard input closes) or 60 s pass, so a crashed test run leaves nothing behind.
 */
public final class ChildNode {

    private ChildNode() {}

    public static void main(String[] args) throws Exception {
        String cluster = args[0];
        String name = args[1];
        int port = Integer.parseInt(args[2]);
        List<Seed> seeds = Arrays.stream(args[3].split(","))
                .map(p -> new Seed("127.0.0.1", Integer.parseInt(p)))
                .toList();
        NodeConfig config = NodeConfig.builder()
                .nodeName(name)
                .clusterName(cluster)
                .bindAddress("127.0.0.1")
                .bindPort(port)
                .portRange(0)
                .seeds(seeds)
                .timing(TestNodes.TIMING)
                .sharedSecret(args.length > 4 && !args[4].equals("-") ? args[4] : null)
                .build();
        JGroupsControlPlane plane = JGroupsControlPlane.builder(config)
                .attributes(Map.of("role", "child"))
                .build();
        plane.start(new ControlPlane.Listener() {
            @Override
            public void onView(MembershipView view) {
                System.out.println("VIEW " + view);
            }

            @Override
            public void onMessage(NodeId from, String component, byte[] payload) {}
        });
        System.out.println("READY " + plane.self());
        System.out.flush();
        Thread watchdog = Thread.ofVirtual().start(() -> {
            try {
                while (System.in.read() >= 0) {
                    // Drain until the parent closes our stdin.
                }
            } catch (java.io.IOException ignored) {
                // A broken pipe means the parent is gone, which is what we wait for.
            }
        });
        watchdog.join(Duration.ofSeconds(60));
        plane.close();
        System.exit(0);
    }
}
