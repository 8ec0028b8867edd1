package io.cohort.registry;

import io.cohort.node.NodeId;

/**
 * How one replica sees another node's slice: what an operator reads when a node's names do not show somewhere.
 *
 * @param node the other node (one incarnation)
 * @param inView whether it is in this replica's current view
 * @param visible whether its entries count here: in view and synced (it answered a digest since it last joined this
 *     node's view; on a merge view a member of this node's own subgroup stays visible while the merge's digest is
 *     out, so {@code visible} and {@code awaitingAnswer} can both hold)
 * @param awaitingAnswer whether this replica's latest digest to it is unanswered while it is in view (and so will be
 *     sent again)
 * @param round the round of that digest
 * @param sinceDigestMs how long ago that digest was last sent, in milliseconds (-1 if none was sent)
 * @param entriesHeld how many of its registrations this replica holds (visible or hidden)
 */
public record PeerStatus(
        NodeId node,
        boolean inView,
        boolean visible,
        boolean awaitingAnswer,
        long round,
        long sinceDigestMs,
        int entriesHeld) {

    @Override
    public String toString() {
        return node + (inView ? " in view" : " out of view") + (visible ? ", visible" : ", hidden")
                + (awaitingAnswer ? ", digest " + round + " unanswered for " + sinceDigestMs + " ms" : "")
                + ", " + entriesHeld + " entries held";
    }
}
