package io.cohort.registry;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.driver.ComponentDriver;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.Servers;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A cluster-wide registry of unique names for processes, on a running node (Horde.Registry's model on a delta-state
 * CRDT). Writes go through the replica's single writer and wait for it — the back-pressure; reads never do: they are
 * one hash lookup on an immutable snapshot, without locks, allocation or network, and a node reads its own writes.
 *
 * <pre>{@code
 * RegistryServer orders = new RegistryServer("orders");
 * Node node = Node.builder(config).component(orders).start();
 * Registry registry = new Registry(node, orders);
 * registry.register("order-123", pid, null);       // Registered(pid) | Taken(owner) | NoProcess(pid)
 * registry.whereis("order-123");                   // the pid, from any node, once the delta arrived
 * registry.send("order-123", message);
 * }</pre>
 *
 * <p>Names are unique eventually: nodes that cannot see each other (a partition) may bind one name twice; when they
 * meet, every node picks the same winner and the loser's node ends the loser (see {@link ConflictPolicy}). See
 * {@code docs/registry.md} for the guarantees and the anomalies users can see.
 */
public final class Registry {

    /** How long a write waits for the replica's writer before it fails. */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    /** Most queued writes one driver event applies, so views and messages are not held up behind a burst. */
    static final int DRAIN_MAX = 4096;

    private final Node node;
    private final RegistryServer server;
    private final ComponentDriver writer;
    /** Most writes queued at once; further callers wait for room (the back-pressure a full inbox gave). */
    static final int PENDING_MAX = 4096;

    /** Writes waiting for the replica's thread; one per waiting caller at most. */
    private final ConcurrentLinkedQueue<LongConsumer> pending = new ConcurrentLinkedQueue<>();
    /** Room in {@link #pending}: a burst of callers parks here instead of piling up as runnable threads. */
    private final Semaphore room = new Semaphore(PENDING_MAX);
    /** Set while a drain event is submitted and not yet finished. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    /** Binds to {@code server}, which must be one of {@code node}'s components. */
    public Registry(Node node, RegistryServer server) {
        this.node = node;
        this.server = server;
        this.writer = node.driver(server.name());
    }

    public String name() {
        return server.registry();
    }

    // ---- writes -------------------------------------------------------------------------------------------------

    /**
     * Binds {@code name} to the local process {@code pid} with optional metadata (copied; null for none).
     *
     * @throws IllegalArgumentException for a process of another node: each node registers its own processes
     */
    public RegisterResult register(String name, Pid pid, byte[] meta) {
        return write(now -> server.register(name, pid, meta));
    }

    public RegisterResult register(String name, Pid pid) {
        return register(name, pid, null);
    }

    /**
     * Registers many local processes in one write of the replica (the results in the same order): far cheaper than as
     * many {@link #register} calls when a burst of processes starts at once (a supervisor restarting a lost node's
     * children).
     */
    public List<RegisterResult> registerAll(List<String> names, List<Pid> pids) {
        if (names.size() != pids.size()) {
            throw new IllegalArgumentException("as many names as pids");
        }
        return write(now -> {
            List<RegisterResult> results = new java.util.ArrayList<>(names.size());
            for (int i = 0; i < names.size(); i++) {
                results.add(server.register(names.get(i), pids.get(i), null));
            }
            return results;
        });
    }

    /** Removes this node's registration of {@code name}; false when this node holds none. */
    public boolean unregister(String name) {
        return write(now -> server.unregister(name, null));
    }

    /** Replaces the metadata of this node's registration of {@code name}; false when this node holds none. */
    public boolean putMeta(String name, byte[] meta) {
        return write(now -> server.updateMeta(name, old -> meta));
    }

    /** Updates the metadata of this node's registration of {@code name} atomically; false when it holds none. */
    public boolean updateMeta(String name, UnaryOperator<byte[]> update) {
        return write(now -> server.updateMeta(name, update));
    }

    /** Subscribes the local process {@code subscriber} to {@link RegistryEvent}s of this node's view. */
    public long subscribe(Pid subscriber) {
        return write(now -> server.subscribe(subscriber));
    }

    public boolean unsubscribe(long ref) {
        return write(now -> server.unsubscribe(ref));
    }

    /**
     * How this node's replica sees each other node: in view or not, visible or hidden, an unanswered digest. Taken on
     * the replica's thread (it waits like a write), for operators and diagnostics.
     */
    public List<PeerStatus> peerStatus() {
        return write(server::peerStatus);
    }

    // ---- reads (any thread, no network) ------------------------------------------------------------------------

    /** The process {@code name} resolves to on this node, or null. Allocates nothing. */
    public Pid whereis(String name) {
        return server.whereis(name);
    }

    public Optional<Registration> lookup(String name) {
        return Optional.ofNullable(server.lookup(name));
    }

    /** The metadata of {@code name}'s registration (empty array for none), if the name resolves. */
    public Optional<byte[]> meta(String name) {
        Registration registration = server.lookup(name);
        return registration == null ? Optional.empty() : Optional.of(registration.meta());
    }

    /** The names {@code pid} holds, as this node sees them. */
    public List<String> keys(Pid pid) {
        return server.keys(pid);
    }

