package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.List;

/**
 * One group as readers see it: immutable, replaced as a whole on every change, so a reader holding it never sees a
 * half-applied update. A pid appears once per join.
 *
 * @param all members on every node this node knows of
 * @param local members on this node
 */
public record GroupMembers(List<Pid> all, List<Pid> local) {

    static final GroupMembers EMPTY = new GroupMembers(List.of(), List.of());
}
