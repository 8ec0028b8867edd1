package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SupervisorTest {

    private static final Duration BOUND = Duration.ofSeconds(10);

    private final ProcessRuntime runtime =
            new ProcessRuntime(new ProcessTable(new NodeId("local", 1)), new SimMetrics());
    /** "id stopped: reason", in the order children ran terminate. */
    private final List<String> stops = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** A worker server that logs its terminate. */
    private ChildSpec worker(String id) {
        return ChildSpec.worker(
                id,
                sup -> Servers.startLink(
                        sup,
                        new Server<String>() {
                            @Override
                            public Next<String> init(ServerContext context) {
                                return Next.state(id);
                            }

                            @Override
                            public void terminate(ExitReason reason, String state) {
                                stops.add(id + " " + reason);
                            }
                        },
                        BOUND));
    }

    private Map<String, Optional<Pid>> children(Pid sup) {
        return Supervisor.whichChildren(runtime, sup).stream()
                .collect(Collectors.toMap(Supervisor.ChildInfo::id, Supervisor.ChildInfo::pid));
    }

    private Pid pidOf(Pid sup, String id) {
        return children(sup).get(id).orElseThrow();
    }

    private void crash(Pid pid) {
        runtime.exit(pid, pid, ExitReason.KILLED); // untrappable: linked servers trap exits
    }

    private void awaitRestarted(Pid sup, String id, Pid before) {
        await().atMost(BOUND)
                .until(() ->
                        children(sup).get(id).filter(p -> !p.equals(before)).isPresent());
    }

    private Pid supervise(Supervisor.Strategy strategy, String... ids) {
        return Supervisor.start(
                runtime,
                Supervisor.Spec.of(
                        strategy, List.of(ids).stream().map(this::worker).toList()));
    }

    @Test
    void oneForOneRestartsOnlyTheChildThatEnded() {
        Pid sup = supervise(Supervisor.Strategy.ONE_FOR_ONE, "a", "b", "c");
        Pid a = pidOf(sup, "a");
        Pid b = pidOf(sup, "b");
        crash(a);
        awaitRestarted(sup, "a", a);
        assertThat(pidOf(sup, "b")).isEqualTo(b);
        assertThat(runtime.isAlive(b)).isTrue();
    }

    @Test
    void oneForAllStopsTheOthersInReverseOrderAndRestartsAll() {
        Pid sup = supervise(Supervisor.Strategy.ONE_FOR_ALL, "a", "b", "c");
        Map<String, Optional<Pid>> before = children(sup);
        crash(pidOf(sup, "b"));
        awaitRestarted(sup, "a", before.get("a").orElseThrow());
        awaitRestarted(sup, "c", before.get("c").orElseThrow());
        assertThat(children(sup).get("b")).isPresent().isNotEqualTo(before.get("b"));
        assertThat(stops).containsExactly("c shutdown", "a shutdown");
    }

    @Test
    void restForOneRestartsTheChildAndThoseStartedAfterIt() {
        Pid sup = supervise(Supervisor.Strategy.REST_FOR_ONE, "a", "b", "c");
        Pid a = pidOf(sup, "a");
        Pid c = pidOf(sup, "c");
        crash(pidOf(sup, "b"));
        awaitRestarted(sup, "c", c);
        assertThat(pidOf(sup, "a")).isEqualTo(a);
        assertThat(stops).containsExactly("c shutdown");
    }

    @Test
    void transientChildrenComeBackOnlyFromFailuresAndTemporaryOnesNever() {
        ChildSpec transientChild = worker("t").withRestart(ChildSpec.Restart.TRANSIENT);
        ChildSpec temporaryChild = worker("tmp").withRestart(ChildSpec.Restart.TEMPORARY);
        Pid sup = Supervisor.start(
                runtime, Supervisor.Spec.of(Supervisor.Strategy.ONE_FOR_ONE, List.of(transientChild, temporaryChild)));
        Pid t = pidOf(sup, "t");
        crash(t);
        awaitRestarted(sup, "t", t);
        Servers.stop(runtime, pidOf(sup, "t"), ExitReason.NORMAL, BOUND);
        await().atMost(BOUND).until(() -> children(sup).get("t").isEmpty());

        crash(pidOf(sup, "tmp"));
        await().atMost(BOUND).until(() -> !children(sup).containsKey("tmp"));
    }

    @Test
    void aCrashLoopExceedsTheIntensityAndTheSupervisorGivesUpWithShutdown() throws Exception {
        java.util.concurrent.atomic.AtomicInteger starts = new java.util.concurrent.atomic.AtomicInteger();
        ChildSpec crashing = ChildSpec.worker(
                "loop",
                sup -> sup.spawnLink(self -> {
                    if (starts.getAndIncrement() == 0) {
                        self.receive(); // the first life waits to be told; every later one fails at once
                    }
                    throw new IllegalStateException("always");
                }));
        Pid sup = Supervisor.start(
                runtime,
                new Supervisor.Spec(
                        Supervisor.Strategy.ONE_FOR_ONE,
                        3,
                        Duration.ofSeconds(30),
                        List.of(worker("steady"), crashing)));
        Pid steady = pidOf(sup, "steady");
        CompletableFuture<ExitReason> supDown = new CompletableFuture<>();
        runtime.table().hostFor((pid, ref, reason) -> supDown.complete(reason)).monitor(sup);
        runtime.send(pidOf(sup, "loop"), "fail");
        assertThat(supDown.get(10, TimeUnit.SECONDS)).isEqualTo(ExitReason.SHUTDOWN);
        assertThat(starts.get())
                .as("first life + 3 restarts allowed + the one that tipped it")
                .isEqualTo(4);
        assertThat(runtime.isAlive(steady)).as("its children are stopped too").isFalse();
        assertThat(stops).contains("steady shutdown");
    }

    @Test
    void aNestedSupervisorThatGivesUpIsRestartedByItsParent() {
        Function<String, ChildSpec> failingWorker = id -> ChildSpec.worker(
                id,
                sup -> sup.spawnLink(self -> {
                    self.receive(); // fails when told to
                    throw new IllegalStateException("told to fail");
                }));
        Supervisor.Spec inner = new Supervisor.Spec(
                Supervisor.Strategy.ONE_FOR_ONE, 0, Duration.ofSeconds(30), List.of(failingWorker.apply("w")));
        Pid outer = Supervisor.start(
                runtime,
                Supervisor.Spec.of(Supervisor.Strategy.ONE_FOR_ONE, List.of(ChildSpec.supervisor("inner", inner))));
        Pid innerPid = pidOf(outer, "inner");
        runtime.send(pidOf(innerPid, "w"), "fail");
        awaitRestarted(outer, "inner", innerPid);
        assertThat(runtime.isAlive(innerPid)).isFalse();
        assertThat(children(pidOf(outer, "inner")).get("w")).isPresent();
    }

    @Test
    void aChildThatIgnoresShutdownIsKilledAfterItsTimeout() {
        ChildSpec stubborn = ChildSpec.worker(
                        "stubborn",
                        sup -> sup.spawnLink(self -> {
                            self.trapExits(true);
                            while (true) {
                                self.receive(); // ignores the shutdown signal
                            }
                        }))
                .withShutdown(ChildSpec.Shutdown.timeout(Duration.ofMillis(100)));
        Pid sup = Supervisor.start(runtime, Supervisor.Spec.of(Supervisor.Strategy.ONE_FOR_ONE, List.of(stubborn)));
        Pid child = pidOf(sup, "stubborn");
        Supervisor.terminateChild(runtime, sup, "stubborn");
        assertThat(runtime.isAlive(child)).isFalse();
        assertThat(children(sup).get("stubborn")).isEmpty();
    }

    @Test
    void stoppingASupervisorStopsItsChildrenLastStartedFirst() {
        Pid sup = supervise(Supervisor.Strategy.ONE_FOR_ONE, "a", "b", "c");
        Servers.stop(runtime, sup, ExitReason.SHUTDOWN, BOUND);
        assertThat(stops).containsExactly("c shutdown", "b shutdown", "a shutdown");
    }

    @Test
    void dynamicChildrenCanBeAddedStoppedRestartedAndDeleted() {
        Pid sup = supervise(Supervisor.Strategy.ONE_FOR_ONE);
        Pid d = Supervisor.startChild(runtime, sup, worker("d"));
        assertThat(pidOf(sup, "d")).isEqualTo(d);
        assertThatThrownBy(() -> Supervisor.startChild(runtime, sup, worker("d")))
                .hasMessageContaining("child id taken");
        Supervisor.terminateChild(runtime, sup, "d");
        assertThat(children(sup).get("d")).isEmpty();
        Pid again = Supervisor.restartChild(runtime, sup, "d");
        assertThat(again).isNotEqualTo(d);
        assertThatThrownBy(() -> Supervisor.deleteChild(runtime, sup, "d")).hasMessageContaining("no stopped child");
        Supervisor.terminateChild(runtime, sup, "d");
        Supervisor.deleteChild(runtime, sup, "d");
        assertThat(children(sup)).isEmpty();
    }

    @Test
    void aChildThatFailsToStartFailsTheSupervisorsStartAndStopsTheOthers() {
        ChildSpec broken = ChildSpec.worker("broken", sup -> {
            throw new IllegalStateException("cannot start");
        });
        assertThatThrownBy(() -> Supervisor.start(
                        runtime, Supervisor.Spec.of(Supervisor.Strategy.ONE_FOR_ONE, List.of(worker("a"), broken))))
                .isInstanceOf(Servers.StartException.class);
        assertThat(stops).containsExactly("a shutdown");
        await().atMost(BOUND).until(() -> runtime.processes().isEmpty());
    }
}
