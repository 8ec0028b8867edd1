package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProcessRuntimeTest {

    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final NodeId SELF = new NodeId("local", 1);

    private final ProcessTable table = new ProcessTable(SELF);
    private final SimMetrics metrics = new SimMetrics();
    private final ProcessRuntime runtime = new ProcessRuntime(table, metrics);
    /** What test processes report back. */
    private final BlockingQueue<Object> reports = new LinkedBlockingQueue<>();

    @AfterEach
    void closeRuntime() {
        runtime.close();
    }

    private Object nextReport() throws InterruptedException {
        Object report = reports.poll(BOUND.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(report).as("a report within %s", BOUND).isNotNull();
        return report;
    }

    /** A process that reports every message it receives until told "stop". */
    private Pid echo() {
        return runtime.spawn(self -> {
            while (true) {
                Object message = self.receive();
                if ("stop".equals(message)) {
                    return;
                }
                reports.add(message);
            }
        });
    }

    private void awaitDead(Pid pid) {
        await().atMost(BOUND).until(() -> !runtime.isAlive(pid));
    }

    @Test
    void messagesFromOneSenderArriveInOrder() throws Exception {
        Pid echo = echo();
        for (int i = 0; i < 1_000; i++) {
            runtime.send(echo, i);
        }
        for (int i = 0; i < 1_000; i++) {
            assertThat(nextReport()).isEqualTo(i);
        }
    }

    @Test
    void receiveTimesOutAndSelectiveReceiveLeavesOthersInOrder() throws Exception {
        CountDownLatch filled = new CountDownLatch(1);
        Pid pid = runtime.spawn(self -> {
            reports.add(self.receive(Duration.ofMillis(20)));
            filled.await();
            reports.add(self.receive(Integer.class, n -> n > 10, Duration.ZERO).orElseThrow());
            reports.add(self.receive(Duration.ZERO).orElseThrow());
            reports.add(self.receive(Duration.ZERO).orElseThrow());
            reports.add(self.receive(Duration.ZERO));
        });
        assertThat(nextReport()).isEqualTo(Optional.empty());
        runtime.send(pid, "a");
        runtime.send(pid, 42);
        runtime.send(pid, "b");
        filled.countDown();
        assertThat(List.of(nextReport(), nextReport(), nextReport(), nextReport()))
                .containsExactly(42, "a", "b", Optional.empty());
    }

    @Test
    void sendingToADeadProcessIsSilentlyDropped() throws Exception {
        Pid pid = runtime.spawn(self -> {});
        awaitDead(pid);
        runtime.send(pid, "hello?");
        assertThat(runtime.mailboxSize(pid)).isEqualTo(-1);
    }

    @Test
    void aMonitorDeliversExactlyOneDownWithTheReason() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        Pid worker = runtime.spawn(self -> {
            go.await();
            throw new IllegalStateException("boom");
        });
        Pid watcher = runtime.spawn(self -> {
            long ref = self.monitor(worker);
            reports.add(ref);
            reports.add(self.receive());
            reports.add(self.receive(Duration.ofMillis(100)));
        });
        long ref = (Long) nextReport();
        go.countDown();
        Signal.Down down = (Signal.Down) nextReport();
        assertThat(down.monitorRef()).isEqualTo(ref);
        assertThat(down.pid()).isEqualTo(worker);
        assertThat(down.reason()).isEqualTo(new ExitReason.Failure(IllegalStateException.class.getName(), "boom"));
        assertThat(nextReport()).isEqualTo(Optional.empty()); // no second DOWN
        awaitDead(watcher);
        assertThat(metrics.count("process.exit", "reason", "exception")).isEqualTo(1);
    }

    @Test
    void monitoringADeadProcessDeliversNoproc() throws Exception {
        Pid gone = runtime.spawn(self -> {});
        awaitDead(gone);
        runtime.spawn(self -> {
            self.monitor(gone);
            reports.add(self.receive());
        });
        assertThat(((Signal.Down) nextReport()).reason()).isEqualTo(ExitReason.NOPROC);
    }

    @Test
    void monitoringAProcessOfAnUnreachableNodeDeliversNoconnection() throws Exception {
        Pid elsewhere = new Pid(new NodeId("elsewhere", 1), 7);
        runtime.spawn(self -> {
            self.monitor(elsewhere);
            reports.add(self.receive());
        });
        assertThat(((Signal.Down) nextReport()).reason()).isEqualTo(ExitReason.NOCONNECTION);
    }

    @Test
    void demonitorWithFlushRemovesADownThatAlreadyArrived() throws Exception {
        Pid worker = runtime.spawn(self -> self.receive());
        runtime.spawn(self -> {
            long ref = self.monitor(worker);
            self.send(worker, "finish");
            // Wait until the DOWN is in the mailbox, then flush it.
            while (self.mailboxSize() == 0) {
                self.receive(Signal.Exit.class, e -> false, Duration.ofMillis(1));
            }
            self.demonitor(ref, true);
            reports.add(self.mailboxSize());
        });
        assertThat(nextReport()).isEqualTo(0);
    }

    @Test
    void aCrashKillsLinkedProcessesThatDoNotTrapExits() throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        List<Pid> pids = new ArrayList<>();
        Pid parent = runtime.spawn(self -> {
            reports.add(self.spawnLink(child -> {
                go.await();
                throw new IllegalArgumentException("child failed");
            }));
            self.receive(); // blocks until killed by the link
        });
        pids.add((Pid) nextReport());
        runtime.spawn(self -> {
            self.monitor(parent);
            reports.add("monitoring");
            reports.add(self.receive());
        });
        assertThat(nextReport()).isEqualTo("monitoring"); // the monitor is set before the child fails
        go.countDown();
        Signal.Down down = (Signal.Down) nextReport();
        assertThat(down.pid()).isEqualTo(parent);
        assertThat(down.reason()).isInstanceOf(ExitReason.Failure.class);
        awaitDead(pids.get(0));
    }

    @Test
    void aTrappingProcessReceivesExitsAsMessagesAndNormalExitsKillNoOne() throws Exception {
        Pid parent = runtime.spawn(self -> {
            self.trapExits(true);
            Pid failing = self.spawnLink(child -> {
                throw new IllegalStateException("x");
            });
            Pid finishing = self.spawnLink(child -> {});
            for (int i = 0; i < 2; i++) {
                reports.add(self.receive(Signal.Exit.class, e -> true, BOUND).orElseThrow());
            }
            reports.add(List.of(failing, finishing));
        });
        Signal.Exit first = (Signal.Exit) nextReport();
        Signal.Exit second = (Signal.Exit) nextReport();
        @SuppressWarnings("unchecked")
        List<Pid> children = (List<Pid>) nextReport();
        assertThat(List.of(first, second)).extracting(Signal.Exit::from).containsExactlyInAnyOrderElementsOf(children);
        assertThat(List.of(first.reason(), second.reason())).contains(ExitReason.NORMAL);
        awaitDead(parent);
    }

    @Test
    void killCannotBeTrappedAndLinkedProcessesSeeKilled() throws Exception {
        Pid victim = runtime.spawn(self -> {
            self.trapExits(true);
            self.receive();
        });
        Pid linkedWatcher = runtime.spawn(self -> {
            self.trapExits(true);
            self.link(victim);
            reports.add("linked");
            reports.add(self.receive(Signal.Exit.class, e -> true, BOUND).orElseThrow());
        });
        assertThat(nextReport()).isEqualTo("linked");
        runtime.exit(linkedWatcher, victim, ExitReason.KILLED);
        assertThat(nextReport()).isEqualTo(new Signal.Exit(victim, ExitReason.KILLED));
        awaitDead(victim);
    }

    @Test
    void anUntrappedExitSignalEndsTheTargetAndATrappedOneIsAMessage() throws Exception {
        Pid plain = runtime.spawn(self -> self.receive());
        Pid trapping = runtime.spawn(self -> {
            self.trapExits(true);
            reports.add("trapping");
            reports.add(self.receive());
        });
        assertThat(nextReport()).isEqualTo("trapping"); // the flag is set before the signal is sent
        Pid from = new Pid(SELF, 999);
        runtime.exit(from, plain, ExitReason.SHUTDOWN);
        runtime.exit(from, trapping, ExitReason.SHUTDOWN);
        awaitDead(plain);
        assertThat(nextReport()).isEqualTo(new Signal.Exit(from, ExitReason.SHUTDOWN));
        runtime.exit(from, echo(), ExitReason.NORMAL); // normal never ends a non-trapping process
        assertThat(runtime.processes()).hasSize(1);
    }

    @Test
    void linkingToADeadProcessIsAnExitSignalNoproc() throws Exception {
        Pid gone = runtime.spawn(self -> {});
        awaitDead(gone);
        runtime.spawn(self -> {
            self.trapExits(true);
            self.link(gone);
            reports.add(self.receive());
        });
        assertThat(nextReport()).isEqualTo(new Signal.Exit(gone, ExitReason.NOPROC));
    }

    @Test
    void exitingItselfWithAReasonReachesMonitors() throws Exception {
        Pid pid = runtime.spawn(self -> {
            self.receive();
            self.exit(new ExitReason.Custom("name_conflict"));
            reports.add("unreachable");
        });
        runtime.spawn(self -> {
            self.monitor(pid);
            self.send(pid, "go");
            reports.add(self.receive());
        });
        assertThat(((Signal.Down) nextReport()).reason()).isEqualTo(new ExitReason.Custom("name_conflict"));
        assertThat(reports.poll(50, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void componentsMonitorRealProcessesThroughTheSharedTable() throws Exception {
        Pid pid = echo();
        BlockingQueue<ExitReason> notices = new LinkedBlockingQueue<>();
        table.hostFor((down, ref, reason) -> notices.add(reason)).monitor(pid);
        runtime.send(pid, "stop");
        assertThat(notices.poll(5, TimeUnit.SECONDS)).isEqualTo(ExitReason.NORMAL);
    }

    @Test
    void introspectionShowsNamesMailboxLinksAndTheProcessList() throws Exception {
        CountDownLatch hold = new CountDownLatch(1);
        Pid quiet = runtime.spawn(self -> hold.await());
        Pid busy = runtime.spawn(self -> {
            self.trapExits(true);
            self.link(quiet);
            reports.add("ready");
            self.receive(String.class, "never"::equals, BOUND);
        });
        assertThat(nextReport()).isEqualTo("ready");
        runtime.register("busy", busy);
        for (int i = 0; i < 3; i++) {
            runtime.send(busy, i);
        }
        ProcessInfo info = runtime.info(busy).orElseThrow();
        assertThat(info.names()).containsExactly("busy");
        assertThat(info.mailboxSize()).isEqualTo(3);
        assertThat(info.trapsExits()).isTrue();
        assertThat(info.links()).containsExactly(quiet);
        assertThat(runtime.processes()).containsExactly(quiet, busy);
        assertThat(runtime.registeredNames()).containsExactly("busy");
        hold.countDown();
        awaitDead(quiet);
        assertThat(runtime.info(quiet)).isEmpty();
    }

    @Test
    void closingTheRuntimeShutsEveryProcessDown() {
        List<Pid> pids = List.of(echo(), echo(), echo());
        runtime.close();
        pids.forEach(this::awaitDead);
        assertThat(runtime.processes()).isEmpty();
    }
}
