package io.cohort.node.tools;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One line a standalone node prints about itself, for people and for the launchers that watch it:
 * {@code cohort-event kind=view t_us=1767225600000123 node=n1#17 view=[n1#17|3] members=n1#17,n2#19 merge=false}.
 * Times are the node's wall clock in microseconds since the epoch, so processes on one machine can be compared.
 *
 * @param kind {@code joining}, {@code view}, {@code started} or {@code stopped}
 * @param fields every {@code key=value} of the line, in order
 */
public record NodeEvent(String kind, long timeUs, NodeId node, Map<String, String> fields) {

    static final String PREFIX = "cohort-event ";

    /** The members of a {@code view} event. */
    public List<NodeId> members() {
        String members = fields.getOrDefault("members", "");
        return members.isEmpty()
                ? List.of()
                : Arrays.stream(members.split(",")).map(NodeId::parse).toList();
    }

    /** The line for a view installed on {@code node}. */
    static String viewLine(long timeUs, NodeId node, MembershipView view) {
        return PREFIX + "kind=view t_us=" + timeUs + " node=" + node + " view="
                + view.id().creator() + "|"
                + view.id().id() + " members="
                + String.join(",", view.members().stream().map(NodeId::toString).toList()) + " merge="
                + view.isMerge();
    }

    static String line(String kind, long timeUs, NodeId node) {
        return PREFIX + "kind=" + kind + " t_us=" + timeUs + " node=" + node;
    }

    /** A line of another kind with extra fields (values must not contain spaces), stamped now. */
    public static String line(String kind, NodeId node, Map<String, String> extra) {
        StringBuilder line = new StringBuilder(line(kind, StandaloneNode.nowUs(), node));
        extra.forEach((key, value) -> line.append(' ').append(key).append('=').append(value));
        return line.toString();
    }

    /** Reads a line printed by a node; null for any other line. */
    public static NodeEvent parse(String line) {
        if (!line.startsWith(PREFIX)) {
            return null;
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        try {
            return new NodeEvent(
                    fields.get("kind"), Long.parseLong(fields.get("t_us")), NodeId.parse(fields.get("node")), fields);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
