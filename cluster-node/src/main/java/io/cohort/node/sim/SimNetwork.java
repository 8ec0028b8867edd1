package io.cohort.node.sim;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The simulated network: lossy, duplicating, reordering links with partitions, under a reliable FIFO channel per
 * ordered pair of node incarnations — the guarantee JGroups' UNICAST3 gives, so components see exactly the contract
 * of {@link io.cohort.node.runtime.Transport}.
 *
 * <p><b>Channel protocol.</b> A sender numbers its messages per receiver within a connection id and keeps them until
 * a cumulative acknowledgement covers them, resending every {@code retransmitNs}. A receiver delivers in sequence
 * order, buffers early ones and drops copies. When the sender installs a view without the receiver, the connection
 * ends: its unacknowledged tail is dropped and the next message opens a connection with a larger id, which the
 * receiver takes as a reset. Retransmission therefore stops by itself: on acknowledgement, on a view change, or when
 * the sender dies.
 *
 * <p><b>Links.</b> A transmission is lost when its link is blocked at send time or by chance ({@code lossRate}),
 * arrives after a uniform delay in {@code [minDelayNs, maxDelayNs]} (so transmissions overtake each other), and
 * arrives twice with probability {@code duplicateRate}. Blocks are by node name, so a restarted node stays on its
 * side of a partition.
 */
final class SimNetwork {

    private final SimCluster sim;
    private final SimConfig config;
    private final SplittableRandom random;

    /** Blocked directions, as "from->to" node names. */
    private final TreeSet<String> blocked = new TreeSet<>();
    /** Sender side of each open connection. Looked up only, never iterated. */
    private final Map<Pair, Outbound> outbound = new HashMap<>();
    /** Receiver side of each connection seen. Looked up only, never iterated. */
    private final Map<Pair, Inbound> inbound = new HashMap<>();
    /** The last connection id used per pair, so a reset always moves forward. */
    private final Map<Pair, Long> lastConnectionId = new HashMap<>();

    SimNetwork(SimCluster sim, SimConfig config, SplittableRandom random) {
        this.sim = sim;
        this.config = config;
        this.random = random;
    }

    // ---- links --------------------------------------------------------------------------------------------

    void block(String from, String to) {
        blocked.add(from + "->" + to);
    }

    void unblock(String from, String to) {
        blocked.remove(from + "->" + to);
    }

    void unblockAll() {
        blocked.clear();
    }

    boolean isBlocked(String from, String to) {
        return blocked.contains(from + "->" + to);
    }

    long sampleDelayNs() {
        long span = config.maxDelayNs() - config.minDelayNs();
        return config.minDelayNs() + (span == 0 ? 0 : random.nextLong(span + 1));
    }

    // ---- reliable channel ---------------------------------------------------------------------------------

    void send(SimNode from, NodeId to, String component, byte[] payload) {
        Pair pair = new Pair(from.id(), to);
        Outbound out = outbound.computeIfAbsent(pair, p -> new Outbound(nextConnectionId(p)));
        Packet packet = new Packet(from.id(), to, component, out.connectionId, out.nextSeq++, payload);
        out.unacked.put(packet.seq, packet);
        transmit(packet);
        if (!out.retransmitPending) {
            out.retransmitPending = true;
            scheduleRetransmit(from, pair, out);
        }
    }

    /** A view without a peer ends the connection to it: the tail is lost, the next send opens a new one. */
    void onViewInstalled(SimNode node, MembershipView view) {
        outbound.keySet().removeIf(pair -> pair.from.equals(node.id()) && !view.contains(pair.to));
    }

    /** A dead incarnation's connections are gone on both ends. */
    void forget(NodeId dead) {
        outbound.keySet().removeIf(pair -> pair.from.equals(dead) || pair.to.equals(dead));
        inbound.keySet().removeIf(pair -> pair.from.equals(dead) || pair.to.equals(dead));
    }

    private long nextConnectionId(Pair pair) {
        long id = lastConnectionId.getOrDefault(pair, 0L) + 1;
        lastConnectionId.put(pair, id);
        return id;
    }

