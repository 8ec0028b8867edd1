package io.cohort.node.netty;

import static io.cohort.node.netty.DataPlaneCluster.BOUND;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.process.CallException;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Next;
import io.cohort.node.process.ProcessContext;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.Servers;
import io.cohort.node.process.Signal;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Sends, calls, monitors and links between processes of three real nodes over the Netty data plane. */
class RemoteProcessesTest {

    private static DataPlaneCluster cluster;
    private static Node a;
    private static Node b;
    private static Node c;

    @BeforeAll
    static void startThreeNodes() throws Exception {
        cluster = new DataPlaneCluster("remote-processes", 3);
        List<Node> nodes = cluster.startAll(UnaryOperator.identity());
        a = nodes.get(0);
        b = nodes.get(1);
        c = nodes.get(2);
    }

    @AfterAll
    static void closeNodes() {
        cluster.close();
    }

    /** A process that forwards everything it receives into {@code sink}. */
    private static Pid collector(Node node, BlockingQueue<Object> sink) {
        return node.processes().spawn(ctx -> {
            while (true) {
                sink.add(ctx.receive());
            }
        });
    }

    /** Echo server: a call returns its request; "wait" never replies. */
    private static final class Echo implements Server<String> {
        @Override
        public Next<String> init(ServerContext context) {
            return Next.state("");
        }

        @Override
        public Next<String> handleCall(Object request, ServerContext.From from, String state, ServerContext ctx) {
            if ("wait".equals(request)) {
                return Next.state(state);
            }
            return Next.reply(request, state);
        }

        @Override
        public Next<String> handleCast(Object message, String state, ServerContext ctx) {
            return Next.state(String.valueOf(message));
        }

        @Override
        public Next<String> handleInfo(Object message, String state, ServerContext ctx) {
            return Next.state(state);
        }
    }

    @Test
    void tenThousandRemoteSendsArriveInOrder() throws Exception {
        int count = 10_000;
        sendAndCheckOrder(count); // the first run also opens the connection and warms the code up
        long startNs = System.nanoTime();
        sendAndCheckOrder(count);
        long elapsedNs = System.nanoTime() - startNs;
        // Printed, never asserted: speed is measured by the benchmarks (WORKLOADS.md msg_remote).
        System.out.printf(
                "remote sends A->B (warm): %d msgs in %.1f ms = %.0f msgs/s%n",
                count, elapsedNs / 1e6, count * 1e9 / elapsedNs);
    }

