package io.cohort.chaos.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The registry checkers on hand-made histories and final states: a healed partition whose conflict was resolved
 * passes; each broken invariant is reported by the check that is for it.
 */
class RegistryCheckerTest {

    /** n1's process kept "x" (registered first); n2's registered it during a partition and lost on the heal. */
    private static final String WINNER = "<n1#1.10>";

    private static final String LOSER = "<n2#5.20>";
    private static final String Y = "<n2#5.21>";

    private final History history = new History();
    private long t;

    private void op(String f, String node, String value, Op.Type outcome, String result) {
        long invoke = history.invoke("r0", f, node, value, t++);
        history.complete(invoke, outcome, result, "", t++);
    }

    private void registerBoth() {
        op("register", "n1", "x", Op.Type.OK, "registered " + WINNER);
        op("register", "n2", "x", Op.Type.OK, "registered " + LOSER);
        op("register", "n2", "y", Op.Type.OK, "registered " + Y);
    }

    private static RegistrySnapshot.Holder alive(String pid, String name) {
        return new RegistrySnapshot.Holder(pid, name, true, 0, "");
    }

    private static final RegistrySnapshot.Conflict CONFLICT = new RegistrySnapshot.Conflict("x", WINNER, LOSER);

    private static List<RegistrySnapshot> nodes(
            Map<String, String> owners, List<RegistrySnapshot.Holder> n2Holders, List<RegistrySnapshot.Conflict> n2) {
        return List.of(
                new RegistrySnapshot("n1", "n1#1", owners, List.of(alive(WINNER, "x")), List.of(CONFLICT)),
                new RegistrySnapshot("n2", "n2#5", owners, n2Holders, n2));
    }

    private static List<RegistrySnapshot> resolved() {
        return nodes(
                Map.of("x", WINNER, "y", Y),
                List.of(new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"), alive(Y, "y")),
                List.of(CONFLICT));
    }

    private static CheckResult named(List<CheckResult> results, String name) {
        return results.stream().filter(r -> r.check().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void aResolvedConflictPassesEveryCheck() {
        registerBoth();
        assertThat(RegistryChecker.check(history, resolved())).allMatch(CheckResult::passed);
        assertThat(RegistryChecker.converged(resolved())).isTrue();
    }

    @Test
    void aLoserThatWasNeverToldFailsOneOwnerLostRegistrationAndLoserChecks() {
        registerBoth();
        List<RegistrySnapshot> skipped =
                nodes(Map.of("x", WINNER, "y", Y), List.of(alive(LOSER, "x"), alive(Y, "y")), List.of(CONFLICT));

        List<CheckResult> results = RegistryChecker.check(history, skipped);

        assertThat(named(results, "registry-one-owner").violations())
                .anySatisfy(v -> assertThat(v.message()).contains("x is held by 2 live processes"));
        assertThat(named(results, "registry-loser-notified").violations())
                .anySatisfy(v -> assertThat(v.message())
                        .contains("got 0 loser notifications")
                        .contains("still runs"));
        assertThat(named(results, "registry-no-lost-registration").passed()).isFalse();
        assertThat(named(results, "registry-agreement").passed()).isTrue();
    }

    @Test
    void aConflictNotifiedTwiceIsReported() {
        registerBoth();
        List<RegistrySnapshot> twice = nodes(
                Map.of("x", WINNER, "y", Y),
                List.of(new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"), alive(Y, "y")),
                List.of(CONFLICT, CONFLICT));

        assertThat(named(RegistryChecker.check(history, twice), "registry-loser-notified")
                        .violations())
                .anySatisfy(v -> assertThat(v.message()).contains("2 times"));
    }

    @Test
    void aNotificationWithoutAConflictIsReported() {
        registerBoth();
        List<RegistrySnapshot> phantom = nodes(
                Map.of("x", WINNER),
                List.of(
                        new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"),
                        new RegistrySnapshot.Holder(Y, "y", false, 1, "name_conflict")),
                List.of(CONFLICT));

        assertThat(named(RegistryChecker.check(history, phantom), "registry-loser-notified")
                        .violations())
                .anySatisfy(v -> assertThat(v.message()).contains(Y + " on n2 was told it lost y"));
    }

    @Test
    void aLiveRegistrationDroppedByTheRegistryIsALostWrite() {
        registerBoth();
        // y's holder lives, but n1 no longer resolves y (a replicated delete of a live node's entry).
        List<RegistrySnapshot> lost = List.of(
                new RegistrySnapshot("n1", "n1#1", Map.of("x", WINNER), List.of(alive(WINNER, "x")), List.of(CONFLICT)),
                new RegistrySnapshot(
                        "n2",
                        "n2#5",
                        Map.of("x", WINNER, "y", Y),
                        List.of(new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"), alive(Y, "y")),
                        List.of(CONFLICT)));

        List<CheckResult> results = RegistryChecker.check(history, lost);

        assertThat(named(results, "registry-no-lost-registration").violations())
                .anySatisfy(v -> assertThat(v.message()).contains("n1 resolves y to nothing"));
        assertThat(named(results, "registry-agreement").passed()).isFalse();
        assertThat(RegistryChecker.converged(lost)).isFalse();
    }

    @Test
    void anAcknowledgedRegistrationThatVanishedWithoutCauseIsReported() {
        registerBoth();
        List<RegistrySnapshot> vanished = nodes(
                Map.of("x", WINNER),
                List.of(
                        new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"),
                        new RegistrySnapshot.Holder(Y, "y", false, 0, "unregistered")),
                List.of(CONFLICT));

        assertThat(named(RegistryChecker.check(history, vanished), "registry-no-lost-registration")
                        .violations())
                .anySatisfy(v -> assertThat(v.message()).contains("registration of y by " + Y));

        op("unregister", "n2", "y", Op.Type.OK, "removed " + Y);
        assertThat(named(RegistryChecker.check(history, vanished), "registry-no-lost-registration")
                        .passed())
                .isTrue();
    }

    @Test
    void aNameOfADeadIncarnationIsAResurrection() {
        registerBoth();
        List<RegistrySnapshot> zombie = nodes(
                Map.of("x", WINNER, "y", Y, "z", "<n3#2.1>"),
                List.of(new RegistrySnapshot.Holder(LOSER, "x", false, 1, "name_conflict"), alive(Y, "y")),
                List.of(CONFLICT));

        List<CheckResult> results = RegistryChecker.check(history, zombie);

        assertThat(named(results, "registry-no-resurrection").violations())
                .anySatisfy(v -> assertThat(v.message()).contains("<n3#2.1> of a dead incarnation"));
        assertThat(named(results, "registry-one-owner").passed()).isFalse();
    }
}
