package io.cohort.chaos.check;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one live node reported at the end of a run.
 *
 * @param name the node's name ({@code n1})
 * @param self its identity for this life ({@code n1#1795265982676})
 * @param viewId the id of the view it holds
 * @param viewMembers the members of that view
 * @param members every member of each group it knows of, with multiplicity (pids as {@code <n1#17.5>})
 * @param localMembers its own members of each group
 * @param monitors for every idle process the node's life spawned, the DOWNs the monitor the node set on it delivered
 */
public record NodeSnapshot(
        String name,
        String self,
        String viewId,
        List<String> viewMembers,
        Map<String, List<String>> members,
        Map<String, List<String>> localMembers,
        Map<String, Long> monitors) {

    public NodeSnapshot {
        viewMembers = List.copyOf(viewMembers);
        members = Collections.unmodifiableMap(new TreeMap<>(members));
        localMembers = Collections.unmodifiableMap(new TreeMap<>(localMembers));
        monitors = Collections.unmodifiableMap(new TreeMap<>(monitors));
    }

    /** A snapshot without monitor counts (nodes that report none). */
    public NodeSnapshot(
            String name,
            String self,
            String viewId,
            List<String> viewMembers,
            Map<String, List<String>> members,
            Map<String, List<String>> localMembers) {
        this(name, self, viewId, viewMembers, members, localMembers, Map.of());
    }
}
