package io.cohort.chaos.container;

import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The loop and the outcome rules of every workload worker (pg, registry, supervisor): one node, one
 * control connection, one operation at a time at most {@code rate} a second until {@code endNs}, each recorded in the
 * history as Jepsen's ok / fail / info. After a call with no answer the worker asks the node who it is before going on,
 * and {@link #restarted} tells a subclass that the node began a new life.
 */
abstract class OpWorker implements Runnable {

    static final Duration CALL_TIMEOUT = Duration.ofSeconds(7);

    final String name;
    final ClusterNode node;
    final ControlClient client;
    final Random random;
    private final History history;
    private final LongSupplier nowNs;
    private final long endNs;
    private final long pauseNs;
    /** The node's incarnation as last seen; null when it must be asked again. */
    private String incarnation;

    OpWorker(String name, ClusterNode node, long seed, History history, LongSupplier nowNs, long endNs, int rate) {
        this.name = name;
        this.node = node;
        this.client = node.newControlClient();
        this.random = new Random(seed);
        this.history = history;
        this.nowNs = nowNs;
        this.endNs = endNs;
        this.pauseNs = 1_000_000_000L / rate;
    }

    /** One operation, chosen with {@link #random}. */
    abstract void step();

    /** The node is now {@code incarnation} (not the one seen before): what the worker knew of it is gone. */
    abstract void restarted(String incarnation);

    @Override
    public void run() {
        try (client) {
            while (nowNs.getAsLong() < endNs && !Thread.currentThread().isInterrupted()) {
                long beganNs = nowNs.getAsLong();
                if (incarnation == null && !learnIncarnation()) {
                    TimeUnit.MILLISECONDS.sleep(200);
                    continue;
                }
                step();
                long leftNs = pauseNs - (nowNs.getAsLong() - beganNs);
                if (leftNs > 0) {
                    TimeUnit.NANOSECONDS.sleep(Math.min(leftNs, Math.max(0, endNs - nowNs.getAsLong())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean learnIncarnation() {
        try {
            String now = client.ping(Duration.ofSeconds(2)).getNode();
            if (!now.equals(incarnation)) {
                restarted(now);
            }
            incarnation = now;
            return true;
        } catch (ControlClient.CallException | ControlClient.RemoteError e) {
            return false;
        }
    }

    long invoke(String f, String value) {
        return history.invoke(name, f, node.name(), value, nowNs.getAsLong());
    }

    void ok(long invoke, String value) {
        history.complete(invoke, Op.Type.OK, value, "", nowNs.getAsLong());
    }

    /** No answer: certainly not done if it was never sent, unknown otherwise. Ask who the node is next. */
    void failed(long invoke, ControlClient.CallException e) {
        Op.Type type = e.outcome() == ControlClient.Outcome.NOT_SENT ? Op.Type.FAIL : Op.Type.INFO;
        history.complete(invoke, type, "", e.getMessage(), nowNs.getAsLong());
        incarnation = null;
    }

    /** The node answered with an error: it did not do it, except "failed", which may be a write that timed out. */
    void refused(long invoke, ControlClient.RemoteError e) {
        Op.Type type = e.code().equals("failed") ? Op.Type.INFO : Op.Type.FAIL;
        history.complete(invoke, type, "", e.getMessage(), nowNs.getAsLong());
    }
}
