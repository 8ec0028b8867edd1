package io.cohort.supervisor;

import java.time.Duration;
import java.util.Objects;

/**
 * What a distributed supervisor runs: a child named {@code id}, cluster-wide unique within the supervisor, whose code
 * is the {@link ChildKind} registered under {@code kind} on every node, started with {@code args}.
 *
 * <p>A spec is data, never code: it is replicated to every node (so it outlives the node that started it) and any node
 * may become the child's owner, which looks the kind up in its own {@link ChildKinds}.
 *
 * @param id the child's id, also the name it is registered under in the registry (1..1024 characters)
 * @param kind the name of the child's {@link ChildKind}
 * @param args opaque start arguments handed to the kind (copied)
 * @param restart when an ended child is started again
 * @param shutdownTimeout how long a stopping child may take before it is killed
 * @param intensity how many restarts, within what window, before the child is marked failed
 */
public record ChildSpec(
        String id, String kind, byte[] args, Restart restart, Duration shutdownTimeout, Intensity intensity) {

    /** Longest id accepted, in characters (the registry's name limit). */
    public static final int ID_LENGTH_MAX = 1024;

    /** OTP's restart types. */
    public enum Restart {
        /** Always started again, whatever the reason it ended. */
        PERMANENT,
        /** Started again only after a failure; a normal or shutdown end removes the child. */
        TRANSIENT,
        /** Never started again; any end removes the child. */
        TEMPORARY
    }

    /**
     * Restart intensity of one child: more than {@code restartsMax} restarts within {@code window} mark it failed.
     * Restarts after the first wait an exponential backoff from {@code backoffMin}, capped at {@code backoffMax}.
     */
    public record Intensity(int restartsMax, Duration window, Duration backoffMin, Duration backoffMax) {
        public Intensity {
            if (restartsMax < 0) {
                throw new IllegalArgumentException("restartsMax must be >= 0");
            }
            requirePositive(window, "window");
            Objects.requireNonNull(backoffMin, "backoffMin");
            Objects.requireNonNull(backoffMax, "backoffMax");
            if (backoffMin.isNegative() || backoffMax.compareTo(backoffMin) < 0) {
                throw new IllegalArgumentException("need 0 <= backoffMin <= backoffMax");
            }
        }

        /** OTP's default (3 restarts in 5 s), with a backoff of 10 ms doubling up to 1 s. */
        public static Intensity defaults() {
            return new Intensity(3, Duration.ofSeconds(5), Duration.ofMillis(10), Duration.ofSeconds(1));
        }

        public static Intensity of(int restartsMax, Duration window) {
            Intensity defaults = defaults();
            return new Intensity(restartsMax, window, defaults.backoffMin, defaults.backoffMax);
        }

        /** How long to wait before the {@code restart}-th restart within the window (1-based): 0 for the first. */
        long backoffNs(int restart) {
            if (restart <= 1) {
                return 0;
            }
            long delay = backoffMin.toNanos();
            for (int i = 2; i < restart && delay < backoffMax.toNanos(); i++) {
                delay *= 2;
            }
            return Math.min(delay, backoffMax.toNanos());
        }
    }

    public ChildSpec {
        requireId(id);
        Objects.requireNonNull(kind, "kind");
        if (kind.isEmpty()) {
            throw new IllegalArgumentException("kind must not be empty");
        }
        args = args == null ? new byte[0] : args.clone();
        Objects.requireNonNull(restart, "restart");
        requirePositive(shutdownTimeout, "shutdownTimeout");
        Objects.requireNonNull(intensity, "intensity");
    }

    /** A permanent child with a 5 s shutdown and the default intensity. */
    public static ChildSpec of(String id, String kind, byte[] args) {
        return new ChildSpec(id, kind, args, Restart.PERMANENT, Duration.ofSeconds(5), Intensity.defaults());
    }

    public ChildSpec withRestart(Restart value) {
        return new ChildSpec(id, kind, args, value, shutdownTimeout, intensity);
    }

    public ChildSpec withShutdownTimeout(Duration value) {
        return new ChildSpec(id, kind, args, restart, value, intensity);
    }

    public ChildSpec withIntensity(Intensity value) {
        return new ChildSpec(id, kind, args, restart, shutdownTimeout, value);
    }

    /** A copy of the start arguments. */
    @Override
    public byte[] args() {
        return args.clone();
    }

    static void requireId(String id) {
        if (id == null || id.isEmpty() || id.length() > ID_LENGTH_MAX) {
            throw new IllegalArgumentException("a child id has 1.." + ID_LENGTH_MAX + " characters");
        }
    }

    private static void requirePositive(Duration duration, String what) {
        Objects.requireNonNull(duration, what);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(what + " must be positive");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ChildSpec s
                && id.equals(s.id)
                && kind.equals(s.kind)
                && java.util.Arrays.equals(args, s.args)
                && restart == s.restart
                && shutdownTimeout.equals(s.shutdownTimeout)
                && intensity.equals(s.intensity);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, kind, java.util.Arrays.hashCode(args), restart, shutdownTimeout, intensity);
    }

    @Override
    public String toString() {
        return "ChildSpec[" + id + " kind=" + kind + " args=" + args.length + "B " + restart + "]";
    }
}
