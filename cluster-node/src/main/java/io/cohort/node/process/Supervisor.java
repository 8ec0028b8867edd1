package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * OTP's supervisor: a process that starts children, watches them through links (it traps exits) and restarts them
 * by its strategy, within a restart intensity.
 *
 * <ul>
 *   <li><b>Strategies</b> encode dependencies: {@code ONE_FOR_ONE} (independent children: restart the one that
 *       ended), {@code ONE_FOR_ALL} (interdependent: stop the others, restart all), {@code REST_FOR_ONE} (sequential:
 *       stop and restart the ones started after it).
 *   <li><b>Intensity</b>: more than {@code maxRestarts} restarts within {@code maxPeriod} means restarting does not
 *       help. The supervisor then stops all its children and exits with {@code shutdown}, handing the problem to
 *       its own supervisor (escalation) instead of looping.
 *   <li><b>Shutdown</b> is ordered: children stop in reverse start order, each sent {@code shutdown} and killed if it
 *       has not ended within its timeout.
 * </ul>
 *
 * <p>Start it with {@link #start} or, as a child of another supervisor, {@link #startLink}; manage dynamic children
 * with {@link #startChild}, {@link #terminateChild}, {@link #restartChild}, {@link #deleteChild}.
 */
public final class Supervisor implements Server<Supervisor.State> {

    /** Restart strategies. */
    public enum Strategy {
        ONE_FOR_ONE,
        ONE_FOR_ALL,
        REST_FOR_ONE
    }

    /** A supervisor's configuration: its strategy, intensity and initial children (started in order). */
    public record Spec(Strategy strategy, int maxRestarts, Duration maxPeriod, List<ChildSpec> children) {
        public Spec {
            Objects.requireNonNull(strategy, "strategy");
            if (maxRestarts < 0 || maxPeriod.isNegative() || maxPeriod.isZero()) {
                throw new IllegalArgumentException("need maxRestarts >= 0 and a positive maxPeriod");
            }
            children = List.copyOf(children);
            if (children.stream().map(ChildSpec::id).distinct().count() != children.size()) {
                throw new IllegalArgumentException("child ids must be unique");
            }
        }

        /** OTP's default intensity: 3 restarts in 5 seconds. */
        public static Spec of(Strategy strategy, List<ChildSpec> children) {
            return new Spec(strategy, 3, Duration.ofSeconds(5), children);
        }
    }

    /** One child as {@link #whichChildren} reports it; {@code pid} is empty while it is not running. */
    public record ChildInfo(String id, Optional<Pid> pid, ChildSpec.Type type, ChildSpec.Restart restart) {}

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    private final Spec spec;

    private Supervisor(Spec spec) {
        this.spec = spec;
    }

    public static Pid start(ProcessRuntime runtime, Spec spec) {
        return Servers.start(runtime, new Supervisor(spec), startTimeout(spec));
    }

    /** Starts a supervisor linked to {@code parent}: the start function of a nested supervisor. */
    public static Pid startLink(ProcessContext parent, Spec spec) {
        return Servers.startLink(parent, new Supervisor(spec), startTimeout(spec));
    }

    /** Adds and starts a child; fails (without adding it) when its start fails or its id is taken. */
    public static Pid startChild(ProcessRuntime runtime, Pid supervisor, ChildSpec child) {
        return (Pid) unwrap(Servers.call(runtime, supervisor, new Request.StartChild(child), CALL_TIMEOUT));
    }

    /** Stops a child (kept, not running, until deleted or restarted); a temporary one is forgotten. */
    public static void terminateChild(ProcessRuntime runtime, Pid supervisor, String id) {
        unwrap(Servers.call(runtime, supervisor, new Request.TerminateChild(id), CALL_TIMEOUT));
    }

    /** Starts a stopped child again. */
    public static Pid restartChild(ProcessRuntime runtime, Pid supervisor, String id) {
        return (Pid) unwrap(Servers.call(runtime, supervisor, new Request.RestartChild(id), CALL_TIMEOUT));
    }

    /** Forgets a stopped child's spec. */
    public static void deleteChild(ProcessRuntime runtime, Pid supervisor, String id) {
        unwrap(Servers.call(runtime, supervisor, new Request.DeleteChild(id), CALL_TIMEOUT));
    }

    @SuppressWarnings("unchecked")
    public static List<ChildInfo> whichChildren(ProcessRuntime runtime, Pid supervisor) {
        return (List<ChildInfo>) Servers.call(runtime, supervisor, new Request.WhichChildren(), CALL_TIMEOUT);
    }

    // ---- the server -------------------------------------------------------------------------------------

    /** The supervisor's state: its children in start order and its recent restart times. */
    static final class State {
        final List<Child> children = new ArrayList<>();
        /** Times (ns) of the restarts inside the current intensity window, oldest first. */
        final ArrayDeque<Long> restarts = new ArrayDeque<>();

        ProcessContext self;
    }

    /** A child: its spec and, while it runs, its pid. */
    static final class Child {
        final ChildSpec spec;
        Pid pid;

        Child(ChildSpec spec) {
            this.spec = spec;
        }
    }

    private sealed interface Request {
        record StartChild(ChildSpec spec) implements Request {}

        record TerminateChild(String id) implements Request {}

        record RestartChild(String id) implements Request {}

        record DeleteChild(String id) implements Request {}

        record WhichChildren() implements Request {}
    }

    /** Sent to itself when a restart's start function failed: handled as that child going down again. */
    private record RetryStart(String id) {}

    /** A refused request, carried back as the reply and thrown by the client side. */
    private record Refused(String why) {}

    @Override
    public Next<State> init(ServerContext context) throws Exception {
        State state = new State();
        state.self = context.process();
        state.self.trapExits(true);
        for (ChildSpec childSpec : spec.children()) {
            Child child = new Child(childSpec);
            try {
                child.pid = childSpec.start().start(state.self);
            } catch (Exception | Error e) {
                stopAll(state); // the ones already started
                throw e;
            }
            state.children.add(child);
        }
        return Next.state(state);
    }

    @Override
    public Next<State> handleCall(Object request, ServerContext.From from, State state, ServerContext context) {
        switch ((Request) request) {
            case Request.StartChild start -> {
                if (find(state, start.spec().id()) != null) {
                    return Next.reply(
                            new Refused("child id taken: " + start.spec().id()), state);
                }
                Child child = new Child(start.spec());
                try {
                    child.pid = start.spec().start().start(state.self);
                } catch (Exception e) {
                    return Next.reply(new Refused("start failed: " + e), state);
                }
                state.children.add(child);
                return Next.reply(child.pid, state);
            }
            case Request.TerminateChild terminate -> {
                Child child = find(state, terminate.id());
                if (child == null) {
                    return Next.reply(new Refused("no child " + terminate.id()), state);
                }
                stop(state, child);
                if (child.spec.restart() == ChildSpec.Restart.TEMPORARY) {
                    state.children.remove(child);
                }
                return Next.reply("ok", state);
            }
            case Request.RestartChild restart -> {
                Child child = find(state, restart.id());
                if (child == null || child.pid != null) {
                    return Next.reply(new Refused("no stopped child " + restart.id()), state);
                }
                try {
                    child.pid = child.spec.start().start(state.self);
                } catch (Exception e) {
                    return Next.reply(new Refused("start failed: " + e), state);
                }
                return Next.reply(child.pid, state);
            }
            case Request.DeleteChild delete -> {
                Child child = find(state, delete.id());
                if (child == null || child.pid != null) {
                    return Next.reply(new Refused("no stopped child " + delete.id()), state);
                }
                state.children.remove(child);
                return Next.reply("ok", state);
            }
            case Request.WhichChildren which -> {
                List<ChildInfo> infos = new ArrayList<>();
                for (Child child : state.children) {
                    infos.add(new ChildInfo(
                            child.spec.id(), Optional.ofNullable(child.pid), child.spec.type(), child.spec.restart()));
                }
                return Next.reply(List.copyOf(infos), state);
            }
        }
    }

    @Override
    public Next<State> handleInfo(Object message, State state, ServerContext context) throws Exception {
        if (message instanceof Signal.Exit exit) {
            Child child = findByPid(state, exit.from());
            // No child: one we already stopped or replaced, whose exit signal came late.
            return child == null ? Next.state(state) : onChildDown(state, child, exit.reason());
        }
        if (message instanceof RetryStart retry) {
            Child child = find(state, retry.id());
            return child == null || child.pid != null
                    ? Next.state(state)
                    : onChildDown(state, child, new ExitReason.Custom("start_failed"));
        }
        return Next.state(state);
    }

    private Next<State> onChildDown(State state, Child child, ExitReason reason) {
        child.pid = null;
        boolean restart = switch (child.spec.restart()) {
            case PERMANENT -> true;
            case TRANSIENT -> !reason.isOrderly();
            case TEMPORARY -> false;
        };
        if (!restart) {
            if (child.spec.restart() == ChildSpec.Restart.TEMPORARY) {
                state.children.remove(child);
            }
            return Next.state(state);
        }
        if (!withinIntensity(state)) {
            stopAll(state);
            return Next.stop(ExitReason.SHUTDOWN, state); // escalate: let our own supervisor decide
        }
        int index = state.children.indexOf(child);
        List<Child> toRestart = switch (spec.strategy()) {
            case ONE_FOR_ONE -> List.of(child);
            case ONE_FOR_ALL -> List.copyOf(state.children);
            case REST_FOR_ONE -> List.copyOf(state.children.subList(index, state.children.size()));
        };
        for (int i = toRestart.size() - 1; i >= 0; i--) {
            stop(state, toRestart.get(i));
        }
        for (Child each : toRestart) {
            try {
                each.pid = each.spec.start().start(state.self);
            } catch (Exception e) {
                // A child that cannot start counts as one more failed restart: the intensity check ends a loop.
                each.pid = null;
                state.self.send(state.self.self(), new RetryStart(each.spec.id()));
            }
        }
        return Next.state(state);
    }

    @Override
    public void terminate(ExitReason reason, State state) {
        stopAll(state);
    }

    /** Records a restart; false when it exceeds {@code maxRestarts} within {@code maxPeriod}. */
    private boolean withinIntensity(State state) {
        long now = state.self.runtime().nowNs();
        long windowStart = now - spec.maxPeriod().toNanos();
        while (!state.restarts.isEmpty() && state.restarts.peekFirst() < windowStart) {
            state.restarts.removeFirst();
        }
        state.restarts.addLast(now);
        return state.restarts.size() <= spec.maxRestarts();
    }

    /** Stops every running child, last started first. */
    private static void stopAll(State state) {
        for (int i = state.children.size() - 1; i >= 0; i--) {
            stop(state, state.children.get(i));
        }
    }

    /**
     * Stops one child: {@code shutdown}, then {@code killed} after its timeout (or killed at once). Waits for its exit
     * signal, so the child is gone when this returns; other messages stay in the mailbox for later.
     */
    private static void stop(State state, Child child) {
        Pid pid = child.pid;
        if (pid == null) {
            return;
        }
        child.pid = null;
        ProcessContext self = state.self;
        ChildSpec.Shutdown shutdown = child.spec.shutdown();
        try {
            if (!shutdown.killAtOnce()) {
                self.exit(pid, ExitReason.SHUTDOWN);
                if (self.receive(Signal.Exit.class, e -> e.from().equals(pid), shutdown.timeout())
                        .isPresent()) {
                    return;
                }
            }
            self.exit(pid, ExitReason.KILLED);
            // Killing is immediate, so its exit signal is already on its way.
            self.receive(Signal.Exit.class, e -> e.from().equals(pid), Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProcessExitedException();
        }
    }

    private static Child find(State state, String id) {
        for (Child child : state.children) {
            if (child.spec.id().equals(id)) {
                return child;
            }
        }
        return null;
    }

    private static Child findByPid(State state, Pid pid) {
        for (Child child : state.children) {
            if (pid.equals(child.pid)) {
                return child;
            }
        }
        return null;
    }

    private static Object unwrap(Object reply) {
        if (reply instanceof Refused refused) {
            throw new IllegalStateException(refused.why());
        }
        return reply;
    }

    private static Duration startTimeout(Spec spec) {
        return Duration.ofSeconds(30).plusSeconds(5L * spec.children().size());
    }
}
