package io.cohort.node.sim;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.ViewId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Simulated group membership: the views JGroups' GMS, FD_SOCK2, FD_ALL3 and MERGE3 would install, decided from what
 * the simulation knows about crashes, pauses and links.
 *
 * <p><b>Model.</b> Every live node belongs to one group (one view lineage). A group drops a crashed member
 * {@code crashDetectNs} after the crash, and a leaving member {@code leaveDelayNs} after it left. Two members whose
 * link (either direction, or a pause of either) has been down for {@code suspectTimeoutNs} can no longer share a
 * view: the group splits into cliques, greedily in view order, each clique installing the next view of the lineage
 * with its first member as coordinator. A starting node joins the group with the smallest coordinator that it can
 * reach in full, or founds its own. At every merge check (random, about {@code mergeIntervalNs} apart) groups that
 * can reach each other in full merge into one merge view, listing the old views as subgroups. Each member receives a
 * view after a network delay, and a node receives its views in order; a paused node receives them when it resumes.
 *
 * <p>Links that are not transitive (A–B and B–C up, A–C down) end in cliques, not in the flapping a real stack might
 * show: the model is about the outcomes subsystems must survive, not about reproducing JGroups' timing.
 */
final class SimMembership {

    private final SimCluster sim;
    private final SimConfig config;
    private final SplittableRandom random;

    /** Current groups; each live node is in at most one. Kept sorted by coordinator when it matters. */
    private final List<Group> groups = new ArrayList<>();
    /** Nodes that asked to join, with the time they did. */
    private final Map<NodeId, Long> joining = new TreeMap<>();
    /** Crashed members not yet removed, with their crash time. */
    private final Map<NodeId, Long> crashed = new TreeMap<>();
    /** Gracefully leaving members not yet removed, with their leave time. */
    private final Map<NodeId, Long> leaving = new TreeMap<>();
    /**
     * When set, a clique of paused nodes cut off from the rest installs no view (it is frozen), and keeps reporting
     * its last view: in the merge view that follows, its subgroup is that old view, which overlaps the others'. This is
     * what JGroups does to a node stopped past failure detection; off by default, as the sweeps were tuned without it.
     */
    private boolean pausedKeepTheirView;

    /** Since when each pair of node names (sorted, "a|b") has been unable to talk, both ways. */
    private final Map<String, Long> downSince = new TreeMap<>();

    SimMembership(SimCluster sim, SimConfig config, SplittableRandom random) {
        this.sim = sim;
        this.config = config;
        this.random = random;
    }

    void start() {
        scheduleMergeCheck();
    }

    void join(NodeId node) {
        joining.put(node, sim.nowNs());
        reconcileAt(sim.nowNs() + config.joinDelayNs());
    }

    void crashed(NodeId node) {
        joining.remove(node);
        crashed.put(node, sim.nowNs());
        reconcileAt(sim.nowNs() + config.crashDetectNs());
    }

    void left(NodeId node) {
        joining.remove(node);
        leaving.put(node, sim.nowNs());
        reconcileAt(sim.nowNs() + config.leaveDelayNs());
    }

    /** Re-reads connectivity after a partition, heal, pause or resume, and starts suspicion clocks. */
    void connectivityChanged() {
        List<SimNode> live = sim.liveNodes();
        Map<String, Long> still = new TreeMap<>();
        for (int i = 0; i < live.size(); i++) {
            for (int j = i + 1; j < live.size(); j++) {
                SimNode a = live.get(i);
                SimNode b = live.get(j);
                if (!canTalk(a, b)) {
                    String key = pairKey(a.id(), b.id());
                    long since = downSince.getOrDefault(key, sim.nowNs());
                    still.put(key, since);
                    if (since == sim.nowNs()) {
                        reconcileAt(sim.nowNs() + config.suspectTimeoutNs());
                    }
                }
            }
        }
        downSince.clear();
        downSince.putAll(still);
    }

    /** The views as the groups hold them now, smallest coordinator first. */
    List<MembershipView> currentViews() {
        return sortedGroups().stream().map(group -> group.view).toList();
    }

    private void reconcileAt(long atNs) {
        sim.schedule(atNs, null, () -> "membership check", this::reconcile);
    }

    private void scheduleMergeCheck() {
        long interval = config.mergeIntervalNs();
        long delay = interval / 2 + random.nextLong(interval / 2 + 1);
        sim.schedule(sim.nowNs() + delay, null, () -> "merge check", () -> {
            merge();
            scheduleMergeCheck();
        });
    }

    private void reconcile() {
        long now = sim.nowNs();
        for (Group group : List.copyOf(sortedGroups())) {
            List<NodeId> survivors = new ArrayList<>();
            for (NodeId member : group.view.members()) {
                boolean gone = detected(crashed, member, now, config.crashDetectNs())
                        || detected(leaving, member, now, config.leaveDelayNs());
                if (!gone) {
                    survivors.add(member);
                }
            }
            List<List<NodeId>> cliques = cliques(survivors, now);
            if (cliques.size() == 1 && survivors.size() == group.view.size()) {
                continue;
            }
            groups.remove(group);
            for (List<NodeId> clique : cliques) {
                MembershipView next = MembershipView.of(
                        new ViewId(clique.get(0), group.view.id().id() + 1), clique);
                if (pausedKeepTheirView && cliques.size() > 1 && clique.stream().allMatch(member -> isPaused(member))) {
                    groups.add(new Group(next, group.reported)); // frozen: it never hears of its exclusion
                } else {
                    install(new Group(next, next));
                }
            }
        }
        crashed.entrySet().removeIf(e -> e.getValue() + config.crashDetectNs() <= now);
        leaving.entrySet().removeIf(e -> e.getValue() + config.leaveDelayNs() <= now);
        admitJoiners(now);
    }

