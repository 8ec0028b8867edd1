package io.cohort.chaos.check;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The registry as one live node reported it at the end of a run.
 *
 * @param name the node's name ({@code n1})
 * @param self its identity for this life ({@code n1#1795265982676})
 * @param owners every name that resolves on the node, to its pid
 * @param processes every registry process of the node's life: the workload spawns one per registration
 * @param conflicts the {@code ConflictResolved} events the node's subscriber received, in order
 */
public record RegistrySnapshot(
        String name, String self, Map<String, String> owners, List<Holder> processes, List<Conflict> conflicts) {

    public RegistrySnapshot {
        owners = Collections.unmodifiableMap(new TreeMap<>(owners));
        processes = List.copyOf(processes);
        conflicts = List.copyOf(conflicts);
    }

    /**
     * A process spawned to hold one name: alive exactly while it should hold it.
     *
     * @param conflictExits {@code name_conflict} exit signals it received (loser notifications)
     * @param endReason why it ended ({@code name_conflict}, {@code unregistered}, {@code killed}, {@code refused},
     *     ...), empty while alive
     */
    public record Holder(String pid, String name, boolean alive, int conflictExits, String endReason) {}

    /** Two processes held {@code name}: {@code winner} kept it, {@code loser} was removed. */
    public record Conflict(String name, String winner, String loser) {}
}
