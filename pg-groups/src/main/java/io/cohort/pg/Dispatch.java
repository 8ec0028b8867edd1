package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.List;
import java.util.Objects;

/**
 * How {@link ProcessGroups#dispatch} picks the one member of a group that gets a message.
 *
 * <ul>
 *   <li>{@link #random()}: uniform over the members, pseudo-random;
 *   <li>{@link #roundRobin()}: each member in turn, per group; the turn starts again when the group changes;
 *   <li>{@link #byKey(Object)}: the same key picks the same member on every node that sees the same members, and a
 *       change of membership moves only the keys of the members that came or went (rendezvous hashing). The key's
 *       {@code hashCode} must be the same in every JVM: strings, numbers and records of them are.
 * </ul>
 */
public sealed interface Dispatch {

    static Dispatch random() {
        return Random.INSTANCE;
    }

    static Dispatch roundRobin() {
        return RoundRobin.INSTANCE;
    }

    static Dispatch byKey(Object key) {
        return new ByKey(Objects.requireNonNull(key, "key"));
    }

    /** Picks a member; {@code members} is not empty. */
    Pid pick(GroupMembers members, long randomBits);

    /** See {@link #random()}. */
    enum Random implements Dispatch {
        INSTANCE;

        @Override
        public Pid pick(GroupMembers members, long randomBits) {
            List<Pid> all = members.all();
            return all.get((int) Long.remainderUnsigned(randomBits, all.size()));
        }
    }

    /** See {@link #roundRobin()}. */
    enum RoundRobin implements Dispatch {
        INSTANCE;

        @Override
        public Pid pick(GroupMembers members, long randomBits) {
            List<Pid> all = members.all();
            return all.get((int) Long.remainderUnsigned(members.nextCursor(), all.size()));
        }
    }

    /** See {@link #byKey(Object)}. */
    record ByKey(Object key) implements Dispatch {

        @Override
        public Pid pick(GroupMembers members, long randomBits) {
            long keyHash = mix(key.hashCode());
            Pid best = null;
            long bestScore = 0;
            for (Pid pid : members.all()) {
                long score = mix(keyHash ^ stableHash(pid));
                if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                    best = pid;
                    bestScore = score;
                }
            }
            return best;
        }

        /** A pid's hash from its parts, the same in every JVM (a record's hashCode is not specified to be). */
        private static long stableHash(Pid pid) {
            long h = pid.node().name().hashCode();
            h = h * 0x9E3779B97F4A7C15L + pid.node().incarnation();
            return h * 0x9E3779B97F4A7C15L + pid.serial();
        }
    }

    /** SplitMix64's finalizer: a good 64-bit mix, cheap and the same everywhere. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
