package io.cohort.chaos.check;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a distributed-supervisor run: the permanent children the workload started against what the live nodes
 * report after the faults are undone and the quiet period has passed.
 *
 * <ul>
 *   <li>{@code supervisor-agreement}: every live node sees the same children, each with the same status on the same
 *       node.
 *   <li>{@code supervisor-exactly-once}: every child whose start was acknowledged runs exactly once cluster-wide: one
 *       incarnation runs user code, on the one node that says it runs it — no duplicates, none missing, none failed;
 *       and no child runs that nobody started.
 *   <li>{@code supervisor-resolvable}: a call by name from every live node reaches that incarnation.
 *   <li>{@code supervisor-no-resurrection}: no node shows a child on a node incarnation that is not alive.
 * </ul>
 *
 * <p>Pure: the same history and snapshots give the same verdicts.
 */
public final class SupervisorChecker {

    /** The workload's operations ({@link Op#f()}). */
    public static final Set<String> OPERATIONS = Set.of("start-child", "call", "send");

    private SupervisorChecker() {}

    public static List<CheckResult> check(History history, List<SupervisorSnapshot> live) {
        return List.of(agreement(live), exactlyOnce(history, live), resolvable(live), noResurrection(live));
    }

    /**
     * What the quiet period waits for: the live nodes agree, every child they know runs exactly once, and every node's
     * registry resolves each running child to that incarnation (what {@code supervisor-resolvable} then proves with
     * calls).
     */
    public static boolean converged(List<SupervisorSnapshot> live) {
        return agreement(live).passed() && exactlyOnce(new History(), live).passed() && resolvedAlike(live);
    }

