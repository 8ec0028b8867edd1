package io.cohort.supervisor;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Next;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.Servers;
import io.cohort.node.process.Signal;
import io.cohort.registry.NameConflict;
import io.cohort.registry.RegisterResult;
import io.cohort.registry.Registry;
import java.util.Objects;

/**
 * Children as the node's own processes: each incarnation is a {@link Server} of its kind, wrapped so that it registers
 * its id in the registry before its own {@code init} runs (never reachable unnamed, never started under a name held
 * elsewhere), stops with {@code terminate} when its supervisor shuts it down, and answers handoff requests with its
 * {@link Handoff} state.
 */
public final class ProcessChildRuntime implements ChildRuntime {

    /** Most children registered in one registry write. */
    static final int REGISTER_BATCH_MAX = 4096;
    /** How long a child waits for the verdict on its name before it gives up (a stuck registry). */
    static final java.time.Duration VERDICT_TIMEOUT = java.time.Duration.ofSeconds(30);

    /** The registry's answer for one child, sent to it by the registering process. */
    record Verdict(boolean registered) {}

    /** The message that asks a child to hand its state over and stop. */
    enum HandoffRequest {
        INSTANCE
    }

    private final ProcessRuntime processes;
    private final Registry registry;
    private final ChildKinds kinds;
    private final Callback callback;
    /** Children started in the replica's current event, waiting to be registered in one batch at its end. */
    private final java.util.List<String> pendingIds = new java.util.ArrayList<>();

    private final java.util.List<Pid> pendingPids = new java.util.ArrayList<>();

    public ProcessChildRuntime(ProcessRuntime processes, Registry registry, ChildKinds kinds, Callback callback) {
        this.processes = Objects.requireNonNull(processes);
        this.registry = Objects.requireNonNull(registry);
        this.kinds = Objects.requireNonNull(kinds);
        this.callback = Objects.requireNonNull(callback);
    }

    @Override
    public Pid start(String kind, ChildStart start) {
        ChildKind code = kinds.find(kind).orElse(null);
        if (code == null) {
            return processes.spawn(self -> self.exit(UNKNOWN_KIND));
        }
        Pid pid = Servers.spawn(processes, new Supervised(this, start, code));
        pendingIds.add(start.id());
        pendingPids.add(pid);
        if (pendingIds.size() >= REGISTER_BATCH_MAX) {
            flush();
        }
        return pid;
    }

    /**
     * Registers the children started since the last flush in one registry write, from a process of its own (the
     * replica never waits for the registry), and tells each child whether its name was free.
     */
    @Override
    public void flush() {
        if (pendingIds.isEmpty()) {
            return;
        }
        java.util.List<String> ids = java.util.List.copyOf(pendingIds);
        java.util.List<Pid> pids = java.util.List.copyOf(pendingPids);
        pendingIds.clear();
        pendingPids.clear();
        processes.spawn(self -> {
            java.util.List<RegisterResult> results;
            try {
                results = registry.registerAll(ids, pids);
            } catch (RuntimeException e) {
                // The registry did not answer: the children end (their replica retries them as name_taken).
                pids.forEach(pid -> processes.send(pid, new Verdict(false)));
                throw e;
            }
            for (int i = 0; i < pids.size(); i++) {
                boolean registered = results.get(i) instanceof RegisterResult.Registered
                        || results.get(i) instanceof RegisterResult.NoProcess; // it already ended: nothing to tell
                processes.send(pids.get(i), new Verdict(registered));
            }
        });
    }

    @Override
    public void requestHandoff(Pid pid) {
        processes.send(pid, HandoffRequest.INSTANCE);
    }

    /** The wrapper around one incarnation's server; its state is the inner server's. */
    private static final class Supervised implements Server<Object> {
        private final ProcessChildRuntime runtime;
        private final ChildStart start;
        private final ChildKind kind;
        private Server<Object> inner;

        Supervised(ProcessChildRuntime runtime, ChildStart start, ChildKind kind) {
            this.runtime = runtime;
            this.start = start;
            this.kind = kind;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Next<Object> init(ServerContext context) throws Exception {
            context.process().trapExits(true); // so the supervisor's shutdown runs terminate
            // Its name is registered in a batch with the other children of the same replica event; no user code runs
            // before the verdict, so the child is never reachable unnamed nor run under a name held elsewhere.
            Verdict verdict = context.process()
                    .receive(Verdict.class, v -> true, VERDICT_TIMEOUT)
                    .orElse(new Verdict(false));
            if (!verdict.registered()) {
                return Next.stop(NAME_TAKEN, null);
            }
            inner = (Server<Object>) kind.create(start);
            return inner.init(context);
        }

        @Override
        public Next<Object> handleCall(Object request, ServerContext.From from, Object state, ServerContext context)
                throws Exception {
            return inner.handleCall(request, from, state, context);
        }

        @Override
        public Next<Object> handleCast(Object message, Object state, ServerContext context) throws Exception {
            return inner.handleCast(message, state, context);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Next<Object> handleInfo(Object message, Object state, ServerContext context) throws Exception {
            if (message == HandoffRequest.INSTANCE) {
                byte[] handed = inner instanceof Handoff<?> handoff ? ((Handoff<Object>) handoff).handOff(state) : null;
                runtime.callback.handedOff(context.self(), handed);
                return Next.stop(HANDED_OFF, state);
            }
            if (message instanceof Signal.Exit exit && exit.from().serial() == 0) {
                return Next.stop(exit.reason(), state); // from the node: the supervisor stops it
            }
            if (message instanceof NameConflict) {
                return Next.stop(io.cohort.registry.ConflictPolicy.NAME_CONFLICT, state); // lost its name
            }
            return inner.handleInfo(message, state, context);
        }

        @Override
        public Next<Object> handleContinue(Object argument, Object state, ServerContext context) throws Exception {
            return inner.handleContinue(argument, state, context);
        }

        @Override
        public void terminate(ExitReason reason, Object state) {
            if (inner != null) {
                inner.terminate(reason, state);
            }
        }
    }
}
