package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A piece of state behind a process (Elixir's Agent): reads and updates are functions run inside the process, one at
 * a time, so no lock is needed. Local to its node: functions cannot travel over the wire. Use a {@link Server} when
 * the state has a protocol of its own.
 */
public final class Agent<S> {

    private final ProcessRuntime runtime;
    private final Pid pid;
    private final Duration timeout;

    private Agent(ProcessRuntime runtime, Pid pid, Duration timeout) {
        this.runtime = runtime;
        this.pid = pid;
        this.timeout = timeout;
    }

    /** Starts an agent whose state is {@code initial.get()}, computed inside the agent's process. */
    public static <S> Agent<S> start(ProcessRuntime runtime, Supplier<S> initial) {
        Server<Object> server = new Server<>() {
            @Override
            public Next<Object> init(ServerContext context) {
                return Next.state(initial.get());
            }

            @Override
            @SuppressWarnings("unchecked")
            public Next<Object> handleCall(Object request, ServerContext.From from, Object state, ServerContext c) {
                Step step = ((Function<Object, Step>) request).apply(state);
                return Next.reply(new Result(step.reply), step.state);
            }

            @Override
            @SuppressWarnings("unchecked")
            public Next<Object> handleCast(Object message, Object state, ServerContext context) {
                return Next.state(((UnaryOperator<Object>) message).apply(state));
            }
        };
        return new Agent<>(runtime, Servers.start(runtime, server, Servers.DEFAULT_TIMEOUT), Servers.DEFAULT_TIMEOUT);
    }

    public Pid pid() {
        return pid;
    }

    /** Reads from the state; {@code read} runs in the agent. */
    public <R> R get(Function<? super S, R> read) {
        return getAndUpdate(state -> new Step(read.apply(state), state));
    }

    /** Replaces the state and waits until it is done. */
    public void update(UnaryOperator<S> change) {
        getAndUpdate(state -> new Step(null, change.apply(state)));
    }

    /** Replaces the state without waiting. */
    @SuppressWarnings("unchecked")
    public void cast(UnaryOperator<S> change) {
        Servers.cast(runtime, pid, (UnaryOperator<Object>) (UnaryOperator<?>) change);
    }

    /** Stops the agent (normal). */
    public void stop() {
        Servers.stop(runtime, pid, ExitReason.NORMAL, timeout);
    }

    @SuppressWarnings("unchecked")
    private <R> R getAndUpdate(Function<S, Step> step) {
        Result result =
                (Result) Servers.call(runtime, pid, (Function<Object, Step>) state -> step.apply((S) state), timeout);
        return (R) result.value;
    }

    /** A reply (may be null) and the next state. */
    private record Step(Object reply, Object state) {
        Step {
            Objects.requireNonNull(state, "an agent's state cannot be null");
        }
    }

    /** Wraps a reply so that null can be one. */
    private record Result(Object value) {}
}
