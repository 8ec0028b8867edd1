package io.cohort.chaos.check;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a process-group run: the history of joins, leaves and exits, against what the live nodes report after the
 * faults are undone and the quiet period has passed.
 *
 * <ul>
 *   <li>{@code membership-agreement}: every live node holds the same view, and its members are exactly the live
 *       nodes' current incarnations.
 *   <li>{@code pg-local-history}: each node's own members are what its history allows: every acknowledged join that
 *       was not left is there, nothing is there that was never joined or was left or exited. Unknown outcomes widen
 *       what is allowed, never narrow it.
 *   <li>{@code pg-convergence}: every live node sees, for every group, exactly the union of the live nodes' own
 *       members (pg members equal the live joined set).
 *   <li>{@code no-resurrection}: no node shows a member whose node incarnation is not alive (a killed life's
 *       processes never come back).
 *   <li>{@code pg-monitors}: each monitor fired exactly once: the monitor a node sets on every idle process it spawns
 *       delivered one DOWN for each process the history ended, and none for a process still alive.
 * </ul>
 *
 * <p>Histories come from workers that each drive one node and issue one operation at a time, so the operations on a
 * pid are sequential and can be folded in order. Pure: the same history and snapshots give the same verdicts.
 */
public final class PgChecker {

    private PgChecker() {}

    /** Every check, in a fixed order. {@code live} is the final snapshot of each live node. */
    public static List<CheckResult> check(History history, List<NodeSnapshot> live) {
        return List.of(
                membershipAgreement(live),
                localHistory(history, live),
                convergence(live),
                noResurrection(live),
                monitors(history, live));
    }

    /** The checks that need no history: what the quiet period waits for. */
    public static boolean converged(List<NodeSnapshot> live) {
        return membershipAgreement(live).passed()
                && convergence(live).passed()
                && noResurrection(live).passed();
    }

    static CheckResult monitors(History history, List<NodeSnapshot> live) {
        Map<String, Bounds> pids = fold(history);
        List<Violation> violations = new ArrayList<>();
        for (NodeSnapshot node : live) {
            String prefix = "<" + node.self() + ".";
            node.monitors().forEach((pid, fired) -> {
                Bounds bounds = pids.get(pid);
                long low = bounds != null && bounds.exited ? 1 : 0;
                long high = bounds != null && (bounds.exited || bounds.maybeExited) ? 1 : 0;
                if (fired < low || fired > high) {
                    violations.add(new Violation(
                            "pg-monitors",
                            node.name() + ": the monitor of " + pid + " fired " + fired + " time(s); "
                                    + (low == 1 ? "it was exited, so once" : high == 1 ? "at most once" : "it lives")));
                }
            });
            if (!node.monitors().isEmpty()) {
                pids.forEach((pid, bounds) -> {
                    if (pid.startsWith(prefix)
                            && bounds.spawned
                            && !node.monitors().containsKey(pid)) {
                        violations.add(new Violation(
                                "pg-monitors", node.name() + " spawned " + pid + " but reports no monitor of it"));
                    }
                });
            }
        }
        return new CheckResult(
                "pg-monitors",
                "each monitor fires exactly once: one DOWN for every process that ended, none for a live one",
                violations);
    }

    /** The membership check alone, for runs without the pg workload. */
    public static CheckResult membershipAgreementOf(List<NodeSnapshot> live) {
        return membershipAgreement(live);
    }

    static CheckResult membershipAgreement(List<NodeSnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        Set<String> expected = new TreeSet<>();
        live.forEach(node -> expected.add(node.self()));
        Set<String> viewIds = new TreeSet<>();
        for (NodeSnapshot node : live) {
            viewIds.add(node.viewId());
            Set<String> members = new TreeSet<>(node.viewMembers());
            if (!members.equals(expected)) {
                violations.add(new Violation(
                        "membership-agreement",
                        node.name() + " holds view " + node.viewId() + " of " + members + ", the live nodes are "
                                + expected));
            }
        }
        if (viewIds.size() > 1) {
            violations.add(new Violation("membership-agreement", "live nodes hold different views: " + viewIds));
        }
        return new CheckResult(
                "membership-agreement",
                "after the quiet period every live node holds one view of exactly the live incarnations",
                violations);
    }

