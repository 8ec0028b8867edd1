package io.cohort.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checkers on hand-made histories and final states: each catches the fault it is for, and only that. */
class PgCheckerTest {

    private static final String A = "<n1#1.1>";
    private static final String B = "<n1#1.2>";
    private static final String C = "<n2#5.1>";

    private final History history = new History();
    private long t;

    private void op(String f, String node, String value, Op.Type outcome, String result) {
        long invoke = history.invoke("w0", f, node, value, t++);
        history.complete(invoke, outcome, result, "", t++);
    }

    private static NodeSnapshot node(
            String name,
            String self,
            List<String> view,
            Map<String, List<String>> members,
            Map<String, List<String>> local) {
        return new NodeSnapshot(name, self, "n1#1|7", view, members, local);
    }

    private List<NodeSnapshot> healthy() {
        List<String> view = List.of("n1#1", "n2#5");
        Map<String, List<String>> all = Map.of("g", List.of(A, C));
        return List.of(
                node("n1", "n1#1", view, all, Map.of("g", List.of(A))),
                node("n2", "n2#5", view, all, Map.of("g", List.of(C))));
    }

    private void joinAAndC() {
        op("spawn", "n1", "1", Op.Type.OK, A + " " + B);
        op("spawn", "n2", "1", Op.Type.OK, C);
        op("join", "n1", "g " + A, Op.Type.OK, "");
        op("join", "n2", "g " + C, Op.Type.OK, "");
    }

    private static CheckResult named(List<CheckResult> results, String name) {
        return results.stream().filter(r -> r.check().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aConsistentRunPassesEveryCheck() {
        joinAAndC();
        assertThat(PgChecker.check(history, healthy())).allMatch(CheckResult::passed);
    }

    @Test
    void anAcknowledgedJoinThatIsMissingIsALostWrite() {
        joinAAndC();
        op("join", "n1", "g " + B, Op.Type.OK, "");
        CheckResult check = named(PgChecker.check(history, healthy()), "pg-local-history");
        assertThat(check.violations())
                .singleElement()
                .satisfies(v -> assertThat(v.message()).contains(B).contains("lost write"));
    }

    @Test
    void aJoinOfUnknownOutcomeMayOrMayNotBeThere() {
        joinAAndC();
        op("join", "n1", "g " + B, Op.Type.INFO, "");
        assertThat(named(PgChecker.check(history, healthy()), "pg-local-history")
                        .passed())
                .isTrue();
        List<String> view = List.of("n1#1", "n2#5");
        Map<String, List<String>> all = Map.of("g", List.of(A, B, C));
        List<NodeSnapshot> withB = List.of(
                node("n1", "n1#1", view, all, Map.of("g", List.of(A, B))),
                node("n2", "n2#5", view, all, Map.of("g", List.of(C))));
        assertThat(PgChecker.check(history, withB)).allMatch(CheckResult::passed);
    }

    @Test
    void aMemberThatExitedOrLeftMustBeGone() {
        joinAAndC();
        op("exit", "n1", A, Op.Type.OK, "");
        CheckResult check = named(PgChecker.check(history, healthy()), "pg-local-history");
        assertThat(check.violations())
                .singleElement()
                .satisfies(v -> assertThat(v.message()).contains("it exited"));
    }

    @Test
    void aNodeMissingAPeersMembersFailsConvergence() {
        joinAAndC();
        List<String> view = List.of("n1#1", "n2#5");
        List<NodeSnapshot> stale = List.of(
                node("n1", "n1#1", view, Map.of("g", List.of(A)), Map.of("g", List.of(A))),
                node("n2", "n2#5", view, Map.of("g", List.of(A, C)), Map.of("g", List.of(C))));
        CheckResult check = named(PgChecker.check(history, stale), "pg-convergence");
        assertThat(check.violations())
                .singleElement()
                .satisfies(v -> assertThat(v.message()).startsWith("n1 sees g missing [" + C + "]"));
    }

    @Test
    void aMemberOfADeadIncarnationIsAResurrection() {
        joinAAndC();
        String ghost = "<n2#4.9>";
        List<String> view = List.of("n1#1", "n2#5");
        Map<String, List<String>> all = Map.of("g", List.of(A, C, ghost));
        List<NodeSnapshot> haunted = List.of(
                node("n1", "n1#1", view, all, Map.of("g", List.of(A))),
                node("n2", "n2#5", view, all, Map.of("g", List.of(C))));
        CheckResult check = named(PgChecker.check(history, haunted), "no-resurrection");
        assertThat(check.violations())
                .hasSize(2)
                .allSatisfy(v -> assertThat(v.message()).contains(ghost));
    }

    @Test
    void nodesHoldingDifferentViewsDisagree() {
        joinAAndC();
        Map<String, List<String>> all = Map.of("g", List.of(A, C));
        List<NodeSnapshot> split = List.of(
                node("n1", "n1#1", List.of("n1#1"), all, Map.of("g", List.of(A))),
                node("n2", "n2#5", List.of("n1#1", "n2#5"), all, Map.of("g", List.of(C))));
        assertThat(named(PgChecker.check(history, split), "membership-agreement")
                        .passed())
                .isFalse();
    }

    @Test
    void eachMonitorMustFireOnceForAnExitedProcessAndNeverForALiveOne() {
        joinAAndC();
        op("exit", "n1", B, Op.Type.OK, "");
        List<String> view = List.of("n1#1", "n2#5");
        Map<String, List<String>> all = Map.of("g", List.of(A, C));
        List<NodeSnapshot> right = List.of(
                new NodeSnapshot("n1", "n1#1", "v", view, all, Map.of("g", List.of(A)), Map.of(A, 0L, B, 1L)),
                new NodeSnapshot("n2", "n2#5", "v", view, all, Map.of("g", List.of(C)), Map.of(C, 0L)));
        assertThat(PgChecker.check(history, right)).allMatch(CheckResult::passed);

        List<NodeSnapshot> lostAndDoubled = List.of(
                new NodeSnapshot("n1", "n1#1", "v", view, all, Map.of("g", List.of(A)), Map.of(A, 0L, B, 0L)),
                new NodeSnapshot("n2", "n2#5", "v", view, all, Map.of("g", List.of(C)), Map.of(C, 2L)));
        assertThat(named(PgChecker.check(history, lostAndDoubled), "pg-monitors")
                        .violations())
                .extracting(Violation::message)
                .containsExactly(
                        "n1: the monitor of " + B + " fired 0 time(s); it was exited, so once",
                        "n2: the monitor of " + C + " fired 2 time(s); it lives");

        List<NodeSnapshot> unwatched = List.of(
                new NodeSnapshot("n1", "n1#1", "v", view, all, Map.of("g", List.of(A)), Map.of(A, 0L)),
                new NodeSnapshot("n2", "n2#5", "v", view, all, Map.of("g", List.of(C)), Map.of(C, 0L)));
        assertThat(named(PgChecker.check(history, unwatched), "pg-monitors").violations())
                .anySatisfy(v -> assertThat(v.message()).contains("spawned " + B + " but reports no monitor"));
    }
}
