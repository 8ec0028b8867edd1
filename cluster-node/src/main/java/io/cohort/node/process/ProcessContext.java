package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * A process's view of the runtime, usable only from the process's own thread: its mailbox, sending, spawning,
 * links, monitors and exits (Erlang's built-ins).
 */
public interface ProcessContext {

    Pid self();

    /** The node's process runtime (names, calls from helpers). */
    ProcessRuntime runtime();

    /** Waits for the oldest message, as long as it takes. */
    Object receive() throws InterruptedException;

    /** The oldest message, waiting at most {@code timeout}; empty on timeout ({@code Duration.ZERO} polls). */
    Optional<Object> receive(Duration timeout) throws InterruptedException;

    /**
     * Selective receive: the oldest message of {@code type} matching {@code filter}, waiting at most {@code timeout};
     * other messages stay in the mailbox, in order.
     */
    <T> Optional<T> receive(Class<T> type, Predicate<? super T> filter, Duration timeout) throws InterruptedException;

    /** Sends to a local or remote process; a message to a dead process is dropped silently (Erlang). */
    void send(Pid to, Object message);

    /** Starts a process that is not linked to this one. */
    Pid spawn(ProcessBody body);

    /** Starts a process linked to this one, atomically (no window in which it can die unlinked). */
    Pid spawnLink(ProcessBody body);

    /** Links this process and {@code other}; linking a dead process delivers an exit signal {@code noproc}. */
    void link(Pid other);

    void unlink(Pid other);

    /** Monitors {@code target}: exactly one {@link Signal.Down} arrives later (at once if it is already dead). */
    long monitor(Pid target);

    /**
     * Cancels a monitor. With {@code flush}, a {@link Signal.Down} for it that already arrived is removed too, so
     * none is ever seen after this returns.
     */
    void demonitor(long monitorRef, boolean flush);

    /** While true, exit signals from links and {@code exit} arrive as {@link Signal.Exit} messages (except kill). */
    void trapExits(boolean trap);

    /** Sends an exit signal to {@code target}; {@link ExitReason#KILLED} cannot be trapped. */
    void exit(Pid target, ExitReason reason);

    /** Ends this process now with {@code reason}: throws, never returns (Erlang's {@code exit/1}). */
    void exit(ExitReason reason);

    /** Messages waiting in the mailbox. */
    int mailboxSize();
}
