package io.cohort.node.jgroups;

import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import io.cohort.node.runtime.Metrics;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.Discovery;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.JDBC_PING2;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SERIALIZE;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UFC;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.dns.DNS_PING;
import org.jgroups.protocols.kubernetes.KUBE_PING;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.stack.Protocol;

/**
 * The reviewed JGroups stack of a Cohort node, built in code so every protocol and setting is visible here and in
 * docs/membership.md (keep the two in step). Listed bottom to top, the order JGroups expects:
 *
 * <pre>
 * TCP              transport; no IP multicast needed, virtual threads, diagnostics off
 * DISCARD          tests and chaos only: drop traffic from chosen members to simulate a partition
 * SYM_ENCRYPT      shared secret only: everything above (discovery too) is encrypted
 * SERIALIZE        shared secret only: the whole message, headers included, becomes the encrypted payload
 * TCPPING | DNS_PING | KUBE_PING | JDBC_PING2   discovery
 * MERGE3           finds coordinators of other subgroups after a partition heals and merges the views
 * FD_ALL3          heartbeats: suspects a member silent for fdTimeout (hung, paused, partitioned)
 * VERIFY_SUSPECT2  double-checks FD_ALL3's suspicions for verifySuspectTimeout before GMS acts
 * FD_SOCK2         a TCP ring of liveness sockets: a closed socket (crash, kill -9) is suspected at once (PromptFdSock)
 * NAKACK2          reliable, ordered multicast (GMS views, STABLE); retransmission on gaps
 * UNICAST3         reliable, per-sender FIFO unicast: the guarantee Transport promises
 * STABLE           garbage-collects NAKACK2's retransmission buffers once every member has a message
 * AUTH             shared secret only: joins and merges must carry an HMAC proof
 * GMS              group membership: joins, leaves, suspicions become views; merges become MergeViews
 * UFC              per-destination credit flow control: bounds what a fast sender piles up at a slow receiver
 * FRAG4            fragments large messages so they fit UFC credits and do not monopolise a connection
 * </pre>
 */
final class MembershipStack {

    /** The protocols, bottom first, and the fault injector when one was asked for. */
    record Built(List<Protocol> protocols, DISCARD faults) {}

    /** The largest TCP frame accepted: a bundle is at most 64 KB, so this leaves ample room. */
    static final int MAX_FRAME_BYTES = 1 << 20;

    /**
     * How often NAKACK2 and UNICAST3 look for messages to retransmit (JGroups: 1 s and 500 ms). Over TCP a message is
     * lost only when a connection breaks or a partition drops it; the first messages after a heal wait behind that
     * lost one until it is retransmitted. Seen: a registry's digest answers held 600 ms after a merge view by
     * messages dropped when the partition began. Checking costs one pass over the open connections.
     */
    static final long RETRANSMIT_INTERVAL_MS = 100;

    private MembershipStack() {}