    /**
     * What a pid's membership of each group may be, folded from its operations: per group {@code [d, u, v]}, the
     * count the acknowledged operations leave ({@code d}), and the joins ({@code u}) and leaves ({@code v}) whose
     * outcome is unknown. An unknown operation may take effect at any later time (a request stuck in a paused node
     * runs when it resumes, racing the worker's later requests), so the count may be anywhere in
     * {@code [d - v, d + u]}.
     */
    static final class Bounds {
        final Map<String, int[]> byGroup = new TreeMap<>();
        boolean exited;
        boolean maybeExited;
        /** An acknowledged spawn returned it. */
        boolean spawned;

        int[] of(String group) {
            return byGroup.computeIfAbsent(group, g -> new int[3]);
        }

        int low(String group) {
            int[] g = byGroup.getOrDefault(group, new int[3]);
            return exited || maybeExited ? 0 : Math.max(0, g[0] - g[2]);
        }

        int high(String group) {
            int[] g = byGroup.getOrDefault(group, new int[3]);
            return exited ? 0 : g[0] + g[1];
        }
    }

    static CheckResult localHistory(History history, List<NodeSnapshot> live) {
        Map<String, Bounds> pids = fold(history);
        List<Violation> violations = new ArrayList<>();
        for (NodeSnapshot node : live) {
            String prefix = "<" + node.self() + ".";
            Map<String, Map<String, Integer>> actual = new TreeMap<>(); // pid -> group -> count
            node.localMembers()
                    .forEach((group, members) -> members.forEach(pid ->
                            actual.computeIfAbsent(pid, p -> new TreeMap<>()).merge(group, 1, Integer::sum)));
            Set<String> considered = new TreeSet<>(actual.keySet());
            pids.keySet().stream().filter(pid -> pid.startsWith(prefix)).forEach(considered::add);
            for (String pid : considered) {
                Bounds bounds = pids.get(pid);
                Map<String, Integer> counts = actual.getOrDefault(pid, Map.of());
                if (bounds == null) {
                    violations.add(new Violation(
                            "pg-local-history",
                            node.name() + " has " + pid + " in " + counts.keySet() + " but no worker spawned it"));
                    continue;
                }
                Set<String> groups = new TreeSet<>(bounds.byGroup.keySet());
                groups.addAll(counts.keySet());
                for (String group : groups) {
                    int count = counts.getOrDefault(group, 0);
                    int low = bounds.low(group);
                    int high = bounds.high(group);
                    if (count < low) {
                        violations.add(new Violation(
                                "pg-local-history",
                                node.name() + ": " + pid + " is in " + group + " " + count + " time(s), but " + low
                                        + " acknowledged join(s) were never left (lost write)"));
                    } else if (count > high) {
                        violations.add(new Violation(
                                "pg-local-history",
                                node.name() + ": " + pid + " is in " + group + " " + count + " time(s), at most "
                                        + high + " possible from its history"
                                        + (bounds.exited ? " (it exited)" : "")));
                    }
                }
            }
        }
        return new CheckResult(
                "pg-local-history",
                "each node's own members match its history: no acknowledged join lost, no member from nowhere",
                violations);
    }

