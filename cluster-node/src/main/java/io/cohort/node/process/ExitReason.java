package io.cohort.node.process;

import java.util.Objects;

/**
 * Why a process ended, as monitors and links report it (Erlang's exit reasons).
 *
 * <p>{@link Normal} and {@link Shutdown} are orderly ends; the others are failures. {@link NoProc} and
 * {@link NoConnection} are never a process's own reason: they describe what a monitor saw (the process was already
 * gone, or its node left the membership view).
 */
public sealed interface ExitReason {

    /** True for the reasons a {@code transient} child is not restarted for. */
    default boolean isOrderly() {
        return this instanceof Normal || this instanceof Shutdown;
    }

    ExitReason NORMAL = new Normal();
    ExitReason SHUTDOWN = new Shutdown();
    ExitReason KILLED = new Killed();
    ExitReason NOPROC = new NoProc();
    ExitReason NOCONNECTION = new NoConnection();

    /** The process returned. */
    record Normal() implements ExitReason {
        @Override
        public String toString() {
            return "normal";
        }
    }

    /** The process was asked to stop by its supervisor or owner and did so. */
    record Shutdown() implements ExitReason {
        @Override
        public String toString() {
            return "shutdown";
        }
    }

    /** The process was killed unconditionally. */
    record Killed() implements ExitReason {
        @Override
        public String toString() {
            return "killed";
        }
    }

    /** The monitored process did not exist when the monitor was set. */
    record NoProc() implements ExitReason {
        @Override
        public String toString() {
            return "noproc";
        }
    }

    /** The node of the monitored process left the membership view. */
    record NoConnection() implements ExitReason {
        @Override
        public String toString() {
            return "noconnection";
        }
    }

    /** The process failed: an uncaught exception, described by its class and message (never the object itself). */
    record Failure(String exceptionClass, String message) implements ExitReason {
        public Failure {
            Objects.requireNonNull(exceptionClass, "exceptionClass");
        }

        public static Failure of(Throwable error) {
            return new Failure(error.getClass().getName(), String.valueOf(error.getMessage()));
        }

        @Override
        public String toString() {
            return "exception(" + exceptionClass + ": " + message + ")";
        }
    }

    /** A reason a user or a protocol chose, such as {@code name_conflict}. */
    record Custom(String reason) implements ExitReason {
        public Custom {
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public String toString() {
            return reason;
        }
    }
}