    static Built build(NodeConfig config, boolean faultInjection, Metrics metrics, RateLimitedLog log)
            throws UnknownHostException {
        NodeConfig.Timing timing = config.timing();
        List<Protocol> stack = new ArrayList<>();

        TCP tcp = new TCP();
        tcp.setBindAddr(InetAddress.getByName(config.bindAddress()));
        tcp.setBindPort(config.bindPort());
        // Ports above bindPort are tried when it is taken, so several nodes can share one host's defaults.
        tcp.setPortRange(config.portRange());
        // Receiver threads and the thread pool are virtual: blocking in JGroups' delivery costs no platform thread.
        tcp.useVirtualThreads(true);
        // Control messages are small and latency-bound (views, pg deltas); the bundler already batches under load.
        tcp.setValue("tcp_nodelay", true);
        // A connect to a dead host must not stall a sender for the default 2 s.
        tcp.setSockConnTimeout(300);
        // A frame is one bundle (at most 64 KB): a peer announcing a larger length is cut off instead of making us
        // allocate whatever it claims.
        tcp.setMaxLength(MAX_FRAME_BYTES);
        stack.add(tcp);

        DISCARD faults = null;
        if (faultInjection) {
            // Directly above the transport, so a simulated partition drops discovery, heartbeats and data alike.
            faults = new DISCARD();
            stack.add(faults);
        }

        if (config.sharedSecret().isPresent()) {
            SharedSecret keys = SharedSecret.derive(config.sharedSecret().get(), config.clusterName());
            // Low in the stack, below discovery: a node with another secret cannot even see who is there, so it
            // never triggers merge attempts. Empty messages (heartbeats) carry only a key-version header; AUTH
            // below GMS is what keeps a forged, empty JOIN_REQ out.
            stack.add(new SecretEncryption(keys.encryptionKey(), metrics, log));
            // Wraps the whole message (headers, flags, addresses) into the payload SYM_ENCRYPT encrypts, so every
            // message, heartbeats included, is encrypted and authenticated by the key: a forged header is dropped
            // as unencrypted, and a node without the secret never parses ciphertext as discovery data.
            stack.add(new SERIALIZE());
            stack.add(discovery(config));
            addMiddle(stack, timing);
            ClassConfigurator.addIfAbsent(HmacAuthToken.MAGIC_NUMBER, HmacAuthToken.class);
            Metrics.Counter rejected = metrics.counter("membership.security.dropped", "reason", "auth_failed");
            AUTH auth = new AUTH();
            auth.setAuthToken(new HmacAuthToken(keys.authenticationKey(), config.clusterName(), () -> {
                rejected.increment();
                log.warn("security.auth", () -> "refused a join or merge whose proof of the shared secret was wrong");
            }));
            auth.getAuthToken().setAuth(auth);
            stack.add(auth);
        } else {
            stack.add(discovery(config));
            addMiddle(stack, timing);
        }

        GMS gms = new GMS();
        gms.setJoinTimeout(timing.joinTimeout().toMillis());
        // A node that cannot reach a coordinator becomes a singleton after this many attempts; MERGE3 folds it in
        // once the others are reachable. Few attempts keep a start-up against an unreachable cluster short.
        gms.setMaxJoinAttempts(5);
        // Views are installed on receipt; the coordinator only waits this long for acks of members that died
        // in the meantime (they are suspected and skipped), so it bounds how long one slow member delays the next.
        gms.setViewAckCollectionTimeout(1000);
        gms.printLocalAddress(false);
        gms.setValue("print_physical_addrs", false);
        stack.add(gms);

        UFC ufc = new UFC();
        // 2 MiB per destination before the receiver must grant more; a sender blocks at most max_block_time (5 s
        // by default) and then sends anyway, so a dead receiver cannot wedge a sender for longer.
        ufc.setValue("max_credits", 2L * 1024 * 1024);
        ufc.setValue("min_threshold", 0.4);
        stack.add(ufc);

        FRAG4 frag = new FRAG4();
        // Below TCP's 64 KiB bundle size, so one fragment fits one batch.
        frag.setValue("frag_size", 60_000);
        stack.add(frag);

        return new Built(List.copyOf(stack), faults);
    }

