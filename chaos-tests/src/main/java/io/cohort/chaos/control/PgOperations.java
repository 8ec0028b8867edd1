package io.cohort.chaos.control;

import io.cohort.chaos.control.wire.Done;
import io.cohort.chaos.control.wire.GroupView;
import io.cohort.chaos.control.wire.PgLeft;
import io.cohort.chaos.control.wire.PgPublished;
import io.cohort.chaos.control.wire.PgSnapshot;
import io.cohort.chaos.control.wire.ProcessCount;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.pg.LeaveResult;
import io.cohort.pg.ProcessGroups;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Process-group operations on the control channel: join, leave, publish (pg's fan-out to every member this node
 * knows of) and a read of a whole scope (every group's members as this node sees them, and its local members).
 *
 * <p>Planted bugs, for the harness's own tests that prove the checkers catch real faults:
 * {@code pg-lost-join} acknowledges every fifth join without making it (a lost acknowledged write), and
 * {@code pg-frozen-read} answers reads with the members of other nodes as they were at the first read (a replica that
 * stops applying its peers' changes).
 */
public final class PgOperations {

    /** Bugs this class can plant. */
    public static final List<String> BUGS = List.of("pg-lost-join", "pg-frozen-read");

    private final Node node;
    private final NodeOperations processes;
    private final Map<String, ProcessGroups> scopes;
    private final String bug;
    private final AtomicLong joins = new AtomicLong();
    /** For {@code pg-frozen-read}: the first snapshot read of each scope. */
    private final Map<String, PgSnapshot> frozen = new ConcurrentHashMap<>();

    public PgOperations(Node node, NodeOperations processes, Map<String, ProcessGroups> scopes, String bug) {
        this.node = node;
        this.processes = processes;
        this.scopes = Map.copyOf(scopes);
        this.bug = bug;
    }

    public void registerWith(ControlServer server) {
        server.serve(Request.OpCase.PG_JOIN, this::join);
        server.serve(Request.OpCase.PG_LEAVE, this::leave);
        server.serve(Request.OpCase.PG_PUBLISH, this::publish);
        server.serve(
                Request.OpCase.PG_READ,
                request -> Response.newBuilder()
                        .setPgSnapshot(read(request.getPgRead().getScope())));
    }

    private Response.Builder join(Request request) throws ControlServer.NoProcessException {
        var join = request.getPgJoin();
        Pid[] pids = localPids(join.getPidsList());
        ProcessGroups groups = scope(join.getScope());
        boolean lose = bug.equals("pg-lost-join") && joins.incrementAndGet() % 5 == 0;
        if (!lose) {
            groups.join(join.getGroup(), pids);
        }
        return Response.newBuilder().setDone(Done.getDefaultInstance());
    }

    private Response.Builder leave(Request request) throws ControlServer.NoProcessException {
        var leave = request.getPgLeave();
        LeaveResult result = scope(leave.getScope()).leave(leave.getGroup(), localPids(leave.getPidsList()));
        return Response.newBuilder()
                .setPgLeft(
                        PgLeft.newBuilder().setLeft(result == LeaveResult.LEFT).build());
    }

    private Response.Builder publish(Request request) {
        var publish = request.getPgPublish();
        int sent = scope(publish.getScope())
                .publish(publish.getGroup(), publish.getPayload().toByteArray());
        return Response.newBuilder()
                .setPgPublished(PgPublished.newBuilder().setSent(sent).build());
    }

    private PgSnapshot read(String scopeName) {
        ProcessGroups groups = scope(scopeName);
        PgSnapshot.Builder snapshot = PgSnapshot.newBuilder();
        PgSnapshot old = bug.equals("pg-frozen-read") ? frozen.get(scopeName) : null;
        for (String group : new TreeSet<>(groups.whichGroups())) {
            List<String> local = strings(groups.localMembers(group));
            List<String> members = strings(groups.members(group));
            if (old != null) {
                // Others' members as first seen, our own as now: a replica that stopped applying its peers.
                members = new ArrayList<>(local);
                for (GroupView seen : old.getGroupsList()) {
                    if (seen.getGroup().equals(group)) {
                        List<String> others = new ArrayList<>(seen.getMembersList());
                        seen.getLocalMembersList().forEach(others::remove);
                        members.addAll(others);
                    }
                }
            }
            snapshot.addGroups(GroupView.newBuilder()
                    .setGroup(group)
                    .addAllMembers(members)
                    .addAllLocalMembers(local)
                    .build());
        }
        processes
                .receivedCounts()
                .forEach((pid, count) -> snapshot.addReceived(ProcessCount.newBuilder()
                        .setPid(pid.toString())
                        .setMessages(count)
                        .build()));
        processes
                .monitorCounts()
                .forEach((pid, count) -> snapshot.addMonitors(ProcessCount.newBuilder()
                        .setPid(pid.toString())
                        .setMessages(count)
                        .build()));
        PgSnapshot result = snapshot.build();
        if (bug.equals("pg-frozen-read") && result.getGroupsCount() > 0) {
            frozen.putIfAbsent(scopeName, result);
        }
        return result;
    }

    private ProcessGroups scope(String name) {
        ProcessGroups groups = scopes.get(name);
        if (groups == null) {
            throw new IllegalArgumentException(
                    "no pg scope '" + name + "' on " + node.self() + "; scopes: " + scopes.keySet());
        }
        return groups;
    }

    private Pid[] localPids(List<String> texts) throws ControlServer.NoProcessException {
        if (texts.isEmpty()) {
            throw new IllegalArgumentException("name at least one process");
        }
        Pid[] pids = new Pid[texts.size()];
        for (int i = 0; i < pids.length; i++) {
            pids[i] = processes.localPid(texts.get(i));
        }
        return pids;
    }

    private static List<String> strings(List<Pid> pids) {
        return pids.stream().map(Pid::toString).toList();
    }
}
