package io.cohort.supervisor;

import io.cohort.node.NodeId;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Where a child runs: a pure function of the child's id (and the hint chosen when it was started) and the eligible
 * members of a view, so every node that holds the same view and spec picks the same owner without a message. Also
 * says whether a view may run children at all under the {@code quorum} partition policy (Horde's two-method
 * distribution strategy: {@code choose_node} and {@code has_quorum?}).
 *
 * <p>Implementations must be deterministic and cheap (they run for every child on every view change) and must not
 * depend on anything but their arguments: no clock, no randomness, no node-local state.
 */
public interface Placement {

    /**
     * The member that should run child {@code id}.
     *
     * @param hint what {@link #hint} returned when the child was started (empty when none)
     * @param members the eligible members, ordered, never empty
     */
    NodeId owner(String id, String hint, List<NodeId> members);

    /**
     * A hint recorded in the spec when a child is started on this node, for strategies that decide once (least
     * loaded); {@code load} counts the children each member runs as this node knows it. Empty by default.
     */
    default String hint(String id, List<NodeId> members, ToIntFunction<NodeId> load) {
        return "";
    }

    /**
     * True when {@code members} may run children under the {@code quorum} policy: by default when they hold a strict
     * majority of the {@code reference} membership (node names: the configured members, or the last membership that
     * had quorum), counted by name so a restarted node counts as itself.
     */
    default boolean hasQuorum(Collection<NodeId> members, Set<String> reference) {
        int present = 0;
        for (NodeId member : members) {
            if (reference.contains(member.name())) {
                present++;
            }
        }
        return present * 2 > reference.size();
    }

    /** Rendezvous (highest random weight) hashing on node names: a view change moves only the children it must. */
    static Placement rendezvous() {
        return Rendezvous.INSTANCE;
    }

    /** The members in order, indexed by a hash of the id: even spread, but a view change moves most children. */
    static Placement uniform() {
        return (id, hint, members) -> members.get(Math.floorMod(mix(hash(id)), members.size()));
    }

    /**
     * A pseudo-random member drawn from {@code seed} and the id: the same draw on every node (it is a hash, not
     * {@code Random}), different draws for different seeds.
     */
    static Placement randomWithSeed(long seed) {
        return (id, hint, members) -> members.get(Math.floorMod(mix(hash(id) ^ mix(seed)), members.size()));
    }

    /**
     * The member that ran the fewest children, as the starting node knew it when the child was started (recorded in
     * the spec as a hint, so every node agrees); when that member is not eligible, rendezvous hashing among the rest.
     */
    static Placement leastLoaded() {
        return new Placement() {
            @Override
            public NodeId owner(String id, String hint, List<NodeId> members) {
                if (!hint.isEmpty()) {
                    for (NodeId member : members) {
                        if (member.name().equals(hint)) {
                            return member;
                        }
                    }
                }
                return Rendezvous.INSTANCE.owner(id, hint, members);
            }

            @Override
            public String hint(String id, List<NodeId> members, ToIntFunction<NodeId> load) {
                NodeId least = null;
                int leastLoad = Integer.MAX_VALUE;
                for (NodeId member : members) {
                    int count = load.applyAsInt(member);
                    if (count < leastLoad) {
                        least = member;
                        leastLoad = count;
                    }
                }
                return least == null ? "" : least.name();
            }
        };
    }

    /** FNV-1a over the UTF-8 bytes: stable across JVMs and versions, unlike identity hashes. */
    static long hash(String text) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** SplitMix64's finaliser: spreads every input bit over the output. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Rendezvous hashing: the member with the highest weight for the id; ties by node id. */
    final class Rendezvous implements Placement {
        static final Rendezvous INSTANCE = new Rendezvous();

        private Rendezvous() {}

        @Override
        public NodeId owner(String id, String hint, List<NodeId> members) {
            long idHash = hash(id);
            NodeId best = null;
            long bestWeight = 0;
            for (NodeId member : members) {
                long weight = mix(idHash ^ mix(hash(member.name())));
                if (best == null
                        || Long.compareUnsigned(weight, bestWeight) > 0
                        || (weight == bestWeight && member.compareTo(best) < 0)) {
                    best = member;
                    bestWeight = weight;
                }
            }
            return best;
        }
    }
}
