package io.cohort.chaos.check;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks a registry run: the history of registrations, unregistrations and kills against what the live nodes report
 * after the faults are undone and the quiet period has passed. The workload spawns one process per registration,
 * which lives exactly while it should hold its name (see {@code RegistryOperations}), so "holds the name" can be read
 * off the processes themselves.
 *
 * <ul>
 *   <li>{@code registry-agreement}: every live node resolves exactly the same names to the same pids.
 *   <li>{@code registry-one-owner}: at most one live process holds each name, and every name resolves to a live
 *       process spawned for that name on a live node.
 *   <li>{@code registry-no-lost-registration}: every live registry process is the owner of its name everywhere, and
 *       every acknowledged registration whose process ended was ended by an operation or a lost conflict — a live
 *       registration is never lost (Horde's classic bug after a healed partition).
 *   <li>{@code registry-loser-notified}: every conflict a live node reports has exactly one loser notification (the
 *       loser's {@code name_conflict} exit), every notification belongs to a conflict its node saw, no node reports
 *       one conflict twice, and a loser never ends up the owner.
 *   <li>{@code registry-no-resurrection}: no name resolves to a process of a node incarnation that is not alive.
 * </ul>
 *
 * <p>Pure: the same history and snapshots give the same verdicts.
 */
public final class RegistryChecker {

    /** The workload's operations ({@link Op#f()}). */
    public static final Set<String> OPERATIONS = Set.of("register", "unregister", "reg-exit", "lookup");

    private RegistryChecker() {}

    /** Every check, in a fixed order. {@code live} is the final snapshot of each live node. */
    public static List<CheckResult> check(History history, List<RegistrySnapshot> live) {
        return List.of(
                agreement(live),
                oneOwner(live),
                noLostRegistration(history, live),
                loserNotified(live),
                noResurrection(live));
    }

    /** What the quiet period waits for: the live nodes resolve every name alike (a bug may keep the rest broken). */
    public static boolean converged(List<RegistrySnapshot> live) {
        return agreement(live).passed();
    }

    /** One line for the report: names, registry processes, conflicts and loser notifications the live nodes saw. */
    public static String summary(List<RegistrySnapshot> live) {
        Set<String> conflicts = new TreeSet<>();
        int processes = 0;
        int notifications = 0;
        for (RegistrySnapshot node : live) {
            node.conflicts().forEach(c -> conflicts.add(c.name() + " " + c.loser()));
            processes += node.processes().size();
            for (RegistrySnapshot.Holder holder : node.processes()) {
                notifications += holder.conflictExits();
            }
        }
        return "registry: " + (live.isEmpty() ? 0 : live.get(0).owners().size()) + " names resolve at the end; the"
                + " live nodes' lives spawned " + processes + " registry processes, saw " + conflicts.size()
                + " conflicts and sent " + notifications + " loser notifications";
    }

    static CheckResult agreement(List<RegistrySnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        if (!live.isEmpty()) {
            RegistrySnapshot first = live.get(0);
            for (RegistrySnapshot node : live.subList(1, live.size())) {
                Set<String> names = new TreeSet<>(first.owners().keySet());
                names.addAll(node.owners().keySet());
                List<String> differ = new ArrayList<>();
                for (String name : names) {
                    String a = first.owners().get(name);
                    String b = node.owners().get(name);
                    if (a == null ? b != null : !a.equals(b)) {
                        differ.add(name + ": " + first.name() + "->" + (a == null ? "none" : a) + " " + node.name()
                                + "->" + (b == null ? "none" : b));
                    }
                }
                if (!differ.isEmpty()) {
                    violations.add(new Violation(
                            "registry-agreement",
                            node.name() + " and " + first.name() + " resolve names differently: " + differ));
                }
            }
        }
        return new CheckResult(
                "registry-agreement",
                "after the quiet period every live node resolves the same names to the same processes",
                violations);
    }

    static CheckResult oneOwner(List<RegistrySnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        Map<String, RegistrySnapshot.Holder> holders = new HashMap<>();
        Map<String, List<String>> aliveByName = new TreeMap<>();
        for (RegistrySnapshot node : live) {
            for (RegistrySnapshot.Holder holder : node.processes()) {
                holders.put(holder.pid(), holder);
                if (holder.alive()) {
                    aliveByName
                            .computeIfAbsent(holder.name(), n -> new ArrayList<>())
                            .add(holder.pid());
                }
            }
        }
        aliveByName.forEach((name, pids) -> {
            if (pids.size() > 1) {
                violations.add(new Violation(
                        "registry-one-owner",
                        name + " is held by " + pids.size() + " live processes " + pids
                                + " (a conflict was not resolved, or its loser never heard)"));
            }
        });
        for (RegistrySnapshot node : live) {
            node.owners().forEach((name, pid) -> {
                RegistrySnapshot.Holder holder = holders.get(pid);
                if (holder == null) {
                    violations.add(new Violation(
                            "registry-one-owner",
                            node.name() + " resolves " + name + " to " + pid
                                    + ", which no live node spawned for a registration"));
                } else if (!holder.alive() || !holder.name().equals(name)) {
                    violations.add(new Violation(
                            "registry-one-owner",
                            node.name() + " resolves " + name + " to " + pid + ", "
                                    + (holder.alive()
                                            ? "which was spawned for " + holder.name()
                                            : "which ended (" + holder.endReason() + ")")));
                }
            });
        }
        return new CheckResult(
                "registry-one-owner",
                "each name is held by at most one live process, and resolves only to a live holder of that name",
                violations);
    }

    static CheckResult noLostRegistration(History history, List<RegistrySnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        for (RegistrySnapshot holderNode : live) {
            for (RegistrySnapshot.Holder holder : holderNode.processes()) {
                if (!holder.alive()) {
                    continue;
                }
                for (RegistrySnapshot node : live) {
                    String owner = node.owners().get(holder.name());
                    if (!holder.pid().equals(owner)) {
                        violations.add(new Violation(
                                "registry-no-lost-registration",
                                node.name() + " resolves " + holder.name() + " to "
                                        + (owner == null ? "nothing" : owner) + ", but its holder " + holder.pid()
                                        + " lives and was never told it lost the name"));
                    }
                }
            }
        }
        // Acknowledged registrations of live incarnations: each ended, if it did, by an operation or a conflict.
        Map<String, RegistrySnapshot.Holder> holders = new HashMap<>();
        Set<String> alive = new HashSet<>();
        live.forEach(node -> {
            alive.add(node.self());
            node.processes().forEach(holder -> holders.put(holder.pid(), holder));
        });
        Set<String> unregistered = new HashSet<>(); // "node name" with an unregister ok-removed or unknown
        Set<String> killed = new HashSet<>();
        List<String[]> acknowledged = new ArrayList<>(); // {pid, name, node}
        for (Op op : history.ops()) {
            if (op.isNemesis() || !op.isCompletion() || !OPERATIONS.contains(op.f())) {
                continue;
            }
            Op invoke = history.invocationOf(op);
            switch (op.f()) {
                case "register" -> {
                    if (op.type() == Op.Type.OK && op.value().startsWith("registered ")) {
                        acknowledged.add(new String[] {op.value().substring(11), invoke.value(), op.node()});
                    }
                }
                case "unregister" -> {
                    if (op.type() == Op.Type.INFO || op.value().startsWith("removed")) {
                        unregistered.add(op.node() + " " + invoke.value());
                    }
                }
                case "reg-exit" -> {
                    if (op.type() != Op.Type.FAIL) {
                        killed.add(invoke.value());
                    }
                }
                default -> {} // lookups change nothing
            }
        }
        for (String[] registration : acknowledged) {
            String pid = registration[0];
            if (!alive.contains(PgChecker.nodeOf(pid))) {
                continue; // its node's life ended: so did the process
            }
            RegistrySnapshot.Holder holder = holders.get(pid);
            if (holder == null) {
                violations.add(new Violation(
                        "registry-no-lost-registration",
                        registration[2] + " acknowledged " + registration[1] + " for " + pid
                                + ", but does not report the process"));
                continue;
            }
            if (holder.alive()) {
                continue;
            }
            boolean explained = switch (holder.endReason()) {
                case "name_conflict" -> holder.conflictExits() > 0;
                case "unregistered" -> unregistered.contains(registration[2] + " " + registration[1]);
                case "killed" -> killed.contains(pid);
                default -> false;
            };
            if (!explained) {
                violations.add(new Violation(
                        "registry-no-lost-registration",
                        "the acknowledged registration of " + registration[1] + " by " + pid + " on "
                                + registration[2] + " is gone (" + holder.endReason()
                                + ") with no unregister, kill or lost conflict to explain it"));
            }
        }
        return new CheckResult(
                "registry-no-lost-registration",
                "a live process never loses its name: it still owns it everywhere unless it was told it lost a"
                        + " conflict",
                violations);
    }

    static CheckResult loserNotified(List<RegistrySnapshot> live) {
        List<Violation> violations = new ArrayList<>();
        Map<String, RegistrySnapshot.Holder> holders = new HashMap<>();
        Map<String, String> holderNode = new HashMap<>();
        Set<String> owners = new HashSet<>();
        Set<String> alive = new HashSet<>();
        for (RegistrySnapshot node : live) {
            alive.add(node.self());
            owners.addAll(node.owners().values());
            for (RegistrySnapshot.Holder holder : node.processes()) {
                holders.put(holder.pid(), holder);
                holderNode.put(holder.pid(), node.name());
            }
        }
        Map<String, RegistrySnapshot.Conflict> conflicts = new TreeMap<>(); // by loser
        Map<String, Set<String>> seenByLoserNode = new HashMap<>(); // loser -> names its own node reported
        for (RegistrySnapshot node : live) {
            Map<String, Integer> counts = new TreeMap<>();
            for (RegistrySnapshot.Conflict conflict : node.conflicts()) {
                counts.merge(conflict.name() + " lost by " + conflict.loser(), 1, Integer::sum);
                conflicts.putIfAbsent(conflict.loser(), conflict);
                if (PgChecker.nodeOf(conflict.loser()).equals(node.self())) {
                    seenByLoserNode
                            .computeIfAbsent(conflict.loser(), l -> new TreeSet<>())
                            .add(conflict.name());
                }
            }
            counts.forEach((conflict, count) -> {
                if (count > 1) {
                    violations.add(new Violation(
                            "registry-loser-notified",
                            node.name() + " reported the conflict over " + conflict + " " + count + " times"));
                }
            });
        }
        conflicts.forEach((loser, conflict) -> {
            if (conflict.loser().equals(conflict.winner())) {
                violations.add(new Violation(
                        "registry-loser-notified", "a conflict over " + conflict.name() + " names one pid twice"));
            }
            if (owners.contains(loser)) {
                violations.add(new Violation(
                        "registry-loser-notified",
                        loser + " lost " + conflict.name() + " but a live node resolves a name to it"));
            }
            if (!alive.contains(PgChecker.nodeOf(loser))) {
                return; // its node's life ended: nothing left to notify
            }
            RegistrySnapshot.Holder holder = holders.get(loser);
            if (holder == null) {
                violations.add(new Violation(
                        "registry-loser-notified",
                        "the loser " + loser + " of " + conflict.name() + " is unknown to its node"));
            } else if (holder.conflictExits() != 1
                    && !holder.endReason().equals("killed")
                    && !holder.endReason().equals("unregistered")) {
                violations.add(new Violation(
                        "registry-loser-notified",
                        "the loser " + loser + " of " + conflict.name() + " (winner " + conflict.winner() + ") got "
                                + holder.conflictExits() + " loser notifications on " + holderNode.get(loser)
                                + (holder.alive() ? " and still runs" : "") + ", not exactly one"));
            }
        });
        holders.forEach((pid, holder) -> {
            if (holder.conflictExits() > 0
                    && !seenByLoserNode.getOrDefault(pid, Set.of()).contains(holder.name())) {
                violations.add(new Violation(
                        "registry-loser-notified",
                        pid + " on " + holderNode.get(pid) + " was told it lost " + holder.name()
                                + ", but its node reported no such conflict"));
            }
        });
        return new CheckResult(
                "registry-loser-notified",
                "every conflict over a name has exactly one loser notification, sent to the loser by its own node",
                violations);
    }

    static CheckResult noResurrection(List<RegistrySnapshot> live) {
        Set<String> alive = new TreeSet<>();
        live.forEach(node -> alive.add(node.self()));
        List<Violation> violations = new ArrayList<>();
        for (RegistrySnapshot node : live) {
            node.owners().forEach((name, pid) -> {
                if (!alive.contains(PgChecker.nodeOf(pid))) {
                    violations.add(new Violation(
                            "registry-no-resurrection",
                            node.name() + " resolves " + name + " to " + pid + " of a dead incarnation"));
                }
            });
        }
        return new CheckResult(
                "registry-no-resurrection",
                "no name resolves to a process of a node incarnation that is not alive",
                violations);
    }
}
