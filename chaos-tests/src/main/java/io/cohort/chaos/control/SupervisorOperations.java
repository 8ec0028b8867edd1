package io.cohort.chaos.control;

import io.cohort.chaos.control.wire.ChildView;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import io.cohort.chaos.control.wire.RunningChild;
import io.cohort.chaos.control.wire.SupReply;
import io.cohort.chaos.control.wire.SupSent;
import io.cohort.chaos.control.wire.SupSnapshot;
import io.cohort.chaos.control.wire.SupStarted;
import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.CallException;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.registry.Registry;
import io.cohort.supervisor.ChildInfo;
import io.cohort.supervisor.ChildKinds;
import io.cohort.supervisor.ChildSpec;
import io.cohort.supervisor.ChildStart;
import io.cohort.supervisor.DistributedSupervisor;
import io.cohort.supervisor.Placement;
import io.cohort.supervisor.SupervisorServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Distributed-supervisor operations on the control channel, over the supervisor {@value #SUPERVISOR} of the node
 * (its children's names in the registry {@value #NAMES}): start permanent children of the kind {@value #KIND}, call
 * and send to them by name, and read the supervisor as this node sees it together with the incarnations that run
 * user code here now — what the supervisor checkers judge.
 *
 * <p>A {@value #KIND} child answers a call with its pid and fencing token and counts what is sent to it. An
 * incarnation counts as running from its {@code init} (which the supervisor's runtime calls only once its name is
 * registered) until it ends.
 *
 * <p>Planted bug {@value #BUG_DUPLICATES} (harness self-tests only; see {@link ContainerNode}): the supervisor runs
 * with a placement under which every node picks itself as the owner of every child. Placement must give every node
 * the same answer; with this one, every node keeps its own copy of each child.
 */
public final class SupervisorOperations {

    public static final String SUPERVISOR = "chaos";
    /** The registry the supervisor's children are named in (not the registry workload's). */
    public static final String NAMES = "chaos-sup";

    public static final String KIND = "chaos-child";
    public static final String BUG_DUPLICATES = "supervisor-duplicates";

    /** Bugs this class can plant. */
    public static final List<String> BUGS = List.of(BUG_DUPLICATES);

    /** Longest call by name the channel makes. */
    static final Duration CALL_TIMEOUT_MAX = Duration.ofSeconds(10);

    /** Incarnations of {@value #KIND} running on this node: pid -> what it is. */
    private final Map<Pid, Incarnation> running = new ConcurrentHashMap<>();

    private final DistributedSupervisor supervisor;

    /** One running incarnation, as its own process sees it. */
    private record Incarnation(String id, long token, AtomicLong messages) {}

    /** Binds to {@code server}, one of {@code node}'s components, naming its children in {@code names}. */
    public SupervisorOperations(Node node, SupervisorServer server, Registry names) {
        this.supervisor = new DistributedSupervisor(node, server, names, kinds());
    }

    /** The supervisor's options: the defaults, or under the bug a placement that picks this node for everything. */
    public static SupervisorServer.Options options(String bug, String selfName) {
        SupervisorServer.Options defaults = SupervisorServer.Options.defaults();
        if (!bug.equals(BUG_DUPLICATES)) {
            return defaults;
        }
        Placement everyNodeItself = (id, hint, members) -> members.stream()
                .filter(member -> member.name().equals(selfName))
                .findFirst()
                .orElse(members.getFirst());
        return defaults.withPlacement(everyNodeItself);
    }

    /** The kinds to give the supervisor: {@value #KIND}, recording its incarnations here. */
    private ChildKinds kinds() {
        return new ChildKinds().register(KIND, start -> new Child(start, running));
    }

    public void registerWith(ControlServer server) {
        server.serve(Request.OpCase.SUP_START, this::start);
        server.serve(Request.OpCase.SUP_CALL, this::call);
        server.serve(
                Request.OpCase.SUP_SEND,
                request -> Response.newBuilder()
                        .setSupSent(SupSent.newBuilder()
                                .setSent(supervisor.send(request.getSupSend().getId(), "chaos-send"))
                                .build()));
        server.serve(Request.OpCase.SUP_READ, this::read);
    }

    private Response.Builder start(Request request) {
        String id = request.getSupStart().getId();
        SupervisorServer.StartResult result = supervisor.startChild(ChildSpec.of(id, KIND, null));
        String outcome = switch (result) {
            case SupervisorServer.StartResult.Started started -> "started";
            case SupervisorServer.StartResult.AlreadyStarted already -> "already";
            case SupervisorServer.StartResult.UnknownKind unknown ->
                throw new IllegalStateException("kind " + KIND + " is not registered here");
        };
        return Response.newBuilder()
                .setSupStarted(SupStarted.newBuilder().setOutcome(outcome).build());
    }

    private Response.Builder call(Request request) {
        var call = request.getSupCall();
        Duration timeout = timeout(call.getTimeoutMs());
        Object reply = supervisor.call(call.getId(), "chaos-call", timeout);
        return Response.newBuilder().setSupReply(reply(reply));
    }

    private static Duration timeout(int ms) {
        if (ms <= 0) {
            throw new IllegalArgumentException("a call needs a timeout");
        }
        Duration timeout = Duration.ofMillis(ms);
        return timeout.compareTo(CALL_TIMEOUT_MAX) > 0 ? CALL_TIMEOUT_MAX : timeout;
    }

    /** A child's answer: {@code <pid> <token>}. */
    private static SupReply reply(Object reply) {
        String[] parts = String.valueOf(reply).split(" ");
        if (parts.length != 2) {
            throw new IllegalStateException("unexpected reply " + reply);
        }
        return SupReply.newBuilder()
                .setPid(parts[0])
                .setToken(Long.parseLong(parts[1]))
                .build();
    }

    private Response.Builder read(Request request) {
        int callMs = request.getSupRead().getCallTimeoutMs();
        SupSnapshot.Builder out = SupSnapshot.newBuilder();
        for (ChildInfo child : supervisor.whichChildren()) {
            ChildView.Builder view = ChildView.newBuilder()
                    .setId(child.id())
                    .setStatus(child.status().name())
                    .setNode(child.node() == null ? "" : child.node().toString())
                    .setPid(child.pid() == null ? "" : child.pid().toString())
                    .setToken(child.token());
            if (callMs > 0) {
                try {
                    view.setCallPid(reply(supervisor.call(child.id(), "chaos-call", timeout(callMs)))
                            .getPid());
                } catch (CallException | IllegalStateException e) {
                    view.setCallError(String.valueOf(e.getMessage()));
                }
            }
            out.addChildren(view.build());
        }
        out.setSpecsSaved(supervisor.specsSaved());
        NodeId self = supervisor.node().self();
        running.forEach((pid, incarnation) -> {
            if (pid.node().equals(self) && supervisor.node().processes().isAlive(pid)) {
                out.addRunning(RunningChild.newBuilder()
                        .setId(incarnation.id())
                        .setPid(pid.toString())
                        .setToken(incarnation.token())
                        .setMessages(incarnation.messages().get())
                        .build());
            }
        });
        return Response.newBuilder().setSupSnapshot(out);
    }

    /** The {@value #KIND} server: answers calls with {@code <pid> <token>}, counts other messages. */
    private static final class Child implements Server<AtomicLong> {
        private final ChildStart start;
        private final Map<Pid, Incarnation> running;
        private Pid self;

        Child(ChildStart start, Map<Pid, Incarnation> running) {
            this.start = start;
            this.running = running;
        }

        @Override
        public Next<AtomicLong> init(ServerContext context) {
            self = context.self();
            AtomicLong messages = new AtomicLong();
            running.put(self, new Incarnation(start.id(), start.token(), messages));
            return Next.state(messages);
        }

        @Override
        public Next<AtomicLong> handleCall(
                Object request, ServerContext.From from, AtomicLong messages, ServerContext context) {
            return Next.reply(self + " " + start.token(), messages);
        }

        @Override
        public Next<AtomicLong> handleInfo(Object message, AtomicLong messages, ServerContext context) {
            messages.incrementAndGet();
            return Next.state(messages);
        }

        @Override
        public void terminate(ExitReason reason, AtomicLong messages) {
            running.remove(self);
        }
    }
}
