package io.cohort.chaos.check;

import java.util.List;

/**
 * The distributed supervisor as one live node reported it at the end of a run.
 *
 * @param name the node's name
 * @param self its identity for this life
 * @param children {@code whichChildren} on the node, ordered by id
 * @param running the incarnations running user code on the node now
 */
public record SupervisorSnapshot(String name, String self, List<Child> children, List<Running> running) {

    public SupervisorSnapshot {
        children = List.copyOf(children);
        running = List.copyOf(running);
    }

    /**
     * One child as the node sees it.
     *
     * @param status {@code RUNNING}, {@code PENDING} or {@code FAILED}
     * @param node the node that runs it as this node knows it; empty for none
     * @param pid its pid where known here, else empty
     * @param callPid the incarnation that answered a call by name from this node; empty when none did
     * @param callError why the call got no answer
     */
    public record Child(
            String id, String status, String node, String pid, long token, String callPid, String callError) {}

    /** An incarnation running user code on the node. */
    public record Running(String id, String pid, long token, long messages) {}
}
