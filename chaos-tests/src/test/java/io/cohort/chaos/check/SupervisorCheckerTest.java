package io.cohort.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The supervisor checkers on hand-made histories and final states: one incarnation per child, seen alike everywhere,
 * passes; duplicates, missing children, disagreement, unresolvable names and dead incarnations are each reported.
 */
class SupervisorCheckerTest {

    private static final String C0 = "<n1#1.7>";
    private static final String C1 = "<n2#5.9>";

    private final History history = new History();
    private long t;

    private void start(String id, Op.Type outcome) {
        long invoke = history.invoke("s0", "start-child", "n1", id, t++);
        history.complete(invoke, outcome, outcome == Op.Type.OK ? "started" : "", "", t++);
    }

    private static SupervisorSnapshot.Child child(String id, String node, String pid) {
        return new SupervisorSnapshot.Child(id, "RUNNING", node, pid, 1L << 20, pid, "");
    }

    private static SupervisorSnapshot node(String name, String self, List<SupervisorSnapshot.Running> running) {
        return new SupervisorSnapshot(name, self, List.of(child("c0", "n1#1", C0), child("c1", "n2#5", C1)), running);
    }

    private static List<SupervisorSnapshot> healthy() {
        return List.of(
                node("n1", "n1#1", List.of(new SupervisorSnapshot.Running("c0", C0, 1L << 20, 3))),
                node("n2", "n2#5", List.of(new SupervisorSnapshot.Running("c1", C1, 1L << 20, 0))));
    }

    private static CheckResult named(List<CheckResult> results, String name) {
        return results.stream().filter(r -> r.check().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void oneIncarnationPerChildPassesEveryCheck() {
        start("c0", Op.Type.OK);
        start("c1", Op.Type.INFO);
        assertThat(SupervisorChecker.check(history, healthy())).allMatch(CheckResult::passed);
        assertThat(SupervisorChecker.converged(healthy())).isTrue();
    }

    @Test
    void aChildEveryNodeKeepsForItselfIsADuplicate() {
        start("c0", Op.Type.OK);
        start("c1", Op.Type.OK);
        // Each node believes it runs c0 (a placement that is not the same everywhere).
        List<SupervisorSnapshot> duplicated = List.of(
                new SupervisorSnapshot(
                        "n1",
                        "n1#1",
                        List.of(child("c0", "n1#1", C0), child("c1", "n2#5", C1)),
                        List.of(new SupervisorSnapshot.Running("c0", C0, 1, 0))),
                new SupervisorSnapshot(
                        "n2",
                        "n2#5",
                        List.of(child("c0", "n2#5", ""), child("c1", "n2#5", C1)),
                        List.of(new SupervisorSnapshot.Running("c1", C1, 1, 0))));

        List<CheckResult> results = SupervisorChecker.check(history, duplicated);

        assertThat(named(results, "supervisor-exactly-once").violations())
                .anySatisfy(v ->
                        assertThat(v.message()).contains("c0 runs 1 time(s)").contains("2 node(s)"));
        assertThat(named(results, "supervisor-agreement").passed()).isFalse();
        assertThat(SupervisorChecker.converged(duplicated)).isFalse();
    }

    @Test
    void twoRunningIncarnationsAndAMissingChildAreReported() {
        start("c0", Op.Type.OK);
        start("c1", Op.Type.OK);
        start("c2", Op.Type.OK);
        List<SupervisorSnapshot> twice = List.of(
                node("n1", "n1#1", List.of(new SupervisorSnapshot.Running("c0", C0, 1, 0))),
                node(
                        "n2",
                        "n2#5",
                        List.of(
                                new SupervisorSnapshot.Running("c1", C1, 1, 0),
                                new SupervisorSnapshot.Running("c0", "<n2#5.99>", 2, 0))));

        List<CheckResult> results = SupervisorChecker.check(history, twice);

        assertThat(named(results, "supervisor-exactly-once").violations())
                .anySatisfy(v -> assertThat(v.message()).startsWith("c0 runs 2 time(s)"))
                .anySatisfy(v -> assertThat(v.message()).startsWith("c2 runs 0 time(s)"));
    }

    @Test
    void aChildNobodyStartedIsReported() {
        start("c0", Op.Type.OK);
        assertThat(named(SupervisorChecker.check(history, healthy()), "supervisor-exactly-once")
                        .violations())
                .anySatisfy(v -> assertThat(v.message()).contains("c1 runs").contains("no worker ever started it"));
    }

    @Test
    void aCallByNameThatReachesNothingIsReported() {
        start("c0", Op.Type.OK);
        start("c1", Op.Type.OK);
        List<SupervisorSnapshot> unresolved = List.of(
                new SupervisorSnapshot(
                        "n1",
                        "n1#1",
                        List.of(
                                child("c0", "n1#1", C0),
                                new SupervisorSnapshot.Child("c1", "RUNNING", "n2#5", "", 1, "", "noproc")),
                        List.of(new SupervisorSnapshot.Running("c0", C0, 1, 0))),
                healthy().get(1));

        assertThat(named(SupervisorChecker.check(history, unresolved), "supervisor-resolvable")
                        .violations())
                .singleElement()
                .satisfies(v -> assertThat(v.message()).contains("c1 by name from n1 reached nothing (noproc)"));
        assertThat(SupervisorChecker.converged(unresolved))
                .as("the quiet period waits while a node resolves a child to nothing")
                .isFalse();
    }

    @Test
    void aChildShownOnADeadIncarnationIsAResurrection() {
        start("c0", Op.Type.OK);
        start("c1", Op.Type.OK);
        List<SupervisorSnapshot> zombie = List.of(
                new SupervisorSnapshot(
                        "n1",
                        "n1#1",
                        List.of(child("c0", "n1#1", C0), child("c1", "n2#4", "<n2#4.3>")),
                        List.of(new SupervisorSnapshot.Running("c0", C0, 1, 0))),
                healthy().get(1));

        assertThat(named(SupervisorChecker.check(history, zombie), "supervisor-no-resurrection")
                        .violations())
                .anySatisfy(v -> assertThat(v.message()).contains("n1 shows c1 on n2#4"));
    }
}
