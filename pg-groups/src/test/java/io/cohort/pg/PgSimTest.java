package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.node.sim.SimNode;
import io.cohort.node.sim.SimSweep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** pg's semantics under the simulator, after OTP's pg_SUITE: every scenario over many seeds. */
class PgSimTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    static SimCluster cluster(long seed, int nodes) {
        SimConfig config = seed % 2 == 0 ? SimConfig.defaults(seed) : SimConfig.lossy(seed);
        SimCluster sim = SimCluster.start(config, nodes, id -> List.of(new PgScope("s")));
        sim.runUntil("formed", sim::converged, BOUND);
        return sim;
    }

    static PgScope pg(SimCluster sim, String node) {
        return sim.node(node).component(PgScope.class);
    }

    static Pid spawn(SimCluster sim, String node) {
        return sim.node(node).processes().spawn();
    }

    static void join(SimCluster sim, String node, String group, Pid... pids) {
        sim.execute(node, PgScope.class, (pg, now) -> pg.join(group, List.of(pids)));
    }

    static void leave(SimCluster sim, String node, String group, Pid... pids) {
        sim.execute(node, PgScope.class, (pg, now) -> pg.leave(group, List.of(pids)));
    }

    /**
     * True when every live node's view of every group equals, as a multiset, the union of the local members of
     * the nodes in its membership view.
     */
    static boolean agreed(SimCluster sim) {
        for (SimNode node : sim.liveNodes()) {
            if (node.isPaused()) {
                return false;
            }
            Set<String> groups = new TreeSet<>();
            for (NodeId member : node.view().members()) {
                groups.addAll(liveScope(sim, member).localGroupNames());
            }
            groups.addAll(node.component(PgScope.class).whichGroups());
            for (String group : groups) {
                List<Pid> expected = new ArrayList<>();
                for (NodeId member : node.view().members()) {
                    expected.addAll(liveScope(sim, member).localMembers(group));
                }
                if (!sameMultiset(node.component(PgScope.class).members(group), expected)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static PgScope liveScope(SimCluster sim, NodeId id) {
        return sim.node(id.name()).component(PgScope.class);
    }

    static boolean sameMultiset(List<Pid> a, List<Pid> b) {
        Map<Pid, Integer> counts = new HashMap<>();
        a.forEach(pid -> counts.merge(pid, 1, Integer::sum));
        b.forEach(pid -> counts.merge(pid, -1, Integer::sum));
        return counts.values().stream().allMatch(c -> c == 0);
    }

    /** Runs the operations just scheduled, then until every node agrees. */
    private static void settle(SimCluster sim, String goal) {
        sim.runFor(Duration.ofMillis(1));
        sim.runUntil(goal, () -> sim.converged() && agreed(sim), BOUND);
    }

    @Test
    void singleNode() {
        SimCluster sim = cluster(1, 1);
        Pid a = spawn(sim, "n1");
        Pid b = spawn(sim, "n1");
        join(sim, "n1", "g", a, a, b);
        sim.runFor(Duration.ofMillis(1));
        PgScope pg = pg(sim, "n1");
        assertThat(pg.members("g")).containsExactlyInAnyOrder(a, a, b);
        assertThat(pg.localMembers("g")).containsExactlyInAnyOrder(a, a, b);
        assertThat(pg.whichGroups()).containsExactly("g");
        assertThat(pg.groupsOf(a)).containsExactly("g", "g");
        AtomicReference<LeaveResult> result = new AtomicReference<>();
        sim.execute("n1", PgScope.class, (scope, now) -> result.set(scope.leave("g", List.of(a))));
        sim.runFor(Duration.ofMillis(1));
        assertThat(result.get()).isEqualTo(LeaveResult.LEFT);
        assertThat(pg.members("g")).containsExactlyInAnyOrder(a, b);
        sim.execute("n1", PgScope.class, (scope, now) -> result.set(scope.leave("other", List.of(a))));
        sim.runFor(Duration.ofMillis(1));
        assertThat(result.get()).isEqualTo(LeaveResult.NOT_JOINED);
        sim.node("n1").processes().exit(a, ExitReason.KILLED);
        sim.node("n1").processes().exit(b, ExitReason.NORMAL);
        sim.runFor(Duration.ofMillis(1));
        assertThat(pg.members("g")).isEmpty();
        assertThat(pg.whichGroups()).as("empty groups do not exist").isEmpty();
    }

    @Test
    void onlyLocalProcessesMayJoin() {
        SimCluster sim = cluster(3, 2);
        Pid remote = spawn(sim, "n2");
        sim.execute(
                "n1",
                PgScope.class,
                (pg, now) -> assertThatThrownBy(() -> pg.join("g", List.of(remote)))
                        .isInstanceOf(IllegalArgumentException.class));
        sim.runFor(Duration.ofMillis(1));
    }

    @Test
    void twoNodesSeeEachOthersJoinsLeavesAndExits() {
        SimSweep.run("two nodes", 10, 10, seed -> {
            SimCluster sim = cluster(seed, 2);
            Pid a = spawn(sim, "n1");
            Pid b = spawn(sim, "n2");
            join(sim, "n1", "g", a);
            join(sim, "n2", "g", b, b);
            settle(sim, "joins seen");
            assertThat(pg(sim, "n2").members("g")).containsExactlyInAnyOrder(a, b, b);
            assertThat(pg(sim, "n2").localMembers("g")).containsExactly(b, b);
            leave(sim, "n2", "g", b);
            sim.node("n1").processes().exit(a, ExitReason.KILLED);
            settle(sim, "leave and exit seen");
            sim.check(() -> assertThat(pg(sim, "n1").members("g")).containsExactly(b));
        });
    }

    @Test
    void netsplitHealsToTheSameMembersEverywhere() {
        SimSweep.run("netsplit", 100, 10, seed -> {
            SimCluster sim = cluster(seed, 5);
            Map<String, Pid> pids = new HashMap<>();
            for (int i = 1; i <= 5; i++) {
                Pid pid = spawn(sim, "n" + i);
                pids.put("n" + i, pid);
                join(sim, "n" + i, "g", pid);
            }
            settle(sim, "all joined");
            sim.partition(Set.of("n1", "n2"), Set.of("n3", "n4", "n5"));
            sim.runUntil("split", () -> sim.node("n1").view().size() == 2 && agreed(sim), BOUND);
            sim.check(() ->
                    assertThat(pg(sim, "n1").members("g")).containsExactlyInAnyOrder(pids.get("n1"), pids.get("n2")));
            // Both sides keep changing during the split.
            Pid late = spawn(sim, "n4");
            join(sim, "n4", "g", late);
            sim.node("n1").processes().exit(pids.get("n1"), ExitReason.KILLED);
            sim.runFor(Duration.ofSeconds(1));
            sim.heal();
            settle(sim, "healed");
            sim.check(() -> assertThat(pg(sim, "n1").members("g"))
                    .containsExactlyInAnyOrder(pids.get("n2"), pids.get("n3"), pids.get("n4"), pids.get("n5"), late));
        });
    }

    @Test
    void trisplitAndFoursplitHeal() {
        SimSweep.run("trisplit/foursplit", 200, 6, seed -> {
            SimCluster sim = cluster(seed, 6);
            for (int i = 1; i <= 6; i++) {
                join(sim, "n" + i, "g", spawn(sim, "n" + i));
            }
            settle(sim, "all joined");
            if (seed % 2 == 0) {
                sim.partition(Set.of("n1", "n2"), Set.of("n3", "n4"), Set.of("n5", "n6"));
            } else {
                sim.partition(Set.of("n1"), Set.of("n2", "n3"), Set.of("n4"), Set.of("n5", "n6"));
            }
            sim.runFor(Duration.ofSeconds(6));
            sim.check(() -> assertThat(pg(sim, "n1").members("g").size()).isLessThan(6));
            sim.heal();
            settle(sim, "healed");
            sim.check(() -> assertThat(pg(sim, "n6").members("g")).hasSize(6));
        });
    }

    @Test
    void aCrashedNodesMembersVanishAndItsNextLifeStartsEmpty() {
        SimSweep.run("crash", 300, 10, seed -> {
            SimCluster sim = cluster(seed, 3);
            Pid a = spawn(sim, "n1");
            Pid b = spawn(sim, "n2");
            join(sim, "n1", "g", a);
            join(sim, "n2", "g", b);
            settle(sim, "joined");
            sim.crash("n2");
            sim.runUntil("cleaned", () -> pg(sim, "n1").members("g").equals(List.of(a)), BOUND);
            sim.restart("n2");
            Pid c = spawn(sim, "n2");
            sim.runUntil("back", sim::converged, BOUND);
            join(sim, "n2", "g", c);
            settle(sim, "new life joined");
            sim.check(() -> assertThat(pg(sim, "n3").members("g")).containsExactlyInAnyOrder(a, c));
        });
    }

    @Test
    void scopeAndGroupMonitorsGetTheContentThenEveryChange() {
        SimCluster sim = cluster(4, 2);
        Pid early = spawn(sim, "n1");
        join(sim, "n1", "g", early);
        settle(sim, "early joined");
        Pid watcher = spawn(sim, "n2");
        AtomicReference<PgSubscription> scopeSub = new AtomicReference<>();
        AtomicReference<PgSubscription> groupSub = new AtomicReference<>();
        sim.execute("n2", PgScope.class, (pg, now) -> {
            scopeSub.set(pg.monitorScope(watcher));
            groupSub.set(pg.monitorGroup(watcher, "h"));
        });
        sim.runFor(Duration.ofMillis(1));
        assertThat(scopeSub.get().current()).isEqualTo(Map.of("g", List.of(early)));
        assertThat(groupSub.get().current()).isEqualTo(Map.of("h", List.of()));
        Pid other = spawn(sim, "n1");
        join(sim, "n1", "h", other);
        settle(sim, "joined h");
        sim.node("n1").processes().exit(other, ExitReason.KILLED);
        settle(sim, "left h");
        long scopeRef = scopeSub.get().ref();
        long groupRef = groupSub.get().ref();
        assertThat(sim.node("n2").processes().mailbox(watcher))
                .containsExactly(
                        new PgEvent(scopeRef, PgEvent.Kind.JOIN, "h", List.of(other)),
                        new PgEvent(groupRef, PgEvent.Kind.JOIN, "h", List.of(other)),
                        new PgEvent(scopeRef, PgEvent.Kind.LEAVE, "h", List.of(other)),
                        new PgEvent(groupRef, PgEvent.Kind.LEAVE, "h", List.of(other)));
        AtomicReference<Boolean> removed = new AtomicReference<>();
        sim.execute("n2", PgScope.class, (pg, now) -> removed.set(pg.demonitor(scopeRef)));
        sim.runFor(Duration.ofMillis(1));
        assertThat(removed.get()).isTrue();
    }

    @Test
    void batchedDeltasConvergeToo() {
        SimSweep.run("batched", 400, 5, seed -> {
            SimCluster sim = SimCluster.start(SimConfig.lossy(seed), 3, id -> List.of(new PgScope("s", 2_000_000)));
            sim.runUntil("formed", sim::converged, BOUND);
            for (int i = 0; i < 200; i++) {
                String node = "n" + (1 + i % 3);
                join(sim, node, "g" + (i % 7), spawn(sim, node));
            }
            settle(sim, "batched joins seen");
            sim.check(() -> assertThat(pg(sim, "n1").whichGroups()).hasSize(7));
        });
    }
}
