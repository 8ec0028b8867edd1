package io.cohort.node.driver;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.ViewId;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.runtime.Clock;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.runtime.Entropy;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.runtime.NodeContext;
import io.cohort.node.runtime.ProcessHost;
import io.cohort.node.runtime.SeededEntropy;
import io.cohort.node.runtime.Timers;
import io.cohort.node.runtime.Transport;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;

/**
 * Runs one {@link Component} on a real node: an owner thread (virtual) that takes events from a bounded inbox one at
 * a time, reads the clock once per event and calls the matching handler. Nothing else ever calls the component, so
 * it needs no locks.
 *
 * <p><b>When the inbox is full.</b> Views and messages from the control plane, and tasks from callers, wait for room:
 * the control plane's delivery thread then stops reading, and JGroups' flow control pushes back on the senders, so
 * nothing is dropped. A timer that finds the inbox full is retried after {@link #TIMER_RETRY_NS} and counted
 * ({@code component.timer.deferred}), so the shared timer thread never blocks.
 *
 * <p><b>Whose thread runs it.</b> Whoever holds the component's <em>turn</em> lock handles events, always in inbox
 * order: normally the owner thread. A caller of {@link #submit} that finds the turn free takes it, handles the events
 * already queued (they came first), then runs its own task on its own thread; so the component still does one thing
 * at a time in arrival order, and a caller writing in a loop pays no thread hand-off per call, even when the owner
 * thread waits for a CPU. A caller that finds the turn taken queues its task like any event.
 *
 * <p><b>Sends leave the turn.</b> A handler's control-plane sends are queued, in turn order, and sent by the thread
 * that handled them once it has let go of the turn (one thread sends at a time, so the order holds). A send can take
 * a while — JGroups may wait for flow-control credits from a slow receiver — and holding the turn meanwhile made every
 * caller wait behind it. The owner thread lets go of the turn to send once a send has waited {@link #SEND_WAIT_NS}
 * from the start of the event that made it (checked after each event), so a send never waits for a whole backlog.
 * A send blocked on flow control holds up the owner thread, not the turn: callers keep handling events, and once
 * the inbox is full the control plane's delivery thread waits too (UFC sends anyway after its 5 s
 * {@code max_block_time}, so two nodes sending to each other cannot stall each other for longer).
 *
 * <p><b>Failures.</b> A handler that throws is a bug in the component: the error is logged and counted
 * ({@code component.handler.failed}) and the next event is handled; the driver never dies of it.
 */
public final class ComponentDriver implements AutoCloseable {

    static final long TIMER_RETRY_NS = 1_000_000;
    /** Longest a handler's send waits for the events queued behind its own before the owner thread sends it. */
    static final long SEND_WAIT_NS = 1_000_000;

    private static final System.Logger LOG = System.getLogger(ComponentDriver.class.getName());

    private final Component component;
    private final NodeId self;
    private final ControlPlane controlPlane;
    private final ScheduledExecutorService scheduler;
    private final Metrics metrics;
    private final Clock clock;
    private final Entropy entropy;
    private final ProcessHost processes;
    private final BlockingQueue<Event> inbox;
    private final Thread owner;
    private final Metrics.Counter handlerFailures;
    private final Metrics.Counter timersDeferred;
    /** Held by whoever handles events: the owner thread, or a caller of {@link #submit}. Events leave the inbox only under it. */
    private final ReentrantLock turn = new ReentrantLock();
    /** Set once {@code onStop} has run; nothing is handled afterwards. */
    private volatile boolean stopped;

    private final Context context = new Context();

    /** Control-plane sends made in the turn, in turn order, waiting for {@link #sendOutbox}. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Outgoing> outbox =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** When the event handled last began; read by the turn's holder only. */
    private long lastEventStartNs;

    /** Held by the one thread sending the outbox. */
    private final java.util.concurrent.atomic.AtomicBoolean sending = new java.util.concurrent.atomic.AtomicBoolean();

    private record Outgoing(NodeId to, byte[] payload) {}

    /** The view last handed to the component; read by its own thread through {@link Transport#view()}. */
    private volatile MembershipView view;

    private volatile boolean stopping;

