package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Starting and talking to {@link Server}s.
 *
 * <p><b>Calls</b> use a reply address of their own: a pid with no thread, registered for the call and removed after
 * it, whose "mailbox" completes the caller's future. The server is monitored meanwhile, so a server that ends (or
 * whose node leaves) fails the call at once instead of at the timeout, and a reply that comes after the caller gave
 * up is dropped on the floor — never left in anyone's mailbox. This works the same from a process and from a plain
 * thread, and for local and remote servers.
 */
public final class Servers {

    /** Erlang's default call timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private Servers() {}

    /**
     * Starts {@code server} unlinked and waits for its {@code init} (at most {@code initTimeout}).
     *
     * @throws StartException when init throws, asks to stop, or takes too long (the process is then killed)
     */
    public static <S> Pid start(ProcessRuntime runtime, Server<S> server, Duration initTimeout) {
        CompletableFuture<ExitReason> initialized = new CompletableFuture<>();
        Pid pid = runtime.spawn(self -> new ServerLoop<>(self, server, null).run(initialized));
        return awaitInit(runtime, pid, initialized, initTimeout);
    }

    /**
     * Starts {@code server} unlinked without waiting for its {@code init}: for callers that must not block (protocol
     * components), which learn how the start went from a monitor instead.
     */
    public static <S> Pid spawn(ProcessRuntime runtime, Server<S> server) {
        return runtime.spawn(self -> new ServerLoop<>(self, server, null).run(new CompletableFuture<>()));
    }

    /** Starts {@code server} linked to the calling process {@code parent} (a supervisor's start function). */
    public static <S> Pid startLink(ProcessContext parent, Server<S> server, Duration initTimeout) {
        CompletableFuture<ExitReason> initialized = new CompletableFuture<>();
        Pid parentPid = parent.self();
        Pid pid = parent.spawnLink(self -> new ServerLoop<>(self, server, parentPid).run(initialized));
        return awaitInit(parent.runtime(), pid, initialized, initTimeout);
    }

    /** A call with the default 5 s timeout. */
    public static Object call(ProcessRuntime runtime, Pid server, Object request) {
        return call(runtime, server, request, DEFAULT_TIMEOUT);
    }

    /**
     * Sends {@code request} and waits for the reply.
     *
     * @throws CallException on timeout, or when the server ends, is not there, or its node leaves
     */
    public static Object call(ProcessRuntime runtime, Pid server, Object request, Duration timeout) {
        return exchange(runtime, server, timeout, from -> new ServerMessage.Call(from, request));
    }

    /** A call addressed to the server registered under {@code name} on this node. */
    public static Object call(ProcessRuntime runtime, String name, Object request, Duration timeout) {
        Pid pid = runtime.whereis(name)
                .orElseThrow(() -> new CallException(
                        CallException.Kind.SERVER_DOWN, new Pid(runtime.node(), 0), ExitReason.NOPROC));
        return call(runtime, pid, request, timeout);
    }

    /** Sends without waiting; nothing happens if the server is gone. */
    public static void cast(ProcessRuntime runtime, Pid server, Object message) {
        runtime.send(server, new ServerMessage.Cast(message));
    }

    /**
     * Asks the server to stop with {@code reason} (its {@code terminate} runs) and returns once the process has
     * ended, as OTP's {@code gen_server:stop}: it waits for the server's DOWN, not for a reply.
     *
     * @throws CallException when the server was not there ({@code noproc}) or ended otherwise, or on timeout
     */
    public static void stop(ProcessRuntime runtime, Pid server, ExitReason reason, Duration timeout) {
        try {
            exchange(runtime, server, timeout, from -> new ServerMessage.Stop(reason));
        } catch (CallException ended) {
            if (ended.kind() == CallException.Kind.SERVER_DOWN && reason.equals(ended.reason())) {
                return;
            }
            throw ended;
        }
        throw new IllegalStateException("a stopping server replied instead of ending: " + server);
    }

    /** {@code sys:get_state}: the server's current state. */
    public static Object state(ProcessRuntime runtime, Pid server, Duration timeout) {
        return exchange(runtime, server, timeout, ServerMessage.GetState::new);
    }

    /** {@code sys:trace}: every message the server handles is described to {@code sink}; null stops tracing. */
    public static void trace(ProcessRuntime runtime, Pid server, Consumer<String> sink, Duration timeout) {
        exchange(runtime, server, timeout, from -> new ServerMessage.Trace(from, sink));
    }

    private static Object exchange(
            ProcessRuntime runtime,
            Pid server,
            Duration timeout,
            java.util.function.Function<ServerContext.From, ServerMessage> request) {
        Objects.requireNonNull(server, "server");
        CompletableFuture<Object> result = new CompletableFuture<>();
        ProcessTable table = runtime.table();
        Pid replyTo = table.register(message -> {
            if (message instanceof ServerMessage.Reply reply) {
                result.complete(reply.value());
            } else if (message instanceof Signal.Down down) {
                result.completeExceptionally(new CallException(CallException.Kind.SERVER_DOWN, server, down.reason()));
            }
        });
        long monitorRef = runtime.monitorFor(
                replyTo,
                server,
                (pid, ref, reason) -> result.completeExceptionally(
                        new CallException(CallException.Kind.SERVER_DOWN, server, reason)));
        try {
            runtime.send(server, request.apply(new ServerContext.From(replyTo, monitorRef)));
            return result.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new CallException(CallException.Kind.TIMEOUT, server, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CallException failure) {
                throw failure;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CallException(CallException.Kind.TIMEOUT, server, null);
        } finally {
            runtime.demonitorFor(replyTo, monitorRef);
            table.exited(replyTo, ExitReason.NORMAL);
        }
    }

    private static Pid awaitInit(
            ProcessRuntime runtime, Pid pid, CompletableFuture<ExitReason> initialized, Duration timeout) {
        ExitReason failure;
        try {
            failure = initialized.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            runtime.exit(pid, pid, ExitReason.KILLED);
            throw new StartException(pid, new ExitReason.Custom("init_timeout"));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            runtime.exit(pid, pid, ExitReason.KILLED);
            throw new StartException(pid, ExitReason.KILLED);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        if (failure != null) {
            awaitEnd(runtime, pid, timeout); // the caller may rely on the failed process being gone
            throw new StartException(pid, failure);
        }
        return pid;
    }

    /** Waits until the local process {@code pid} has ended, at most {@code timeout}. */
    private static void awaitEnd(ProcessRuntime runtime, Pid pid, Duration timeout) {
        CompletableFuture<ExitReason> ended = new CompletableFuture<>();
        long ref = runtime.table()
                .hostFor((down, r, reason) -> ended.complete(reason))
                .monitor(pid);
        try {
            ended.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            runtime.table().demonitor(ref);
        }
    }

    /** A server whose {@code init} failed, stopped, or did not finish in time. */
    public static final class StartException extends RuntimeException {
        private final ExitReason reason;

        StartException(Pid pid, ExitReason reason) {
            super("server " + pid + " did not start: " + reason);
            this.reason = reason;
        }

        public ExitReason reason() {
            return reason;
        }
    }
}