    /** Folds the history per pid: ranges of each group's membership count, and whether it exited. */
    static Map<String, Bounds> fold(History history) {
        Map<String, Bounds> pids = new HashMap<>();
        for (Op op : history.ops()) {
            if (op.isNemesis() || !op.isCompletion()) {
                continue;
            }
            Op invoke = history.invocationOf(op);
            String[] args = invoke.value().split(" ");
            switch (op.f()) {
                case "spawn" -> {
                    if (op.type() == Op.Type.OK) {
                        Arrays.stream(op.value().split(" "))
                                .filter(pid -> !pid.isEmpty())
                                .forEach(pid -> pids.computeIfAbsent(pid, p -> new Bounds()).spawned = true);
                    }
                }
                case "join" -> {
                    int[] group =
                            pids.computeIfAbsent(args[1], p -> new Bounds()).of(args[0]);
                    if (op.type() == Op.Type.OK) {
                        group[0]++;
                    } else if (op.type() == Op.Type.INFO) {
                        group[1]++;
                    }
                }
                case "leave" -> {
                    int[] group =
                            pids.computeIfAbsent(args[1], p -> new Bounds()).of(args[0]);
                    if (op.type() == Op.Type.OK && op.value().equals("left")) {
                        if (group[0] > 0) {
                            group[0]--;
                        } else { // it left a membership an unknown join made
                            group[1] = Math.max(0, group[1] - 1);
                        }
                    } else if (op.type() == Op.Type.OK) { // not_joined: in none now; unknown joins may still land
                        group[0] = 0;
                    } else if (op.type() == Op.Type.INFO) {
                        group[2]++;
                    }
                }
                case "exit" -> {
                    Bounds bounds = pids.computeIfAbsent(args[0], p -> new Bounds());
                    if (op.type() == Op.Type.OK) {
                        bounds.exited = true;
                    } else if (op.type() == Op.Type.INFO) {
                        bounds.maybeExited = true;
                    }
                }
                default -> {} // publish and read change nothing
            }
        }
        return pids;
    }

    static CheckResult convergence(List<NodeSnapshot> live) {
        Map<String, List<String>> union = new TreeMap<>();
        for (NodeSnapshot node : live) {
            node.localMembers()
                    .forEach((group, members) ->
                            union.computeIfAbsent(group, g -> new ArrayList<>()).addAll(members));
        }
        List<Violation> violations = new ArrayList<>();
        for (NodeSnapshot node : live) {
            Set<String> groups = new TreeSet<>(union.keySet());
            groups.addAll(node.members().keySet());
            for (String group : groups) {
                Map<String, Integer> expected = counts(union.getOrDefault(group, List.of()));
                Map<String, Integer> seen = counts(node.members().getOrDefault(group, List.of()));
                if (!expected.equals(seen)) {
                    violations.add(new Violation(
                            "pg-convergence",
                            node.name() + " sees " + group + " missing " + difference(expected, seen) + ", extra "
                                    + difference(seen, expected)));
                }
            }
        }
        return new CheckResult(
                "pg-convergence",
                "every live node sees each group as exactly the union of the live nodes' own members",
                violations);
    }

    static CheckResult noResurrection(List<NodeSnapshot> live) {
        Set<String> alive = new TreeSet<>();
        live.forEach(node -> alive.add(node.self()));
        List<Violation> violations = new ArrayList<>();
        for (NodeSnapshot node : live) {
            node.members().forEach((group, members) -> {
                Set<String> dead = new TreeSet<>();
                for (String pid : members) {
                    if (!alive.contains(nodeOf(pid))) {
                        dead.add(pid);
                    }
                }
                if (!dead.isEmpty()) {
                    violations.add(new Violation(
                            "no-resurrection",
                            node.name() + " shows members of dead incarnations in " + group + ": " + dead));
                }
            });
        }
        return new CheckResult(
                "no-resurrection", "no node shows a member of a node incarnation that is not alive", violations);
    }

    /** {@code <n1#17.5>} -> {@code n1#17}. */
    static String nodeOf(String pid) {
        int dot = pid.lastIndexOf('.');
        return dot > 1 ? pid.substring(1, dot) : pid;
    }

    private static Map<String, Integer> counts(List<String> pids) {
        Map<String, Integer> counts = new TreeMap<>();
        pids.forEach(pid -> counts.merge(pid, 1, Integer::sum));
        return counts;
    }

    private static List<String> difference(Map<String, Integer> a, Map<String, Integer> b) {
        List<String> out = new ArrayList<>();
        a.forEach((pid, count) -> {
            int missing = count - b.getOrDefault(pid, 0);
            for (int i = 0; i < missing; i++) {
                out.add(pid);
            }
        });
        return out;
    }
}