    private void admitJoiners(long now) {
        for (NodeId joiner : List.copyOf(joining.keySet())) {
            if (joining.get(joiner) + config.joinDelayNs() > now) {
                continue;
            }
            SimNode node = sim.liveIncarnation(joiner);
            joining.remove(joiner);
            if (node == null) {
                continue;
            }
            Group target = null;
            for (Group group : sortedGroups()) {
                if (reachesAll(node, group.view.members())) {
                    target = group;
                    break;
                }
            }
            if (target == null) {
                MembershipView first = MembershipView.of(new ViewId(joiner, 1), List.of(joiner));
                install(new Group(first, first));
            } else {
                groups.remove(target);
                List<NodeId> members = new ArrayList<>(target.view.members());
                members.add(joiner);
                MembershipView next = MembershipView.of(
                        new ViewId(target.view.coordinator(), target.view.id().id() + 1), members);
                install(new Group(next, next));
            }
        }
    }

    private void merge() {
        List<Group> remaining = new ArrayList<>(sortedGroups());
        while (!remaining.isEmpty()) {
            Group leader = remaining.remove(0);
            List<Group> merged = new ArrayList<>(List.of(leader));
            List<NodeId> members = new ArrayList<>(leader.view.members());
            for (Group candidate : List.copyOf(remaining)) {
                if (fullyConnected(members, candidate.view.members())) {
                    merged.add(candidate);
                    members.addAll(candidate.view.members());
                    remaining.remove(candidate);
                }
            }
            if (merged.size() > 1) {
                long maxId =
                        merged.stream().mapToLong(g -> g.view.id().id()).max().orElseThrow();
                List<List<NodeId>> subgroups =
                        merged.stream().map(g -> g.reported.members()).toList();
                groups.removeAll(merged);
                MembershipView mergeView =
                        new MembershipView(new ViewId(members.get(0), maxId + 1), members, subgroups);
                install(new Group(mergeView, mergeView));
            }
        }
    }

    private void install(Group group) {
        groups.add(group);
        sim.installView(group.view);
    }

    /** Splits members into cliques of nodes that may still share a view, greedily in view order. */
    private List<List<NodeId>> cliques(List<NodeId> members, long now) {
        List<List<NodeId>> cliques = new ArrayList<>();
        for (NodeId member : members) {
            List<NodeId> home = null;
            for (List<NodeId> clique : cliques) {
                if (clique.stream().noneMatch(other -> suspected(member, other, now))) {
                    home = clique;
                    break;
                }
            }
            if (home == null) {
                home = new ArrayList<>();
                cliques.add(home);
            }
            home.add(member);
        }
        return cliques;
    }

    private boolean suspected(NodeId a, NodeId b, long now) {
        Long since = downSince.get(pairKey(a, b));
        return since != null && since + config.suspectTimeoutNs() <= now;
    }

    private boolean fullyConnected(List<NodeId> left, List<NodeId> right) {
        for (NodeId a : left) {
            SimNode nodeA = sim.liveIncarnation(a);
            if (nodeA == null || !reachesAll(nodeA, right)) {
                return false;
            }
        }
        return true;
    }

    private boolean reachesAll(SimNode node, List<NodeId> others) {
        for (NodeId other : others) {
            SimNode peer = sim.liveIncarnation(other);
            if (peer == null || !canTalk(node, peer)) {
                return false;
            }
        }
        return true;
    }

    private boolean canTalk(SimNode a, SimNode b) {
        if (a == b) {
            return !a.isPaused();
        }
        SimNetwork network = sim.network();
        return !a.isPaused()
                && !b.isPaused()
                && !network.isBlocked(a.id().name(), b.id().name())
                && !network.isBlocked(b.id().name(), a.id().name());
    }

    private static boolean detected(Map<NodeId, Long> since, NodeId node, long now, long delayNs) {
        Long at = since.get(node);
        return at != null && at + delayNs <= now;
    }

    private List<Group> sortedGroups() {
        groups.sort(Comparator.comparing(group -> group.view.coordinator()));
        return groups;
    }

    private static String pairKey(NodeId a, NodeId b) {
        return a.compareTo(b) < 0 ? a.name() + "|" + b.name() : b.name() + "|" + a.name();
    }

    void pausedKeepTheirView(boolean keep) {
        this.pausedKeepTheirView = keep;
    }

    private boolean isPaused(NodeId member) {
        SimNode node = sim.liveIncarnation(member);
        return node != null && node.isPaused();
    }

    private static final class Group {
        /** The group's membership. */
        final MembershipView view;
        /** The view its members hold and report in a merge: {@link #view}, except for a frozen clique's old one. */
        final MembershipView reported;

        Group(MembershipView view, MembershipView reported) {
            this.view = view;
            this.reported = reported;
        }
    }
}