    private static void sendAndCheckOrder(int count) throws Exception {
        CompletableFuture<List<Long>> received = new CompletableFuture<>();
        Pid receiver = b.processes().spawn(ctx -> {
            List<Long> seen = new java.util.ArrayList<>(count);
            while (seen.size() < count) {
                seen.add((Long) ctx.receive());
            }
            received.complete(seen);
        });
        a.processes().spawn(ctx -> {
            for (long i = 0; i < count; i++) {
                ctx.send(receiver, i);
            }
        });
        List<Long> seen = received.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(seen).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(seen.get(i)).isEqualTo(i);
        }
    }

    @Test
    void oneFrameForManyReceiversKeepsOrderWithPlainSends() throws Exception {
        int count = 2_000;
        CompletableFuture<List<Long>> first = new CompletableFuture<>();
        CompletableFuture<List<Long>> second = new CompletableFuture<>();
        Pid r1 = b.processes().spawn(ctx -> first.complete(receiveLongs(ctx, count)));
        Pid r2 = b.processes().spawn(ctx -> second.complete(receiveLongs(ctx, count / 2)));
        Pid dead = b.processes().spawn(ctx -> {});
        await().atMost(BOUND).until(() -> !b.processes().isAlive(dead));
        for (long i = 0; i < count; i++) {
            if (i % 2 == 0) {
                a.processes().send(r1, i);
            } else {
                a.processes().sendMany(b.self(), List.of(r1, dead, r2), i);
            }
        }
        List<Long> all = first.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        List<Long> odd = second.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        for (int i = 0; i < count; i++) {
            assertThat(all.get(i)).isEqualTo(i);
        }
        for (int i = 0; i < count / 2; i++) {
            assertThat(odd.get(i)).isEqualTo(2L * i + 1);
        }
        assertThatThrownBy(() -> a.processes().sendMany(b.self(), List.of(r1, new Pid(a.self(), 1)), 1L))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a process of");
    }

    private static List<Long> receiveLongs(io.cohort.node.process.ProcessContext ctx, int count)
            throws InterruptedException {
        List<Long> seen = new java.util.ArrayList<>(count);
        while (seen.size() < count) {
            seen.add((Long) ctx.receive());
        }
        return seen;
    }

    @Test
    void aCallToARemoteServerGetsItsReply() {
        Pid server = Servers.start(b.processes(), new Echo(), BOUND);
        assertThat(Servers.call(a.processes(), server, "hello", BOUND)).isEqualTo("hello");
        assertThat(Servers.call(a.processes(), server, 42L, BOUND)).isEqualTo(42L);
    }

    @Test
    void aRemoteServerCanBeCastToAndStopped() {
        Pid server = Servers.start(b.processes(), new Echo(), BOUND);
        Servers.cast(a.processes(), server, "cast-state");
        // sys state is node-local, so it is read on B, where the cast arrives at some point (no ordering with it).
        await().atMost(BOUND).until(() -> "cast-state".equals(Servers.state(b.processes(), server, BOUND)));
        Servers.stop(a.processes(), server, new ExitReason.Custom("enough"), BOUND);
        assertThat(b.processes().isAlive(server)).isFalse();
    }

    @Test
    void aRemoteCallThatGetsNoReplyTimesOut() {
        Pid server = Servers.start(b.processes(), new Echo(), BOUND);
        assertThatThrownBy(() -> Servers.call(a.processes(), server, "wait", Duration.ofMillis(300)))
                .isInstanceOfSatisfying(
                        CallException.class, e -> assertThat(e.kind()).isEqualTo(CallException.Kind.TIMEOUT));
    }

    @Test
    void aCallToADeadRemotePidFailsWithNoproc() throws Exception {
        Pid gone = b.processes().spawn(ctx -> {});
        await().atMost(BOUND).until(() -> !b.processes().isAlive(gone));
        assertThatThrownBy(() -> Servers.call(a.processes(), gone, "hello", BOUND))
                .isInstanceOfSatisfying(CallException.class, e -> {
                    assertThat(e.kind()).isEqualTo(CallException.Kind.SERVER_DOWN);
                    assertThat(e.reason()).isEqualTo(ExitReason.NOPROC);
                });
    }

    @Test
    void aRemoteMonitorSeesTheTargetsExitReason() throws Exception {
        Pid victim = b.processes().spawn(ctx -> {
            ctx.receive();
            ctx.exit(new ExitReason.Custom("done"));
        });
        BlockingQueue<Object> watcherSaw = new LinkedBlockingQueue<>();
        a.processes().spawn(ctx -> {
            long ref = ctx.monitor(victim);
            watcherSaw.add(ref);
            watcherSaw.add(ctx.receive());
        });
        long ref = (Long) watcherSaw.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        a.processes().send(victim, "stop");
        Object down = watcherSaw.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(down).isEqualTo(new Signal.Down(ref, victim, new ExitReason.Custom("done")));
    }

    @Test
    void anUnknownPayloadTypeFailsAtTheSenderWithAClearError() {
        Pid receiver = collector(b, new LinkedBlockingQueue<>());
        record NotCodable(int x) {}
        assertThatThrownBy(() -> a.processes().send(receiver, new NotCodable(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(NotCodable.class.getName())
                .hasMessageContaining("register a Codec");
    }

    @Test
    void aRemoteLinkPropagatesACrashAndATrappingProcessGetsAnExitSignal() throws Exception {
        Pid crasher = b.processes().spawn(ctx -> {
            ctx.receive();
            throw new IllegalStateException("boom");
        });
        CompletableFuture<ExitReason> plainEnded = new CompletableFuture<>();
        BlockingQueue<Object> trapperSaw = new LinkedBlockingQueue<>();
        Pid plain = a.processes().spawn(ctx -> {
            ctx.link(crasher);
            trapperSaw.add("linked");
            ctx.receive();
        });
        a.processes()
                .table()
                .hostFor((pid, ref, reason) -> plainEnded.complete(reason))
                .monitor(plain);
        a.processes().spawn(ctx -> {
            ctx.trapExits(true);
            ctx.link(crasher);
            trapperSaw.add("linked");
            trapperSaw.add(ctx.receive(Signal.Exit.class, e -> true, BOUND).orElseThrow());
        });
        assertThat(trapperSaw.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("linked");
        assertThat(trapperSaw.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("linked");
        // Both links are set up on B once a monitor round trip through the same connection has completed.
        roundTrip(a, crasher);
        b.processes().send(crasher, "crash");
        ExitReason expected = new ExitReason.Failure(IllegalStateException.class.getName(), "boom");
        assertThat(plainEnded.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(expected);
        assertThat(trapperSaw.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new Signal.Exit(crasher, expected));
    }

    @Test
    void aLinkMadeFromTheRemoteSideIsInTheLocalLinkSetAndAMutualLinkExitsOnce() throws Exception {
        BlockingQueue<Object> saw = new LinkedBlockingQueue<>();
        CountDownLatch release = new CountDownLatch(1);
        BlockingQueue<Pid> partner = new LinkedBlockingQueue<>();
        Pid onB = b.processes().spawn(ctx -> {
            ctx.trapExits(true);
            Pid other = partner.take();
            ctx.link(other); // links back: the same link, not a second one
            saw.add("linked back");
            saw.add(ctx.receive(Signal.Exit.class, e -> true, BOUND).orElseThrow());
            saw.add(ctx.receive(Signal.Exit.class, e -> true, Duration.ofMillis(300)));
        });
        Pid onA = a.processes().spawn(ctx -> {
            ctx.link(onB);
            release.await();
            throw new IllegalStateException("a fails");
        });
        await().atMost(BOUND)
                .until(() -> b.processes()
                        .info(onB)
                        .map(info -> info.links().contains(onA))
                        .orElse(false));
        partner.add(onA);
        assertThat(saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("linked back");
        release.countDown();
        assertThat(saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isInstanceOfSatisfying(Signal.Exit.class, e -> {
            assertThat(e.from()).isEqualTo(onA);
            assertThat(e.reason()).isInstanceOf(ExitReason.Failure.class);
        });
        assertThat(saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS))
                .as("no second exit")
                .isEqualTo(Optional.empty());
    }

    @Test
    void anUnlinkFromTheRemoteSideClearsTheLocalLinkSet() throws Exception {
        CountDownLatch unlinked = new CountDownLatch(1);
        CountDownLatch hold = new CountDownLatch(1);
        Pid onB = b.processes().spawn(ctx -> hold.await());
        a.processes().spawn(ctx -> {
            ctx.link(onB);
            ctx.unlink(onB);
            unlinked.countDown();
            hold.await();
        });
        assertThat(unlinked.await(BOUND.toSeconds(), TimeUnit.SECONDS)).isTrue();
        await().atMost(BOUND)
                .until(() -> b.processes()
                        .info(onB)
                        .map(info -> info.links().isEmpty())
                        .orElse(false));
        hold.countDown();
    }

    @Test
    void aLocalCrashPropagatesOverARemoteLink() throws Exception {
        CompletableFuture<ExitReason> remoteEnded = new CompletableFuture<>();
        Pid onB = b.processes().spawn(ProcessContext::receive);
        b.processes()
                .table()
                .hostFor((pid, ref, reason) -> remoteEnded.complete(reason))
                .monitor(onB);
        CompletableFuture<Void> linked = new CompletableFuture<>();
        Pid onA = a.processes().spawn(ctx -> {
            ctx.link(onB);
            linked.complete(null);
            ctx.receive();
            ctx.exit(new ExitReason.Custom("gave_up"));
        });
        linked.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        roundTrip(a, onB);
        a.processes().send(onA, "go");
        assertThat(remoteEnded.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo(new ExitReason.Custom("gave_up"));
    }

    @Test
    void monitorsAndLinksFireNoconnectionWhenTheRemoteNodeLeavesTheView() throws Exception {
        Pid onC = c.processes().spawn(ProcessContext::receive);
        BlockingQueue<Object> saw = new LinkedBlockingQueue<>();
        a.processes().spawn(ctx -> {
            ctx.trapExits(true);
            long ref = ctx.monitor(onC);
            ctx.link(onC);
            saw.add(ref);
            saw.add(ctx.receive());
            saw.add(ctx.receive());
        });
        long ref = (Long) saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        roundTrip(a, onC);
        cluster.cutOff(c);
        Object first = saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        Object second = saw.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(List.of(first, second))
                .containsExactlyInAnyOrder(
                        new Signal.Down(ref, onC, ExitReason.NOCONNECTION),
                        new Signal.Exit(onC, ExitReason.NOCONNECTION));
        // The node is gone for A: a new monitor of one of its processes reports noconnection at once.
        await().atMost(BOUND).until(() -> !a.view().contains(c.self()));
        BlockingQueue<Object> late = new LinkedBlockingQueue<>();
        Pid lateWatcher = a.processes().spawn(ctx -> {
            long r = ctx.monitor(onC);
            late.add(ctx.receive(Signal.Down.class, d -> d.monitorRef() == r, BOUND)
                    .orElseThrow());
        });
        Object lateDown = late.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(lateDown)
                .isInstanceOfSatisfying(
                        Signal.Down.class, d -> assertThat(d.reason()).isEqualTo(ExitReason.NOCONNECTION));
        assertThat(lateWatcher).isNotNull();
    }

    /** Monitors {@code target} from {@code node} and demonitors: once the answer path is idle, earlier frames landed. */
    private static void roundTrip(Node node, Pid target) throws Exception {
        CompletableFuture<Void> done = new CompletableFuture<>();
        node.processes().spawn(ctx -> {
            // A call-less barrier: the Down of a monitor on a process that is gone comes back through B after
            // everything sent before it (per-connection order). A dead pid on the target's node gives noproc.
            Pid dead = new Pid(target.node(), Long.MAX_VALUE - 1);
            long ref = ctx.monitor(dead);
            ctx.receive(Signal.Down.class, d -> d.monitorRef() == ref, BOUND).orElseThrow();
            done.complete(null);
        });
        done.get(BOUND.toSeconds(), TimeUnit.SECONDS);
    }
}