    /**
     * @param processes the node's process table; monitors set through the context notify this driver
     * @param inboxCapacity events that may wait before senders are made to wait
     */
    public ComponentDriver(
            Component component,
            NodeId self,
            ControlPlane controlPlane,
            ScheduledExecutorService scheduler,
            Metrics metrics,
            ProcessTable processes,
            int inboxCapacity) {
        if (inboxCapacity < 1) {
            throw new IllegalArgumentException("inboxCapacity must be >= 1: " + inboxCapacity);
        }
        this.component = component;
        this.self = self;
        this.controlPlane = controlPlane;
        this.scheduler = scheduler;
        this.metrics = metrics;
        this.clock = SystemClock.INSTANCE;
        this.entropy = new SeededEntropy(new SecureRandom().nextLong());
        this.processes = processes.hostFor(this::deliverExit);
        this.inbox = new ArrayBlockingQueue<>(inboxCapacity);
        this.view = MembershipView.of(new ViewId(self, 0), List.of(self));
        this.handlerFailures = metrics.counter("component.handler.failed", "component", component.name());
        this.timersDeferred = metrics.counter("component.timer.deferred", "component", component.name());
        metrics.gauge("component.inbox.size", inbox::size, "component", component.name());
        this.owner = Thread.ofVirtual().name("cohort-" + component.name()).unstarted(this::loop);
    }

    /** The one platform thread a node's timers run on; it only moves due timers into inboxes. */
    public static ScheduledExecutorService newTimerScheduler() {
        java.util.concurrent.ScheduledThreadPoolExecutor timers = new java.util.concurrent.ScheduledThreadPoolExecutor(
                1,
                runnable -> Thread.ofPlatform().daemon().name("cohort-timers").unstarted(runnable));
        timers.setRemoveOnCancelPolicy(true);
        return timers;
    }

    /**
     * The component's {@link Component#onLeave}, to be run in its turn (through {@link #submit}): the future it returns
     * completes when the component has moved its work away.
     */
    public java.util.concurrent.CompletableFuture<Void> leave(long nowNs) {
        return component.onLeave(nowNs);
    }

    public String name() {
        return component.name();
    }

    /** Starts the owner thread; {@code onStart} is its first event. */
    public void start() {
        enqueue(new Event.Start());
        owner.start();
    }

    public void deliverView(MembershipView newView) {
        enqueue(new Event.View(newView));
    }

    public void deliverMessage(NodeId from, byte[] payload) {
        enqueue(new Event.Message(from, payload));
    }

    void deliverExit(Pid pid, long monitorRef, ExitReason reason) {
        enqueue(new Event.Exit(pid, monitorRef, reason));
    }

