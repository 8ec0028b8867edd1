package io.cohort.chaos.control;

import io.cohort.chaos.control.wire.Done;
import io.cohort.chaos.control.wire.Pong;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import io.cohort.chaos.control.wire.Spawned;
import io.cohort.chaos.control.wire.View;
import io.cohort.node.MembershipView;
import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The control operations every node serves: who it is ({@code Ping}), its membership view, and idle processes a
 * workload can spawn, use as group members and kill. Idle processes count the messages they receive, so a harness
 * can see where published messages arrived.
 */
public final class NodeOperations {

    /** Processes one Spawn request may start. */
    static final int SPAWN_MAX = 1000;

    private final Node node;
    private final List<String> capabilities;
    private final List<String> pgScopes;
    private final String bug;
    /** Messages received by each idle process this node started, while it lives. */
    private final Map<Pid, AtomicLong> received = new ConcurrentHashMap<>();

    public NodeOperations(Node node, List<String> capabilities, List<String> pgScopes, String bug) {
        this.node = node;
        this.capabilities = List.copyOf(capabilities);
        this.pgScopes = List.copyOf(pgScopes);
        this.bug = bug;
    }

    /** Registers the operations with {@code server}. */
    public void registerWith(ControlServer server) {
        server.serve(Request.OpCase.PING, request -> Response.newBuilder().setPong(pong()));
        server.serve(Request.OpCase.READ_VIEW, request -> Response.newBuilder().setView(view()));
        server.serve(Request.OpCase.SPAWN, request -> spawn(request.getSpawn().getCount()));
        server.serve(Request.OpCase.EXIT_PROCESS, this::exit);
    }

    /** Message counts of the idle processes still alive, in pid order. */
    public Map<Pid, Long> receivedCounts() {
        Map<Pid, Long> counts = new TreeMap<>();
        received.forEach((pid, count) -> {
            if (node.processes().isAlive(pid)) {
                counts.put(pid, count.get());
            }
        });
        return counts;
    }

    private Pong pong() {
        return Pong.newBuilder()
                .setNode(node.self().toString())
                .setProtocolVersion(1)
                .addAllCapabilities(capabilities)
                .addAllPgScopes(pgScopes)
                .setBug(bug)
                .build();
    }

    private View view() {
        MembershipView view = node.view();
        View.Builder out = View.newBuilder().setNode(node.self().toString());
        if (view != null) {
            out.setViewId(view.id().creator() + "|" + view.id().id())
                    .addAllMembers(view.members().stream().map(NodeId::toString).toList())
                    .setMerge(view.isMerge());
        }
        return out.build();
    }

    private Response.Builder spawn(int count) {
        if (count < 1 || count > SPAWN_MAX) {
            throw new IllegalArgumentException("spawn count must be 1.." + SPAWN_MAX + ": " + count);
        }
        Spawned.Builder spawned = Spawned.newBuilder();
        for (int i = 0; i < count; i++) {
            AtomicLong counter = new AtomicLong();
            Pid pid = node.processes().spawn(self -> {
                while (true) {
                    self.receive();
                    counter.incrementAndGet();
                }
            });
            received.put(pid, counter);
            spawned.addPids(pid.toString());
        }
        return Response.newBuilder().setSpawned(spawned);
    }

    private Response.Builder exit(Request request) throws ControlServer.NoProcessException {
        Pid pid = localPid(request.getExitProcess().getPid());
        ExitReason reason = switch (request.getExitProcess().getReason()) {
            case "", "killed" -> ExitReason.KILLED;
            case "normal" -> ExitReason.NORMAL;
            case "shutdown" -> ExitReason.SHUTDOWN;
            default ->
                throw new IllegalArgumentException("exit reason must be killed, normal or shutdown: "
                        + request.getExitProcess().getReason());
        };
        node.processes().exit(pid, pid, reason);
        received.remove(pid);
        return Response.newBuilder().setDone(Done.getDefaultInstance());
    }

    /** Parses {@code text} as a live process of this node's current life. */
    Pid localPid(String text) throws ControlServer.NoProcessException {
        Pid pid = Pid.parse(text);
        if (!pid.node().equals(node.self()) || !node.processes().isAlive(pid)) {
            throw new ControlServer.NoProcessException("no live process " + pid + " on " + node.self());
        }
        return pid;
    }
}
