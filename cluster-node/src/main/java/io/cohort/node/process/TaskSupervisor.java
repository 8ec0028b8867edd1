package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one-off tasks as processes under a supervisor (Elixir's Task.Supervisor). {@link #asyncNolink} starts a task
 * that is <em>not</em> linked to the caller: a task that fails becomes a {@link TaskResult.Failed}, never an exit
 * signal to whoever asked for it. Stopping the task supervisor stops every task still running.
 */
public final class TaskSupervisor {

    /** Lets a task start its work once its caller monitors it. */
    private static final Object GO = new Object();

    private final ProcessRuntime runtime;
    private final Pid pid;

    private TaskSupervisor(ProcessRuntime runtime, Pid pid) {
        this.runtime = runtime;
        this.pid = pid;
    }

    public static TaskSupervisor start(ProcessRuntime runtime) {
        return new TaskSupervisor(
                runtime,
                Supervisor.start(runtime, Supervisor.Spec.of(Supervisor.Strategy.ONE_FOR_ONE, java.util.List.of())));
    }

    public Pid pid() {
        return pid;
    }

    /** Runs {@code work} in a new process supervised here; the caller is never linked to it. */
    public <T> Task<T> asyncNolink(Callable<T> work) {
        CompletableFuture<TaskResult<T>> outcome = new CompletableFuture<>();
        ProcessTable table = runtime.table();
        Pid replyTo = table.register(message -> {
            @SuppressWarnings("unchecked")
            TaskResult<T> result = (TaskResult<T>) message;
            outcome.complete(result);
        });
        String id = "task-" + replyTo.serial();
        ChildSpec child = new ChildSpec(
                id,
                sup -> sup.spawnLink(self -> {
                    // Start only once the caller monitors us, so even an instant failure reports its own reason.
                    self.receive(Object.class, message -> message == GO, Duration.ofDays(365));
                    self.send(replyTo, new TaskResult.Ok<>(work.call()));
                }),
                ChildSpec.Restart.TEMPORARY,
                ChildSpec.Shutdown.brutalKill(),
                ChildSpec.Type.WORKER);
        Pid task;
        try {
            task = Supervisor.startChild(runtime, pid, child);
        } catch (RuntimeException e) {
            table.exited(replyTo, ExitReason.NORMAL);
            throw e;
        }
        table.hostFor((down, ref, reason) -> {
                    if (!(reason instanceof ExitReason.Normal)) {
                        outcome.complete(new TaskResult.Failed<>(reason));
                    }
                })
                .monitor(task);
        runtime.send(task, GO);
        outcome.whenComplete((result, error) -> table.exited(replyTo, ExitReason.NORMAL));
        return new Task<>(task, outcome);
    }

    /** Stops the task supervisor and every task still running. */
    public void stop() {
        Servers.stop(runtime, pid, ExitReason.SHUTDOWN, Duration.ofSeconds(30));
    }

    /** What a task ended with. */
    public sealed interface TaskResult<T> {
        record Ok<T>(T value) implements TaskResult<T> {}

        record Failed<T>(ExitReason reason) implements TaskResult<T> {}

        record TimedOut<T>() implements TaskResult<T> {}
    }

    /** A running or finished task. */
    public static final class Task<T> {
        private final Pid pid;
        private final CompletableFuture<TaskResult<T>> outcome;

        Task(Pid pid, CompletableFuture<TaskResult<T>> outcome) {
            this.pid = pid;
            this.outcome = outcome;
        }

        public Pid pid() {
            return pid;
        }

        /** Waits up to {@code timeout}; the task keeps running after a {@link TaskResult.TimedOut}. */
        public TaskResult<T> await(Duration timeout) {
            try {
                return outcome.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return new TaskResult.TimedOut<>();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new TaskResult.TimedOut<>();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