    /** MERGE3 up to STABLE: the part of the stack that is the same with and without a secret. */
    private static void addMiddle(List<Protocol> stack, NodeConfig.Timing timing) {
        MERGE3 merge = new MERGE3();
        merge.setValue("min_interval", timing.mergeMinInterval().toMillis());
        merge.setValue("max_interval", timing.mergeMaxInterval().toMillis());
        // The check for subgroups runs every 1.6 max_interval: JGroups raises any check_interval <= max_interval to
        // that (so every member has announced itself at least once between two checks); 640 ms by default.
        stack.add(merge);

        FD_ALL3 heartbeats = new FD_ALL3();
        heartbeats.setValue("timeout", timing.fdTimeout().toMillis());
        heartbeats.setValue("interval", timing.fdInterval().toMillis());
        stack.add(heartbeats);

        VERIFY_SUSPECT2 verify = new VERIFY_SUSPECT2();
        // Only heartbeat suspicions pass through here (FD_SOCK2 sits above): a member silent for fdTimeout gets
        // one more short chance to answer. Removal of a hung member takes fdTimeout + up to 2x this.
        verify.setTimeout(timing.verifySuspectTimeout().toMillis());
        stack.add(verify);

        // Above VERIFY_SUSPECT2 on purpose: a closed liveness socket is proof, not a guess. The peer's kernel
        // closed it because the process died, so the suspicion goes straight to GMS without a verification delay,
        // and PromptFdSock sends it before (not after) reconnecting the ring.
        stack.add(new PromptFdSock());

        NAKACK2 nakack = new NAKACK2();
        // TCP has no IP multicast; retransmissions go point to point.
        nakack.setValue("use_mcast_xmit", false);
        nakack.setValue("xmit_interval", RETRANSMIT_INTERVAL_MS);
        stack.add(nakack);

        UNICAST3 unicast = new UNICAST3();
        unicast.setValue("xmit_interval", RETRANSMIT_INTERVAL_MS);
        // A receiver that lost a sender's first seqno asks for it again after this, not after JGroups' 2 s.
        unicast.setValue("sync_min_interval", 2 * RETRANSMIT_INTERVAL_MS);
        stack.add(unicast);

        STABLE stable = new STABLE();
        // The control plane multicasts little (views, STABLE itself); frequent, cheap gossip keeps buffers small.
        stable.setValue("desired_avg_gossip", 20_000L);
        stable.setValue("max_bytes", 4L * 1024 * 1024);
        stack.add(stable);
    }

    /**
     * Discovery requests and answers are not retransmitted, and TCP loses one when two nodes connect to each other
     * at the same moment: the node with the higher address closes the other's connection unread. A starting node
     * meets exactly that, because every coordinator's MERGE3 probes all seeds, the starting node's port included.
     * Losing the request to the coordinator makes the joiner form a cluster of its own and merge a second later.
     * Asking three times within the join timeout makes that loss harmless.
     */
    static final int DISCOVERY_RUNS = 3;

    private static Protocol discovery(NodeConfig config) {
        return discoveryOfKind(config).numDiscoveryRuns(DISCOVERY_RUNS);
    }

    private static Discovery discoveryOfKind(NodeConfig config) {
        NodeConfig.Discovery discovery = config.discovery();
        switch (discovery.kind()) {
            case DNS_PING -> {
                DNS_PING dns = new DNS_PING();
                dns.dnsQuery(discovery.dnsQuery());
                dns.dnsRecordType(discovery.dnsRecordType().toUpperCase(Locale.ROOT));
                return dns;
            }
            case KUBE_PING -> {
                KUBE_PING kube = new KUBE_PING();
                kube.setNamespace(discovery.kubeNamespace());
                if (!discovery.kubeLabels().isBlank()) {
                    kube.setValue("labels", discovery.kubeLabels());
                }
                return kube;
            }
            case JDBC_PING2 -> {
                JDBC_PING2 jdbc = new JDBC_PING2();
                jdbc.setConnectionUrl(discovery.jdbcUrl());
                jdbc.setConnectionUsername(discovery.jdbcUser());
                jdbc.setConnectionPassword(discovery.jdbcPassword());
                // JDBC_PING2 wants a driver class name; the one registered for the URL (JDBC 4 service loading)
                // saves users a configuration key that could disagree with the URL.
                try {
                    jdbc.setConnectionDriver(java.sql.DriverManager.getDriver(discovery.jdbcUrl())
                            .getClass()
                            .getName());
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(
                            "no JDBC driver on the class path accepts " + discovery.jdbcUrl(), e);
                }
                return jdbc;
            }
            default -> {
                TCPPING ping = new TCPPING();
                // Seeds name exact ports, so no neighbouring ports are probed (no wasted connects).
                ping.setValue(
                        "initial_hosts_str",
                        discovery.seeds().stream()
                                .map(MembershipStack::jgroupsHost)
                                .collect(Collectors.joining(",")));
                ping.setPortRange(0);
                return ping;
            }
        }
    }

    private static String jgroupsHost(Seed seed) {
        return seed.host() + "[" + seed.port() + "]";
    }
}
