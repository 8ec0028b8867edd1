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
import io.cohort.node.process.Signal;
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
    /** Idle processes whose monitors are counted per life; later ones go unwatched (a run spawns far fewer). */
    static final int DOWNS_KEPT = 100_000;

    private final Node node;
    private final List<String> capabilities;
    private final List<String> pgScopes;
    private final String bug;
    /** Messages received by each idle process this node started, while it lives. */
    private final Map<Pid, AtomicLong> received = new ConcurrentHashMap<>();
    /** DOWNs delivered to the monitor this node sets on each idle process it started (this life, in spawn order). */
    private final Map<Pid, AtomicLong> downs = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** The process that monitors every idle process at its spawn and counts the DOWNs; null until registered. */
    private volatile Pid watcher;

    public NodeOperations(Node node, List<String> capabilities, List<String> pgScopes, String bug) {
        this.node = node;
        this.capabilities = List.copyOf(capabilities);
        this.pgScopes = List.copyOf(pgScopes);
        this.bug = bug;
    }

    /** Registers the operations with {@code server}. */
    public void registerWith(ControlServer server) {
        watcher = node.processes().spawn(self -> {
            while (true) {
                Object message = self.receive();
                if (message instanceof Pid target) {
                    self.monitor(target);
                } else if (message instanceof Signal.Down down) {
                    AtomicLong count = downs.get(down.pid());
                    if (count != null) {
                        count.incrementAndGet();
                    }
                }
            }
        });
        server.serve(Request.OpCase.PING, request -> Response.newBuilder().setPong(pong()));
        server.serve(Request.OpCase.READ_VIEW, request -> Response.newBuilder().setView(view()));
        server.serve(Request.OpCase.SPAWN, request -> spawn(request.getSpawn().getCount()));
        server.serve(Request.OpCase.EXIT_PROCESS, this::exit);
    }

    /**
     * The DOWNs each idle process's monitor delivered, for every idle process this life started: exactly one for a
     * process that ended, none for a live one (Erlang's promise; the {@code pg-monitors} check holds nodes to it).
     */
    public Map<Pid, Long> monitorCounts() {
        Map<Pid, Long> counts = new TreeMap<>();
        synchronized (downs) {
            downs.forEach((pid, count) -> counts.put(pid, count.get()));
        }
        return counts;
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
            if (downs.size() < DOWNS_KEPT) {
                downs.put(pid, new AtomicLong());
                node.processes().send(watcher, pid);
            }
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
