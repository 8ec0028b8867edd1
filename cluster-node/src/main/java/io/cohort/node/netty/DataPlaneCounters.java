package io.cohort.node.netty;

import io.cohort.node.runtime.Metrics;

/**
 * The data plane's counters, created once so the hot paths only increment. Every frame or connection the plane
 * refuses is counted here under a reason tag; operators alert on the {@code dropped} and {@code rejected} families.
 */
final class DataPlaneCounters {

    final Metrics.Counter framesSent;
    final Metrics.Counter framesReceived;
    final Metrics.Counter reconnects;

    /** Sends refused because the peer's outbound queue was full (the queue policy: drop newest). */
    final Metrics.Counter droppedQueueFull;
    /** Queued frames discarded because their peer left the view. */
    final Metrics.Counter droppedPeerLeft;
    /** Sends to a node that is not in the view (or has not published a data address). */
    final Metrics.Counter droppedNoRoute;

    final Metrics.Counter droppedUnknownTag;
    final Metrics.Counter droppedForeignIncarnation;
    final Metrics.Counter droppedMalformed;
    final Metrics.Counter droppedUnknownVersion;
    final Metrics.Counter droppedUnexpected;

    final Metrics.Counter rejectedForeignCluster;
    final Metrics.Counter rejectedUnknownNode;
    final Metrics.Counter rejectedBadVersion;
    final Metrics.Counter rejectedNoHello;
    final Metrics.Counter rejectedOversized;
    final Metrics.Counter rejectedMalformed;
    final Metrics.Counter rejectedTls;

    DataPlaneCounters(Metrics metrics) {
        framesSent = metrics.counter("data.frames.sent");
        framesReceived = metrics.counter("data.frames.received");
        reconnects = metrics.counter("data.reconnects");
        droppedQueueFull = dropped(metrics, "queue_full");
        droppedPeerLeft = dropped(metrics, "peer_left");
        droppedNoRoute = dropped(metrics, "no_route");
        droppedUnknownTag = dropped(metrics, "unknown_tag");
        droppedForeignIncarnation = dropped(metrics, "foreign_incarnation");
        droppedMalformed = dropped(metrics, "malformed");
        droppedUnknownVersion = dropped(metrics, "unknown_version");
        droppedUnexpected = dropped(metrics, "unexpected");
        rejectedForeignCluster = rejected(metrics, "foreign_cluster");
        rejectedUnknownNode = rejected(metrics, "unknown_node");
        rejectedBadVersion = rejected(metrics, "bad_version");
        rejectedNoHello = rejected(metrics, "no_hello");
        rejectedOversized = rejected(metrics, "oversized");
        rejectedMalformed = rejected(metrics, "malformed");
        rejectedTls = rejected(metrics, "tls");
    }

    private static Metrics.Counter dropped(Metrics metrics, String reason) {
        return metrics.counter("data.frames.dropped", "reason", reason);
    }

    private static Metrics.Counter rejected(Metrics metrics, String reason) {
        return metrics.counter("data.connections.closed", "reason", reason);
    }
}
