package io.cohort.node.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.ViewId;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.runtime.NodeContext;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ComponentDriverTest {

    private static final NodeId SELF = new NodeId("a", 1);
    private static final NodeId PEER = new NodeId("b", 1);
    private static final NodeId STRANGER = new NodeId("c", 1);
    private static final Duration BOUND = Duration.ofSeconds(5);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final SimMetrics metrics = new SimMetrics();
    private final RecordingControlPlane controlPlane = new RecordingControlPlane();
    private final ProcessTable processes = new ProcessTable(SELF);

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void eventsReachTheComponentOneAtATimeInArrivalOrder() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 64)) {
            driver.start();
            MembershipView view = MembershipView.of(new ViewId(SELF, 1), List.of(SELF, PEER));
            driver.deliverView(view);
            for (int i = 0; i < 100; i++) {
                driver.deliverMessage(PEER, new byte[] {(byte) i});
            }
            int answer = driver.submit(nowNs -> recorder.events.size()).get(5, TimeUnit.SECONDS);
            assertThat(answer).isEqualTo(102);
            assertThat(recorder.events.get(0)).isEqualTo("start");
            assertThat(recorder.events.get(1)).isEqualTo("view " + view.id());
            for (int i = 0; i < 100; i++) {
                assertThat(recorder.events.get(2 + i)).isEqualTo("msg b#1 " + i);
            }
            assertThat(recorder.overlaps.get()).isZero();
        }
        assertThat(recorder.events).last().isEqualTo("stop");
    }

    @Test
    void timersFireOnTheComponentThreadAndCancelledOnesDoNot() {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            driver.submit(nowNs -> {
                recorder.context.timers().schedule("kept", 1_000_000);
                recorder.context.timers().schedule("cancelled", 50_000_000).cancel();
                return null;
            });
            await().atMost(BOUND).until(() -> recorder.events.contains("timer kept"));
            driver.submit(nowNs -> recorder.context.timers().schedule("later", 100_000_000));
            await().atMost(BOUND).until(() -> recorder.events.contains("timer later"));
            assertThat(recorder.events).doesNotContain("timer cancelled");
        }
    }

    @Test
    void aThrowingHandlerIsCountedAndTheNextEventStillRuns() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            driver.deliverMessage(PEER, Recorder.POISON);
            driver.deliverMessage(PEER, new byte[] {7});
            assertThat(driver.submit(nowNs -> recorder.events.contains("msg b#1 7"))
                            .get(5, TimeUnit.SECONDS))
                    .isTrue();
            assertThat(metrics.count("component.handler.failed", "component", "recorder"))
                    .isEqualTo(1);
        }
    }

    @Test
    void sendsGoOnlyToMembersOfTheCurrentViewAndBroadcastReachesEachPeer() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            driver.deliverView(MembershipView.of(new ViewId(SELF, 1), List.of(SELF, PEER)));
            driver.submit(nowNs -> {
                        recorder.context.transport().send(STRANGER, new byte[] {1});
                        recorder.context.transport().send(PEER, new byte[] {2});
                        recorder.context.transport().broadcast(new byte[] {3});
                        return null;
                    })
                    .get(5, TimeUnit.SECONDS);
            // Sent once the handler has let go of the turn: by then, or soon after when the owner thread ran it.
            await().atMost(BOUND).until(() -> controlPlane.sent.size() == 2);
            assertThat(controlPlane.sent).containsExactly("b#1 recorder 2", "b#1 recorder 3");
            assertThat(metrics.count("transport.dropped", "reason", "not_in_view"))
                    .isEqualTo(1);
        }
    }

    @Test
    void aSendThatBlocksDoesNotHoldTheTurnAndLaterSendsKeepTheirOrder() throws Exception {
        Recorder recorder = new Recorder();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        controlPlane.blockOn = 7;
        controlPlane.release = release;
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            driver.deliverView(MembershipView.of(new ViewId(SELF, 1), List.of(SELF, PEER)));
            // Another thread's write, whose send (made after it lets go of the turn) waits for the latch.
            Thread writer = Thread.ofVirtual()
                    .start(() -> driver.submit(nowNs -> {
                        recorder.context.transport().send(PEER, new byte[] {7});
                        return null;
                    }));
            await().atMost(BOUND).until(() -> controlPlane.blocked);

            // The turn is free while that send waits: calls run, and their sends queue behind it.
            for (int i = 1; i <= 3; i++) {
                byte value = (byte) i;
                Byte answer = driver.<Byte>call(
                        nowNs -> {
                            recorder.context.transport().send(PEER, new byte[] {value});
                            return value;
                        },
                        BOUND);
                assertThat(answer).isEqualTo(value);
            }
            assertThat(controlPlane.sent).containsExactly("b#1 recorder 7");

            release.countDown();
            await().atMost(BOUND).until(() -> controlPlane.sent.size() == 4);
            writer.join(BOUND);
            assertThat(controlPlane.sent)
                    .containsExactly("b#1 recorder 7", "b#1 recorder 1", "b#1 recorder 2", "b#1 recorder 3");
        }
    }

    @Test
    void aSendDoesNotWaitForTheWholeBacklogBehindItsEvent() throws Exception {
        // 1 sends, 2 is slow (a large join, say), 3 expects 1's send to be out
        assertSentBeforeTheLastEvent(new String[] {"send", "slow", "expect"});
    }

    @Test
    void aSlowEventThatSentSendsRightAfterItself() throws Exception {
        assertSentBeforeTheLastEvent(new String[] {"send+slow", "expect"});
    }

    /**
     * Queues one message per step behind a held turn (one backlog) and lets the owner thread handle them: the last
     * step waits (bounded) for the first step's send to reach the control plane.
     */
    private void assertSentBeforeTheLastEvent(String[] steps) throws Exception {
        java.util.concurrent.atomic.AtomicBoolean sentBeforeLastEvent = new java.util.concurrent.atomic.AtomicBoolean();
        Recorder recorder = new Recorder() {
            @Override
            public void onMessage(NodeId from, byte[] payload, long nowNs) {
                String step = steps[payload[0]];
                if (step.startsWith("send")) {
                    context.transport().send(PEER, new byte[] {payload[0]});
                }
                if (step.endsWith("slow")) {
                    long until = System.nanoTime() + 3 * ComponentDriver.SEND_WAIT_NS;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                }
                if (step.equals("expect")) {
                    await().atMost(BOUND).until(() -> !controlPlane.sent.isEmpty());
                    sentBeforeLastEvent.set(true);
                }
            }
        };
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            driver.deliverView(MembershipView.of(new ViewId(SELF, 1), List.of(SELF, PEER)));
            CountDownLatch release = holdTheTurn(driver);
            for (byte i = 0; i < steps.length; i++) {
                driver.deliverMessage(PEER, new byte[] {i});
            }
            release.countDown();
            await().atMost(BOUND.multipliedBy(2)).untilTrue(sentBeforeLastEvent);
            assertThat(controlPlane.sent).containsExactly("b#1 recorder 0");
        }
    }

    @Test
    void aFullInboxMakesTheDelivererWaitInsteadOfDropping() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 1)) {
            driver.start();
            CountDownLatch release = holdTheTurn(driver);
            driver.deliverMessage(PEER, new byte[] {1}); // fills the single slot
            Thread deliverer = Thread.ofVirtual().start(() -> driver.deliverMessage(PEER, new byte[] {2}));
            await().atMost(BOUND).until(() -> deliverer.getState() == Thread.State.WAITING);
            release.countDown();
            deliverer.join(BOUND);
            assertThat(driver.submit(nowNs -> List.copyOf(recorder.events)).get(5, TimeUnit.SECONDS))
                    .contains("msg b#1 1", "msg b#1 2");
        }
    }

    @Test
    void aSubmitWhileEventsWaitRunsAfterThemAndAnIdleSubmitRunsOnTheCaller() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 64)) {
            driver.start();
            CountDownLatch release = holdTheTurn(driver);
            for (int i = 0; i < 10; i++) {
                driver.deliverMessage(PEER, new byte[] {(byte) i});
            }
            CompletableFuture<List<String>> seen = driver.submit(nowNs -> List.copyOf(recorder.events));
            assertThat(seen).isNotDone(); // the turn is taken: queued behind the ten messages
            release.countDown();
            List<String> events = seen.get(5, TimeUnit.SECONDS);
            assertThat(events.subList(events.size() - 10, events.size()))
                    .containsExactly(
                            "msg b#1 0",
                            "msg b#1 1",
                            "msg b#1 2",
                            "msg b#1 3",
                            "msg b#1 4",
                            "msg b#1 5",
                            "msg b#1 6",
                            "msg b#1 7",
                            "msg b#1 8",
                            "msg b#1 9");
            // With the turn free again, the task runs on this thread: no hand-off.
            Thread runner = driver.<Thread>call(nowNs -> Thread.currentThread(), BOUND);
            assertThat(runner).isSameAs(Thread.currentThread());
        }
    }

    @Test
    void contendedCallsEachRunOnceAndOneAtATime() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 64)) {
            driver.start();
            int[] counter = new int[1]; // touched only in the turn: no lost update if the turn holds
            List<Thread> callers = new java.util.ArrayList<>();
            List<Integer> seen = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 500; i++) {
                callers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int j = 0; j < 20; j++) {
                            seen.add(driver.call(nowNs -> ++counter[0], BOUND));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            for (Thread caller : callers) {
                caller.join(BOUND);
            }
            assertThat(driver.<Integer>call(nowNs -> counter[0], BOUND)).isEqualTo(10_000);
            assertThat(seen).hasSize(10_000).doesNotHaveDuplicates();
        }
    }

    @Test
    void aCallThatTimedOutWaitingForTheTurnNeverRuns() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 64)) {
            driver.start();
            CountDownLatch release = holdTheTurn(driver);
            AtomicInteger ran = new AtomicInteger();
            assertThatThrownBy(() -> driver.call(nowNs -> ran.incrementAndGet(), Duration.ofMillis(50)))
                    .isInstanceOf(TimeoutException.class);
            release.countDown();
            assertThat(driver.<Integer>call(nowNs -> ran.get(), BOUND))
                    .as("the caller was told it did not run: it must not run later")
                    .isZero();
        }
    }

    /**
     * Keeps the component busy in a task until the returned latch is released. The task is submitted from another
     * thread, since submit may run it on the submitting thread.
     */
    private static CountDownLatch holdTheTurn(ComponentDriver driver) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        Thread.ofVirtual()
                .start(() -> driver.submit(nowNs -> {
                    busy.countDown();
                    await().atMost(BOUND).until(() -> release.getCount() == 0);
                    return null;
                }));
        busy.await();
        return release;
    }

    @Test
    void monitorsOfLocalProcessesDeliverExactlyOneExitNotice() throws Exception {
        Recorder recorder = new Recorder();
        try (ComponentDriver driver = driver(recorder, 16)) {
            driver.start();
            Pid pid = processes.register(message -> {});
            Pid gone = processes.register(message -> {});
            processes.exited(gone, ExitReason.NORMAL);
            driver.submit(nowNs -> {
                        recorder.context.processes().monitor(pid);
                        recorder.context.processes().monitor(gone);
                        return null;
                    })
                    .get(5, TimeUnit.SECONDS);
            processes.exited(pid, ExitReason.KILLED);
            processes.exited(pid, ExitReason.KILLED);
            await().atMost(BOUND)
                    .until(() -> recorder.events.stream()
                                    .filter(e -> e.startsWith("exit"))
                                    .count()
                            == 2);
            assertThat(driver.submit(nowNs -> List.copyOf(recorder.events)).get(5, TimeUnit.SECONDS))
                    .filteredOn(e -> e.startsWith("exit"))
                    .containsExactlyInAnyOrder("exit " + pid + " killed", "exit " + gone + " noproc");
        }
    }

    private ComponentDriver driver(Component component, int capacity) {
        return new ComponentDriver(component, SELF, controlPlane, scheduler, metrics, processes, capacity);
    }

    /** Records every event; fails loudly if two handlers ever overlap. */
    private static class Recorder implements Component {
        static final byte[] POISON = {-1};
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger overlaps = new AtomicInteger();
        volatile NodeContext context;

        @Override
        public String name() {
            return "recorder";
        }

        private void enter(String event) {
            if (inside.incrementAndGet() != 1) {
                overlaps.incrementAndGet();
            }
            events.add(event);
            inside.decrementAndGet();
        }

        @Override
        public void onStart(NodeContext context, long nowNs) {
            this.context = context;
            enter("start");
        }

        @Override
        public void onView(MembershipView view, long nowNs) {
            enter("view " + view.id());
        }

        @Override
        public void onMessage(NodeId from, byte[] payload, long nowNs) {
            if (payload == POISON) {
                throw new IllegalStateException("poison");
            }
            enter("msg " + from + " " + payload[0]);
        }

        @Override
        public void onTimer(Object key, long nowNs) {
            enter("timer " + key);
        }

        @Override
        public void onProcessExit(Pid pid, long monitorRef, ExitReason reason, long nowNs) {
            enter("exit " + pid + " " + reason);
        }

        @Override
        public void onStop(long nowNs) {
            enter("stop");
        }
    }

    private static final class RecordingControlPlane implements ControlPlane {
        final List<String> sent = new CopyOnWriteArrayList<>();
        /** A send of this first byte records itself, then waits for {@link #release}. */
        volatile int blockOn = Integer.MIN_VALUE;

        volatile java.util.concurrent.CountDownLatch release;
        volatile boolean blocked;

        @Override
        public NodeId self() {
            return SELF;
        }

        @Override
        public void start(Listener listener) {}

        @Override
        public void send(NodeId to, String component, byte[] payload) {
            sent.add(to + " " + component + " " + payload[0]);
            if (payload[0] == blockOn) {
                blocked = true;
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public MembershipView view() {
            return null;
        }

        @Override
        public Map<String, String> attributes(NodeId member) {
            return Map.of();
        }

        @Override
        public void close() {}
    }
}
