package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.sim.SimMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServersTest {

    private static final Duration BOUND = Duration.ofSeconds(5);

    private final ProcessTable table = new ProcessTable(new NodeId("local", 1));
    private final ProcessRuntime runtime = new ProcessRuntime(table, new SimMetrics());
    private final List<String> terminated = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        runtime.close();
    }

    /** A counter: call "get", call "add" n, cast n; "crash" throws; "later" defers its reply until a cast "release". */
    private final class Counter implements Server<Integer> {
        private ServerContext.From waiting;

        @Override
        public Next<Integer> init(ServerContext context) {
            return Next.state(0);
        }

        @Override
        public Next<Integer> handleCall(Object request, ServerContext.From from, Integer state, ServerContext ctx) {
            if (request instanceof Integer n) {
                return Next.reply(state + n, state + n);
            }
            switch (String.valueOf(request)) {
                case "get":
                    return Next.reply(state, state);
                case "crash":
                    throw new IllegalStateException("asked to crash");
                case "later":
                    waiting = from;
                    return Next.state(state);
                case "sleep":
                    try {
                        ctx.process().receive(String.class, "wake"::equals, BOUND);
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return Next.reply("slept", state);
                default:
                    throw new IllegalArgumentException(String.valueOf(request));
            }
        }

        @Override
        public Next<Integer> handleCast(Object message, Integer state, ServerContext context) {
            if ("release".equals(message)) {
                context.reply(waiting, "released at " + state);
                return Next.state(state);
            }
            return Next.state(state + (Integer) message);
        }

        @Override
        public Next<Integer> handleInfo(Object message, Integer state, ServerContext context) {
            return "tick".equals(message) ? Next.state(state + 100) : Next.state(state);
        }

        @Override
        public void terminate(ExitReason reason, Integer state) {
            terminated.add(reason + " at " + state);
        }
    }

    private Pid counter() {
        return Servers.start(runtime, new Counter(), BOUND);
    }

    @Test
    void callsCastsAndInfoChangeTheStateInOrder() {
        Pid pid = counter();
        assertThat(Servers.call(runtime, pid, 5)).isEqualTo(5);
        Servers.cast(runtime, pid, 10);
        runtime.send(pid, "tick");
        assertThat(Servers.call(runtime, pid, "get")).isEqualTo(115);
        assertThat(Servers.state(runtime, pid, BOUND)).isEqualTo(115);
    }

    @Test
    void concurrentCallersEachGetTheirOwnReply() throws Exception {
        Pid pid = counter();
        List<Thread> callers = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            callers.add(Thread.ofVirtual().start(() -> {
                for (int j = 0; j < 100; j++) {
                    Servers.call(runtime, pid, 1);
                }
            }));
        }
        for (Thread caller : callers) {
            caller.join(BOUND);
        }
        assertThat(Servers.call(runtime, pid, "get")).isEqualTo(5_000);
        assertThat(table.size()).as("reply addresses are released").isEqualTo(1);
    }

    @Test
    void aCallTimesOutAndItsLateReplyIsDroppedNotLeaked() {
        Pid pid = counter();
        assertThatThrownBy(() -> Servers.call(runtime, pid, "sleep", Duration.ofMillis(50)))
                .isInstanceOfSatisfying(
                        CallException.class, e -> assertThat(e.kind()).isEqualTo(CallException.Kind.TIMEOUT));
        runtime.send(pid, "wake");
        assertThat(Servers.call(runtime, pid, "get")).isEqualTo(0);
        assertThat(table.size()).isEqualTo(1);
    }

    @Test
    void aCallToADeadServerFailsAtOnceWithNoproc() {
        Pid pid = counter();
        Servers.stop(runtime, pid, ExitReason.NORMAL, BOUND);
        assertThatThrownBy(() -> Servers.call(runtime, pid, "get", Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CallException.Kind.SERVER_DOWN);
                    assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
                });
    }

    @Test
    void aServerThatCrashesDuringACallFailsTheCallWithItsReason() {
        Pid pid = counter();
        assertThatThrownBy(() -> Servers.call(runtime, pid, "crash", Duration.ofSeconds(30)))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CallException.Kind.SERVER_DOWN);
                    assertThat(e.reason()).isInstanceOf(ExitReason.Failure.class);
                });
        assertThat(terminated).singleElement().asString().startsWith("exception(java.lang.IllegalStateException");
    }

    @Test
    void aDeferredReplyAnswersTheCallLater() throws Exception {
        Pid pid = counter();
        BlockingQueue<Object> answer = new LinkedBlockingQueue<>();
        Thread caller = Thread.ofVirtual().start(() -> answer.add(Servers.call(runtime, pid, "later")));
        await().atMost(BOUND)
                .until(() ->
                        caller.getState() == Thread.State.WAITING || caller.getState() == Thread.State.TIMED_WAITING);
        Servers.cast(runtime, pid, 3);
        Servers.cast(runtime, pid, "release");
        assertThat(answer.poll(5, TimeUnit.SECONDS)).isEqualTo("released at 3");
    }

    @Test
    void continueRunsAfterStartReturnsAndBeforeTheNextMessage() {
        CountDownLatch release = new CountDownLatch(1);
        Server<String> slowStart = new Server<>() {
            @Override
            public Next<String> init(ServerContext context) {
                return Next.state("initialised").andContinue("load");
            }

            @Override
            public Next<String> handleContinue(Object argument, String state, ServerContext context) throws Exception {
                release.await(); // heavy post-init work would go here
                return Next.state("loaded");
            }

            @Override
            public Next<String> handleCall(Object request, ServerContext.From from, String state, ServerContext c) {
                return Next.reply(state, state);
            }
        };
        Pid pid = Servers.start(runtime, slowStart, BOUND); // returns although continue is blocked
        release.countDown();
        assertThat(Servers.call(runtime, pid, "state?")).isEqualTo("loaded");
    }

    @Test
    void aFailingInitFailsStartWithTheReason() {
        Server<Object> broken = context -> {
            throw new IllegalStateException("no config");
        };
        assertThatThrownBy(() -> Servers.start(runtime, broken, BOUND))
                .isInstanceOfSatisfying(
                        Servers.StartException.class,
                        e -> assertThat(e.reason())
                                .isEqualTo(new ExitReason.Failure(IllegalStateException.class.getName(), "no config")));
        assertThat(runtime.processes()).isEmpty();
    }

    @Test
    void stopRunsTerminateWithTheReason() {
        Pid pid = counter();
        Servers.cast(runtime, pid, 7);
        Servers.stop(runtime, pid, ExitReason.SHUTDOWN, BOUND);
        assertThat(terminated).containsExactly("shutdown at 7");
        assertThat(runtime.isAlive(pid)).isFalse();
    }

    @Test
    void sendAfterArrivesAsInfo() {
        Pid pid = counter();
        runtime.sendAfter(pid, Duration.ofMillis(20), "tick");
        await().atMost(BOUND).until(() -> Servers.call(runtime, pid, "get").equals(100));
    }

    @Test
    void traceReportsEveryHandledMessageUntilTurnedOff() {
        Pid pid = counter();
        List<String> lines = new CopyOnWriteArrayList<>();
        Servers.trace(runtime, pid, lines::add, BOUND);
        Servers.cast(runtime, pid, 1);
        Servers.call(runtime, pid, "get");
        Servers.trace(runtime, pid, null, BOUND);
        Servers.cast(runtime, pid, 1);
        Servers.call(runtime, pid, "get");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("Cast[message=1]").contains("state 1");
    }

    @Test
    void aLinkedServerStopsWithItsParentAndRunsTerminate() throws Exception {
        BlockingQueue<Pid> started = new LinkedBlockingQueue<>();
        Pid parent = runtime.spawn(self -> {
            started.add(Servers.startLink(self, new Counter(), BOUND));
            self.receive();
        });
        Pid server = started.poll(5, TimeUnit.SECONDS);
        runtime.exit(parent, parent, ExitReason.SHUTDOWN);
        await().atMost(BOUND).until(() -> !runtime.isAlive(server));
        assertThat(terminated).containsExactly("shutdown at 0");
    }

    @Test
    void serversCanBeCalledByTheirLocalName() {
        Pid pid = counter();
        assertThat(runtime.register("counter", pid)).isTrue();
        assertThat(runtime.register("counter", counter())).isFalse();
        assertThat(Servers.call(runtime, "counter", 2, BOUND)).isEqualTo(2);
        Servers.stop(runtime, pid, ExitReason.NORMAL, BOUND);
        assertThat(runtime.whereis("counter")).isEmpty(); // names go with their process
    }
}
