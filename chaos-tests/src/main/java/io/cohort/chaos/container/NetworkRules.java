package io.cohort.chaos.container;

import io.cohort.chaos.fault.NetworkState;
import java.util.Locale;
import java.util.Map;

/**
 * Turns the part of a {@link NetworkState} that concerns one node into a shell script that enforces it inside that
 * node's network namespace: iptables rules in a chain of our own ({@code COHORT-CHAOS}, jumped to first from INPUT)
 * for cut and lossy links, and a queueing discipline on the node's interface for a slow node (netem delay where the
 * kernel has it, a token bucket that narrows the bandwidth otherwise).
 *
 * <p>The script is idempotent and complete: it creates the chain if needed, flushes it, and writes every rule the
 * state asks for, so applying it after a restart (a fresh namespace) or twice gives the same result. It picks the
 * nft or legacy iptables back end, whichever works in the namespace. Only packets from the other nodes' addresses are
 * touched: the harness's control connections arrive from the network's gateway and always pass.
 */
final class NetworkRules {

    static final String CHAIN = "COHORT-CHAOS";

    /** Delay of a slow node where netem exists. */
    static final String NETEM = "netem delay 150ms 50ms";
    /** Bandwidth of a slow node where it does not. */
    static final String TBF = "tbf rate 256kbit burst 16kbit latency 400ms";

    private NetworkRules() {}

    /**
     * The script for {@code node}, whose own address is {@code selfIp}; {@code ips} maps every node name to its
     * address. It prints {@code slow=netem}, {@code slow=tbf} or {@code slow=off} on its last line.
     */
    static String script(NetworkState state, String node, String selfIp, Map<String, String> ips) {
        StringBuilder sh = new StringBuilder();
        sh.append("set -e\n");
        sh.append("if iptables -w -L INPUT -n >/dev/null 2>&1; then I=iptables; else I=iptables-legacy; fi\n");
        sh.append("$I -w -N ").append(CHAIN).append(" 2>/dev/null || true\n");
        sh.append("$I -w -C INPUT -j ")
                .append(CHAIN)
                .append(" 2>/dev/null || $I -w -I INPUT 1 -j ")
                .append(CHAIN)
                .append('\n');
        sh.append("$I -w -F ").append(CHAIN).append('\n');
        for (String from : state.droppedAt(node)) {
            sh.append("$I -w -A ")
                    .append(CHAIN)
                    .append(" -s ")
                    .append(ip(ips, from))
                    .append(" -j DROP\n");
        }
        for (Map.Entry<String, Double> lossy : state.lossyAt(node).entrySet()) {
            sh.append("$I -w -A ")
                    .append(CHAIN)
                    .append(" -s ")
                    .append(ip(ips, lossy.getKey()))
                    .append(String.format(
                            Locale.ROOT, " -m statistic --mode random --probability %.4f -j DROP\n", lossy.getValue()));
        }
        sh.append("dev=$(ip -o -4 addr show | awk '$4 ~ /^")
                .append(selfIp.replace(".", "\\."))
                .append("\\// {print $2}' | head -1)\n");
        sh.append("dev=${dev:-eth0}\n");
        // busybox sh runs its own applets before the PATH, and its tc knows no netem or tbf: name iproute2's.
        sh.append("T=/usr/sbin/tc; [ -x $T ] || T=/sbin/tc; [ -x $T ] || T=tc\n");
        if (state.isSlow(node)) {
            sh.append("if $T qdisc replace dev $dev root ")
                    .append(NETEM)
                    .append(" 2>/dev/null; then echo slow=netem; else $T qdisc replace dev $dev root ")
                    .append(TBF)
                    .append(" && echo slow=tbf; fi\n");
        } else {
            sh.append("$T qdisc del dev $dev root 2>/dev/null || true\necho slow=off\n");
        }
        return sh.toString();
    }

    private static String ip(Map<String, String> ips, String node) {
        String ip = ips.get(node);
        if (ip == null) {
            throw new IllegalArgumentException("unknown node " + node + " in a network fault; nodes: " + ips.keySet());
        }
        return ip;
    }
}
