package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Supervisor} starts, restarts and stops one child.
 *
 * @param id unique among the supervisor's children
 * @param start starts the child <em>linked to the supervisor</em> and returns its pid, e.g.
 *     {@code sup -> sup.spawnLink(body)} or {@code sup -> Servers.startLink(sup, server, timeout)}
 * @param restart when the child is restarted
 * @param shutdown how it is stopped: an exit signal {@code shutdown}, then {@code killed} after the timeout; or killed
 *     at once
 * @param type a worker or a supervisor (supervisors get a longer default shutdown)
 */
public record ChildSpec(String id, Start start, Restart restart, Shutdown shutdown, Type type) {

    /** Starts the child from inside the supervisor's process. */
    @FunctionalInterface
    public interface Start {
        Pid start(ProcessContext supervisor) throws Exception;
    }

    public enum Restart {
        /** Always restarted. */
        PERMANENT,
        /** Restarted only when it ends abnormally (not {@code normal} or {@code shutdown}). */
        TRANSIENT,
        /** Never restarted, and forgotten when it ends. */
        TEMPORARY
    }

    public enum Type {
        WORKER,
        SUPERVISOR
    }

    /** Stopping a child: killed at once, or {@code shutdown} then {@code killed} after {@code timeout}. */
    public record Shutdown(boolean killAtOnce, Duration timeout) {
        public static Shutdown brutalKill() {
            return new Shutdown(true, Duration.ZERO);
        }

        public static Shutdown timeout(Duration timeout) {
            return new Shutdown(false, timeout);
        }
    }

    public ChildSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(shutdown, "shutdown");
        Objects.requireNonNull(type, "type");
    }

    /** A permanent worker stopped with a 5 s grace period (OTP's defaults). */
    public static ChildSpec worker(String id, Start start) {
        return new ChildSpec(id, start, Restart.PERMANENT, Shutdown.timeout(Duration.ofSeconds(5)), Type.WORKER);
    }

    /** A permanent nested supervisor, given 30 s to stop its own children. */
    public static ChildSpec supervisor(String id, Supervisor.Spec spec) {
        return new ChildSpec(
                id,
                sup -> Supervisor.startLink(sup, spec),
                Restart.PERMANENT,
                Shutdown.timeout(Duration.ofSeconds(30)),
                Type.SUPERVISOR);
    }

    public ChildSpec withRestart(Restart newRestart) {
        return new ChildSpec(id, start, newRestart, shutdown, type);
    }

    public ChildSpec withShutdown(Shutdown newShutdown) {
        return new ChildSpec(id, start, restart, newShutdown, type);
    }
}
