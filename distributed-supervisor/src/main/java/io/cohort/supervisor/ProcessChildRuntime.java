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

    /** The message that asks a child to hand its state over and stop. */
    enum HandoffRequest {
        INSTANCE
    }

    private final ProcessRuntime processes;
    private final Registry registry;
    private final ChildKinds kinds;
    private final Callback callback;

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
        return Servers.spawn(processes, new Supervised(this, start, code));
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
            RegisterResult result = runtime.registry.register(start.id(), context.self(), null);
            if (!(result instanceof RegisterResult.Registered)) {
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
