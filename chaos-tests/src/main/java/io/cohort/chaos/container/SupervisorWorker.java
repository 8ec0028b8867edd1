package io.cohort.chaos.container;

import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.control.wire.SupReply;
import io.cohort.chaos.history.History;
import java.time.Duration;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One supervisor workload worker: starts permanent children from a small shared pool of ids (a start of an id that
 * exists is answered {@code already}) and calls and sends to them by name from its node. Operations:
 * {@code start-child id} (ok {@code started} or {@code already}), {@code call id} (ok {@code <pid> <token>}),
 * {@code send id} (ok {@code sent} or {@code unresolved}).
 */
final class SupervisorWorker extends OpWorker {

    /** The children the workload runs. */
    static final List<String> CHILDREN = List.of("c0", "c1", "c2", "c3", "c4", "c5");

    /** How long a call by name may take on the node. */
    static final Duration CHILD_CALL_TIMEOUT = Duration.ofSeconds(2);

    SupervisorWorker(
            String name, ClusterNode node, long seed, History history, LongSupplier nowNs, long endNs, int rate) {
        super(name, node, seed, history, nowNs, endNs, rate);
    }

    @Override
    void restarted(String incarnation) {
        // Children outlive their node: nothing this worker knew of is gone.
    }

    @Override
    void step() {
        double roll = random.nextDouble();
        String id = CHILDREN.get(random.nextInt(CHILDREN.size()));
        if (roll < 0.15) {
            start(id);
        } else if (roll < 0.65) {
            call(id);
        } else {
            send(id);
        }
    }

    private void start(String id) {
        long invoke = invoke("start-child", id);
        try {
            ok(invoke, client.supStart(id, CALL_TIMEOUT));
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void call(String id) {
        long invoke = invoke("call", id);
        try {
            SupReply reply = client.supCall(id, CHILD_CALL_TIMEOUT, CALL_TIMEOUT);
            ok(invoke, reply.getPid() + " " + reply.getToken());
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void send(String id) {
        long invoke = invoke("send", id);
        try {
            ok(invoke, client.supSend(id, CALL_TIMEOUT) ? "sent" : "unresolved");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }
}