    private void transmit(Packet packet) {
        if (isBlocked(packet.from.name(), packet.to.name()) || chance(config.lossRate())) {
            sim.traceOnly(() -> "lost " + packet);
            return;
        }
        SimNode target = sim.liveIncarnation(packet.to);
        if (target == null) {
            return;
        }
        int copies = chance(config.duplicateRate()) ? 2 : 1;
        for (int i = 0; i < copies; i++) {
            sim.schedule(sim.nowNs() + sampleDelayNs(), target, () -> "recv " + packet, () -> receive(target, packet));
        }
    }

    private void receive(SimNode target, Packet packet) {
        Pair pair = new Pair(packet.from, packet.to);
        Inbound in = inbound.computeIfAbsent(pair, p -> new Inbound(packet.connectionId));
        if (packet.connectionId < in.connectionId) {
            return; // a late transmission of a connection the sender has since reset
        }
        if (packet.connectionId > in.connectionId) {
            in.reset(packet.connectionId);
        }
        if (packet.seq >= in.expectedSeq) {
            in.early.putIfAbsent(packet.seq, packet);
            while (!in.early.isEmpty() && in.early.firstKey() == in.expectedSeq && !target.isDead()) {
                Packet next = in.early.pollFirstEntry().getValue();
                in.expectedSeq++;
                target.deliverMessage(next.from, next.component, next.payload);
            }
        }
        acknowledge(target, packet.from, packet.connectionId, in.expectedSeq - 1);
    }

    private void acknowledge(SimNode receiver, NodeId sender, long connectionId, long ackedSeq) {
        if (ackedSeq < 0 || isBlocked(receiver.id().name(), sender.name()) || chance(config.lossRate())) {
            return;
        }
        SimNode target = sim.liveIncarnation(sender);
        if (target == null) {
            return;
        }
        Pair pair = new Pair(sender, receiver.id());
        sim.schedule(
                sim.nowNs() + sampleDelayNs(),
                target,
                () -> "ack " + pair + " conn=" + connectionId + " seq<=" + ackedSeq,
                () -> {
                    Outbound out = outbound.get(pair);
                    if (out != null && out.connectionId == connectionId) {
                        out.unacked.headMap(ackedSeq, true).clear();
                    }
                });
    }

    private void scheduleRetransmit(SimNode from, Pair pair, Outbound out) {
        sim.schedule(sim.nowNs() + config.retransmitNs(), from, () -> "retransmit? " + pair, () -> {
            if (outbound.get(pair) != out || out.unacked.isEmpty()) {
                out.retransmitPending = false;
                return;
            }
            for (Packet packet : out.unacked.values()) {
                transmit(packet);
            }
            scheduleRetransmit(from, pair, out);
        });
    }

    private boolean chance(double probability) {
        return probability > 0 && random.nextDouble() < probability;
    }

    private record Pair(NodeId from, NodeId to) {
        @Override
        public String toString() {
            return from + "->" + to;
        }
    }

    private record Packet(NodeId from, NodeId to, String component, long connectionId, long seq, byte[] payload) {
        @Override
        public String toString() {
            return from + "->" + to + " " + component + " conn=" + connectionId + " seq=" + seq + " bytes="
                    + payload.length + " hash=" + Integer.toHexString(Arrays.hashCode(payload));
        }
    }

    private static final class Outbound {
        final long connectionId;
        final TreeMap<Long, Packet> unacked = new TreeMap<>();
        long nextSeq;
        boolean retransmitPending;

        Outbound(long connectionId) {
            this.connectionId = connectionId;
        }
    }

    private static final class Inbound {
        long connectionId;
        long expectedSeq;
        final TreeMap<Long, Packet> early = new TreeMap<>();

        Inbound(long connectionId) {
            this.connectionId = connectionId;
        }

        void reset(long newConnectionId) {
            connectionId = newConnectionId;
            expectedSeq = 0;
            early.clear();
        }
    }
}