    public List<Registration> select(Predicate<? super Registration> filter) {
        return server.select(filter);
    }

    public int count(Predicate<? super Registration> filter) {
        return server.count(filter);
    }

    /** How many names resolve on this node. */
    public int size() {
        return server.size();
    }

    // ---- via-naming ---------------------------------------------------------------------------------------------

    /** Sends {@code message} to the process {@code name} resolves to; false (nothing sent) when it resolves to none. */
    public boolean send(String name, Object message) {
        Pid pid = server.whereis(name);
        if (pid == null) {
            return false;
        }
        node.processes().send(pid, message);
        return true;
    }

    /**
     * A {@link Servers#call} to the server registered as {@code name}, wherever it runs.
     *
     * @throws io.cohort.node.process.CallException as {@code Servers.call}; {@code noproc} when the name resolves to
     *     no process here
     */
    public Object call(String name, Object request, Duration timeout) {
        Pid pid = server.whereis(name);
        // Serial 0 is never a process: the call then fails at once with noproc, as a call to a dead server does.
        return Servers.call(node.processes(), pid == null ? new Pid(node.self(), 0) : pid, request, timeout);
    }

    /** What {@link #startServer} did. */
    public sealed interface StartResult {
        record Started(Pid pid) implements StartResult {}

        /** The name was taken (the new server was not left running). */
        record AlreadyStarted(Pid owner) implements StartResult {}
    }

    /**
     * Starts {@code server} on this node registered as {@code name} (OTP's {@code {via, Registry, Name}}): the
     * process registers itself before its {@code init} runs, so it is never reachable unnamed nor started twice
     * under a name this node knows to be taken. The name goes with the process.
     */
    public <S> StartResult startServer(String name, byte[] meta, Server<S> server, Duration initTimeout) {
        try {
            return new StartResult.Started(
                    Servers.start(node.processes(), new Named<>(this, name, meta, server), initTimeout));
        } catch (Servers.StartException e) {
            if (e.reason() instanceof ExitReason.Custom custom
                    && custom.reason().equals(Named.TAKEN)) {
                Pid owner = whereis(name);
                return new StartResult.AlreadyStarted(owner == null ? new Pid(node.self(), 0) : owner);
            }
            throw e;
        }
    }

    /** Registers the server's process under the name, then runs its own init. */
    private record Named<S>(Registry registry, String name, byte[] meta, Server<S> inner) implements Server<S> {
        static final String TAKEN = "already_registered";

        @Override
        public Next<S> init(ServerContext context) throws Exception {
            RegisterResult result = registry.register(name, context.self(), meta);
            if (!(result instanceof RegisterResult.Registered)) {
                return Next.stop(new ExitReason.Custom(TAKEN), null);
            }
            return inner.init(context);
        }

        @Override
        public Next<S> handleCall(Object request, ServerContext.From from, S state, ServerContext context)
                throws Exception {
            return inner.handleCall(request, from, state, context);
        }

        @Override
        public Next<S> handleCast(Object message, S state, ServerContext context) throws Exception {
            return inner.handleCast(message, state, context);
        }

        @Override
        public Next<S> handleInfo(Object message, S state, ServerContext context) throws Exception {
            return inner.handleInfo(message, state, context);
        }

        @Override
        public Next<S> handleContinue(Object argument, S state, ServerContext context) throws Exception {
            return inner.handleContinue(argument, state, context);
        }

        @Override
        public void terminate(ExitReason reason, S state) {
            inner.terminate(reason, state);
        }
    }

    /**
     * Runs {@code change} on the replica's thread and waits for its result. Writes from many callers share driver
     * events: each caller queues its write and only the caller that finds no drain pending submits one, so a burst
     * of registrations (100000 processes registering at once) costs a few driver events, not one each. The queue
     * holds at most one write per waiting caller.
     */
    private <R> R write(LongFunction<R> change) {
        CompletableFuture<R> result = new CompletableFuture<>();
        try {
            if (!room.tryAcquire(WRITE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("registry " + name() + " had no room for a write in " + WRITE_TIMEOUT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for registry " + name(), e);
        }
        pending.add(nowNs -> {
            room.release();
            try {
                result.complete(change.apply(nowNs));
            } catch (RuntimeException | Error e) {
                result.completeExceptionally(e);
            }
        });
        if (drainScheduled.compareAndSet(false, true)) {
            writer.submit(this::drain);
        }
        try {
            return result.get(WRITE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("registry " + name() + " did not answer in " + WRITE_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for registry " + name(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** One driver event: up to {@link #DRAIN_MAX} queued writes, then another event if more wait. */
    private Void drain(long nowNs) {
        for (int i = 0; i < DRAIN_MAX; i++) {
            LongConsumer next = pending.poll();
            if (next == null) {
                drainScheduled.set(false);
                // A write queued after our last poll whose caller saw the flag still set: take the drain back.
                if (pending.isEmpty() || !drainScheduled.compareAndSet(false, true)) {
                    return null;
                }
                continue;
            }
            next.accept(nowNs);
        }
        writer.submit(this::drain); // more are waiting; the flag stays set, so no caller submits another
        return null;
    }
}