    /** Every node resolves every child it lists to the one running incarnation of it. */
    static boolean resolvedAlike(List<SupervisorSnapshot> live) {
        Map<String, String> incarnation = incarnations(live);
        for (SupervisorSnapshot node : live) {
            for (SupervisorSnapshot.Child child : node.children()) {
                String expected = incarnation.get(child.id());
                if (expected != null && !expected.equals(child.pid())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** One line for the report: children known, incarnations running, messages they received. */
    public static String summary(List<SupervisorSnapshot> live) {
        int running = 0;
        long messages = 0;
        for (SupervisorSnapshot node : live) {
            running += node.running().size();
            for (SupervisorSnapshot.Running child : node.running()) {
                messages += child.messages();
            }
        }
        return "supervisor: " + (live.isEmpty() ? 0 : live.get(0).children().size()) + " children known, " + running
                + " incarnations running user code at the end (" + messages + " sends by name received since"
                + " they started)";
    }

    /** {@code id -> status@node} as one node sees it. */
    private static Map<String, String> placement(SupervisorSnapshot node) {
        Map<String, String> out = new TreeMap<>();
        node.children().forEach(child -> out.put(child.id(), child.status() + "@" + child.node()));
        return out;
    }

    static CheckResult agreement(List<SupervisorSnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        if (!live.isEmpty()) {
            Map<String, String> first = placement(live.get(0));
            for (SupervisorSnapshot node : live.subList(1, live.size())) {
                Map<String, String> other = placement(node);
                Set<String> ids = new TreeSet<>(first.keySet());
                ids.addAll(other.keySet());
                List<String> differ = new ArrayList<>();
                for (String id : ids) {
                    if (!Objects.equals(first.get(id), other.get(id))) {
                        differ.add(id + ": " + live.get(0).name() + " " + first.getOrDefault(id, "unknown") + ", "
                                + node.name() + " " + other.getOrDefault(id, "unknown"));
                    }
                }
                if (!differ.isEmpty()) {
                    violations.add(new Violation(
                            "supervisor-agreement",
                            node.name() + " and " + live.get(0).name() + " see the children differently: " + differ));
                }
            }
        }
        return new CheckResult(
                "supervisor-agreement",
                "after the quiet period every live node sees the same children running on the same nodes",
                violations);
    }

    static CheckResult exactlyOnce(History history, List<SupervisorSnapshot> live) {
        Set<String> acknowledged = new TreeSet<>();
        Set<String> attempted = new HashSet<>();
        for (Op op : history.ops()) {
            if (!op.isNemesis() && op.isCompletion() && op.f().equals("start-child")) {
                String id = history.invocationOf(op).value();
                if (op.type() == Op.Type.OK) {
                    acknowledged.add(id);
                }
                if (op.type() != Op.Type.FAIL) {
                    attempted.add(id);
                }
            }
        }
        Set<String> ids = new TreeSet<>(acknowledged);
        Map<String, List<String>> running = new TreeMap<>(); // id -> pids running user code
        Map<String, List<String>> claimedBy = new TreeMap<>(); // id -> nodes saying they run it themselves
        Map<String, Set<String>> statuses = new TreeMap<>();
        for (SupervisorSnapshot node : live) {
            node.running()
                    .forEach(child -> running.computeIfAbsent(child.id(), id -> new ArrayList<>())
                            .add(child.pid()));
            for (SupervisorSnapshot.Child child : node.children()) {
                ids.add(child.id());
                statuses.computeIfAbsent(child.id(), id -> new TreeSet<>()).add(child.status());
                if (child.status().equals("RUNNING") && child.node().equals(node.self())) {
                    claimedBy
                            .computeIfAbsent(child.id(), id -> new ArrayList<>())
                            .add(node.name());
                }
            }
        }
        ids.addAll(running.keySet());
        List<Violation> violations = new ArrayList<>();
        for (String id : ids) {
            List<String> pids = running.getOrDefault(id, List.of());
            List<String> claims = claimedBy.getOrDefault(id, List.of());
            boolean known = attempted.contains(id) || acknowledged.contains(id);
            if (!history.ops().isEmpty() && !known) {
                violations.add(new Violation(
                        "supervisor-exactly-once", id + " runs (" + pids + ") but no worker ever started it"));
                continue;
            }
            if (pids.size() != 1 || claims.size() != 1) {
                violations.add(new Violation(
                        "supervisor-exactly-once",
                        id + " runs " + pids.size() + " time(s) " + pids + ", and " + claims.size()
                                + " node(s) say they run it " + claims + " (statuses seen: "
                                + statuses.getOrDefault(id, Set.of()) + "): it must run exactly once"));
            } else if (!statuses.get(id).equals(Set.of("RUNNING"))) {
                violations.add(new Violation(
                        "supervisor-exactly-once", id + " is " + statuses.get(id) + " on some live node"));
            }
        }
        return new CheckResult(
                "supervisor-exactly-once",
                "every permanent child that was started runs exactly once cluster-wide: no duplicates, none missing",
                violations);
    }

    /** The pid of each child's incarnation running user code, over the live nodes (the last seen, if several). */
    private static Map<String, String> incarnations(List<SupervisorSnapshot> live) {
        Map<String, String> incarnation = new TreeMap<>();
        live.forEach(node -> node.running().forEach(child -> incarnation.put(child.id(), child.pid())));
        return incarnation;
    }

    static CheckResult resolvable(List<SupervisorSnapshot> live) {
        Map<String, String> incarnation = incarnations(live);
        List<Violation> violations = new ArrayList<>();
        for (SupervisorSnapshot node : live) {
            for (SupervisorSnapshot.Child child : node.children()) {
                String expected = incarnation.get(child.id());
                if (expected == null) {
                    continue; // exactly-once reports it
                }
                if (!expected.equals(child.callPid())) {
                    violations.add(new Violation(
                            "supervisor-resolvable",
                            "a call to " + child.id() + " by name from " + node.name() + " reached "
                                    + (child.callPid().isEmpty()
                                            ? "nothing (" + child.callError() + ")"
                                            : child.callPid())
                                    + ", not its incarnation " + expected));
                }
            }
        }
        return new CheckResult(
                "supervisor-resolvable",
                "a call by name from every live node reaches the one running incarnation of each child",
                violations);
    }

    static CheckResult noResurrection(List<SupervisorSnapshot> live) {
        Set<String> alive = new TreeSet<>();
        live.forEach(node -> alive.add(node.self()));
        List<Violation> violations = new ArrayList<>();
        for (SupervisorSnapshot node : live) {
            for (SupervisorSnapshot.Child child : node.children()) {
                boolean deadNode = !child.node().isEmpty() && !alive.contains(child.node());
                boolean deadPid = !child.pid().isEmpty() && !alive.contains(PgChecker.nodeOf(child.pid()));
                if (deadNode || deadPid) {
                    violations.add(new Violation(
                            "supervisor-no-resurrection",
                            node.name() + " shows " + child.id() + " on " + child.node() + " (pid " + child.pid()
                                    + "), of a dead incarnation"));
                }
            }
        }
        return new CheckResult(
                "supervisor-no-resurrection",
                "no node shows a child on a node incarnation that is not alive",
                violations);
    }
}