    /**
     * Runs {@code task} in the component's turn, after every event queued before it, with the time read for it, and
     * completes with its result. This is how public APIs reach a component's state; waiting for the future is the
     * back-pressure. When the turn is free the task (and the events queued before it) run on the calling thread
     * before this returns, so a task must not wait for something only the caller would do afterwards.
     */
    public <R> CompletableFuture<R> submit(LongFunction<R> task) {
        CompletableFuture<R> result = new CompletableFuture<>();
        LongConsumer body = nowNs -> {
            try {
                result.complete(task.apply(nowNs));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        };
        // Not from inside a handler (the turn is re-entrant): that task must wait for the current event to end.
        if (!stopping && owner.isAlive() && !turn.isHeldByCurrentThread() && turn.tryLock()) {
            try {
                if (!drain(inbox.size()) && !stopped) { // what was queued before us runs first
                    body.accept(clock.nowNs());
                    return result;
                }
            } finally {
                turn.unlock();
                sendOutbox();
            }
            result.completeExceptionally(new IllegalStateException("component " + component.name() + " stopped"));
            return result;
        }
        enqueue(new Event.Task(body));
        return result;
    }

    /**
     * Runs {@code task} in the component's turn on the calling thread and returns its result: it waits (at most
     * {@code timeout}) for the turn, handles the events queued before it, then runs the task. This is the synchronous
     * form of {@link #submit} for public APIs whose callers wait anyway: the caller never waits for the owner thread
     * to be scheduled, only for the turn. From inside a handler, or before the driver runs, it falls back to
     * {@link #submit}.
     *
     * @throws TimeoutException when the turn (or the queued task) is not had in time
     * @throws IllegalStateException when the component has stopped
     */
    public <R> R call(LongFunction<R> task, java.time.Duration timeout) throws TimeoutException, InterruptedException {
        if (turn.isHeldByCurrentThread() || !owner.isAlive() || stopping) {
            try {
                return submit(task).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
        if (!turn.tryLock(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("component " + component.name() + " was busy for " + timeout);
        }
        try {
            if (drain(inbox.size()) || stopped) {
                throw new IllegalStateException("component " + component.name() + " stopped");
            }
            return task.apply(clock.nowNs());
        } finally {
            turn.unlock();
            sendOutbox();
        }
    }

    /**
     * Sends what handlers queued, in order, unless another thread is already at it (that one then sends ours too: it
     * looks again after letting go). Called after letting go of the turn.
     */
    private void sendOutbox() {
        while (!outbox.isEmpty() && sending.compareAndSet(false, true)) {
            try {
                Outgoing next;
                while ((next = outbox.poll()) != null) {
                    try {
                        controlPlane.send(next.to(), component.name(), next.payload());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.WARNING, "component " + component.name() + ": a send failed", e);
                    }
                }
            } finally {
                sending.set(false);
            }
        }
    }

    /** Runs {@code onStop} as the last event and waits up to {@code timeoutNs} for the owner thread to end. */
    @Override
    public void close() {
        close(TimeUnit.SECONDS.toNanos(5));
    }

    public void close(long timeoutNs) {
        if (stopping) {
            return;
        }
        stopping = true;
        inbox.offer(new Event.Stop()); // if full, the interrupt below ends the loop after its current event
        LockSupport.unpark(owner);
        try {
            if (!owner.join(java.time.Duration.ofNanos(timeoutNs))) {
                owner.interrupt();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void enqueue(Event event) {
        if (stopping) {
            return;
        }
        // Never lose an event to an interrupt: an exit notice comes from the ending process's own thread, which may
        // be interrupted as it ends. The wait for room is uninterruptible; the interrupt is kept for the caller.
        boolean interrupted = false;
        while (true) {
            try {
                inbox.put(event);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        LockSupport.unpark(owner);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void loop() {
        while (!stopped) {
            boolean done;
            turn.lock();
            try {
                done = drainUntilSend();
            } finally {
                turn.unlock();
            }
            sendOutbox();
            if (done) {
                return;
            }
            // Wait for the next event without holding the turn. An enqueue after the check unparks us, so no event
            // is missed; a caller of submit may handle it first, which is fine.
            while (inbox.isEmpty() && !stopped) {
                if (Thread.interrupted()) {
                    return;
                }
                LockSupport.park(this);
            }
        }
    }

    /**
     * Handles queued events in order until the inbox is empty, or until a queued send has waited {@link #SEND_WAIT_NS}
     * since the start of the event that made it; the caller holds the turn. Handlers are never interrupted, so a send
     * waits for at most max(1 ms, the rest of its own event and the next one): sends made by a stream of short events
     * still leave together, and none waits for a whole backlog (seen: a digest answer held 280 ms behind a registry's
     * joins of three large syncs). While another thread is sending, the owner keeps handling events: that thread
     * sends ours too. True once stopped.
     */
    private boolean drainUntilSend() {
        long firstSendNs = 0;
        boolean waiting = false;
        while (!stopped) {
            Event event = inbox.poll();
            if (event == null) {
                break;
            }
            if (handle(event)) {
                stopped = true;
            }
            if (outbox.isEmpty()) {
                waiting = false; // another thread sent what was queued
            } else {
                if (!waiting) {
                    waiting = true;
                    firstSendNs = lastEventStartNs;
                }
                if (clock.nowNs() - firstSendNs >= SEND_WAIT_NS && !sending.get()) {
                    break;
                }
            }
        }
        return stopped;
    }

    /**
     * Handles up to {@code max} queued events in order; the caller holds the turn. True once the component has stopped.
     */
    private boolean drain(int max) {
        for (int i = 0; i < max && !stopped; i++) {
            Event event = inbox.poll();
            if (event == null) {
                break;
            }
            if (handle(event)) {
                stopped = true;
            }
        }
        return stopped;
    }

    /** Handles one event while holding the turn; true for the last one (stop). */
    private boolean handle(Event event) {
        long nowNs = clock.nowNs();
        lastEventStartNs = nowNs;
        try {
            switch (event) {
                case Event.Start start -> component.onStart(context, nowNs);
                case Event.View v -> {
                    view = v.view();
                    component.onView(v.view(), nowNs);
                }
                case Event.Message m -> component.onMessage(m.from(), m.payload(), nowNs);
                case Event.Timer t -> component.onTimer(t.key(), nowNs);
                case Event.Exit x -> component.onProcessExit(x.pid(), x.monitorRef(), x.reason(), nowNs);
                case Event.Task task -> task.body().accept(nowNs);
                case Event.Stop stop -> {
                    component.onStop(nowNs);
                    return true;
                }
            }
        } catch (RuntimeException | Error e) {
            handlerFailures.increment();
            LOG.log(System.Logger.Level.ERROR, "component " + component.name() + " failed on " + event, e);
        }
        return false;
    }

    private sealed interface Event {
        record Start() implements Event {}

        record View(MembershipView view) implements Event {}

        record Message(NodeId from, byte[] payload) implements Event {}

        record Timer(Object key) implements Event {}

        record Exit(Pid pid, long monitorRef, ExitReason reason) implements Event {}

        record Task(LongConsumer body) implements Event {}

        record Stop() implements Event {}
    }

    /** A timer; {@code cancelled} is checked when it is due, so a cancel wins unless the event is already queued. */
    private final class TimerHandle implements Timers.Timer {
        private final Object key;
        private volatile boolean done;
        private volatile ScheduledFuture<?> future;

        TimerHandle(Object key) {
            this.key = key;
        }

        void arm(long delayNs) {
            future = scheduler.schedule(this::fire, delayNs, TimeUnit.NANOSECONDS);
        }

        private void fire() {
            if (done || stopping) {
                return;
            }
            if (!inbox.offer(new Event.Timer(key))) {
                timersDeferred.increment();
                arm(TIMER_RETRY_NS);
                return;
            }
            LockSupport.unpark(owner);
            done = true;
        }

        @Override
        public boolean cancel() {
            boolean wasPending = !done;
            done = true;
            ScheduledFuture<?> pending = future;
            if (pending != null) {
                pending.cancel(false);
            }
            return wasPending;
        }
    }

    /** The seams as this component sees them. */
    private final class Context implements NodeContext, Transport, Timers {
        @Override
        public NodeId self() {
            return self;
        }

        @Override
        public Clock clock() {
            return clock;
        }

        @Override
        public Timers timers() {
            return this;
        }

        @Override
        public Transport transport() {
            return this;
        }

        @Override
        public Entropy entropy() {
            return entropy;
        }

        @Override
        public ProcessHost processes() {
            return processes;
        }

        @Override
        public Metrics metrics() {
            return metrics;
        }

        @Override
        public Timer schedule(Object key, long delayNs) {
            if (delayNs < 0) {
                throw new IllegalArgumentException("negative timer delay: " + delayNs);
            }
            TimerHandle handle = new TimerHandle(key);
            handle.arm(delayNs);
            return handle;
        }

        @Override
        public void send(NodeId to, byte[] payload) {
            if (to.equals(self) || !view.contains(to)) {
                metrics.counter("transport.dropped", "reason", "not_in_view").increment();
                return;
            }
            outbox.add(new Outgoing(to, payload));
            sendNowIfOutsideTheTurn();
        }

        @Override
        public void broadcast(byte[] payload) {
            for (NodeId member : view.members()) {
                if (!member.equals(self)) {
                    outbox.add(new Outgoing(member, payload));
                }
            }
            sendNowIfOutsideTheTurn();
        }

        /** A send from outside any handler (a component's own thread, say) has no turn to wait for. */
        private void sendNowIfOutsideTheTurn() {
            if (!turn.isHeldByCurrentThread()) {
                sendOutbox();
            }
        }

        @Override
        public MembershipView view() {
            return view;
        }
    }
}
