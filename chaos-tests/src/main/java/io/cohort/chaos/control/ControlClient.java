package io.cohort.chaos.control;

import com.google.protobuf.ByteString;
import io.cohort.chaos.control.wire.ExitProcess;
import io.cohort.chaos.control.wire.PgJoin;
import io.cohort.chaos.control.wire.PgLeave;
import io.cohort.chaos.control.wire.PgPublish;
import io.cohort.chaos.control.wire.PgRead;
import io.cohort.chaos.control.wire.PgSnapshot;
import io.cohort.chaos.control.wire.Ping;
import io.cohort.chaos.control.wire.Pong;
import io.cohort.chaos.control.wire.ReadView;
import io.cohort.chaos.control.wire.RegExit;
import io.cohort.chaos.control.wire.RegLookup;
import io.cohort.chaos.control.wire.RegRead;
import io.cohort.chaos.control.wire.RegRegister;
import io.cohort.chaos.control.wire.RegRegistered;
import io.cohort.chaos.control.wire.RegSnapshot;
import io.cohort.chaos.control.wire.RegUnregister;
import io.cohort.chaos.control.wire.RegUnregistered;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import io.cohort.chaos.control.wire.Spawn;
import io.cohort.chaos.control.wire.SupCall;
import io.cohort.chaos.control.wire.SupRead;
import io.cohort.chaos.control.wire.SupReply;
import io.cohort.chaos.control.wire.SupSend;
import io.cohort.chaos.control.wire.SupSnapshot;
import io.cohort.chaos.control.wire.SupStart;
import io.cohort.chaos.control.wire.View;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The harness side of the control channel: one TCP connection to one node, one call at a time.
 *
 * <p>Outcomes follow Jepsen's: a call either returns the node's {@link Response} (which may carry an {@code Error}),
 * fails <em>before</em> the request could have reached the node ({@link Outcome#NOT_SENT}: connecting failed, so it
 * certainly did nothing), or fails after sending ({@link Outcome#UNKNOWN}: a timeout or a broken connection, so the
 * operation may or may not have happened). After an unknown outcome the connection is dropped, since a late answer
 * would otherwise be taken for the next call's; the next call reconnects.
 *
 * <p>The address is asked for at every connect, because a restarted container publishes its port anew.
 */
public final class ControlClient implements AutoCloseable {

    /** How a call ended when no response arrived. */
    public enum Outcome {
        NOT_SENT,
        UNKNOWN
    }

    /** No response: see {@link #outcome()}. */
    public static final class CallException extends Exception {
        private static final long serialVersionUID = 1L;
        private final Outcome outcome;

        CallException(Outcome outcome, String message, Throwable cause) {
            super(message, cause);
            this.outcome = outcome;
        }

        public Outcome outcome() {
            return outcome;
        }
    }

    private final Supplier<InetSocketAddress> address;
    private final Duration connectTimeout;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private long nextId = 1;
    private boolean closed;

    /**
     * @param address where the node's control port is now (asked at every connect)
     * @param connectTimeout the bound on opening a connection
     */
    public ControlClient(Supplier<InetSocketAddress> address, Duration connectTimeout) {
        this.address = address;
        this.connectTimeout = connectTimeout;
    }

    /** Sends {@code request} (its id is set here) and waits at most {@code timeout} for the answer. */
    public synchronized Response call(Request.Builder request, Duration timeout) throws CallException {
        if (closed) {
            throw new CallException(Outcome.NOT_SENT, "client closed", null);
        }
        connectIfNeeded();
        long id = nextId++;
        try {
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis())));
            ControlFrames.write(out, request.setId(id).build());
            byte[] frame = ControlFrames.read(in);
            if (frame == null) {
                throw new IOException("connection closed by the node");
            }
            Response response = Response.parseFrom(frame);
            if (response.getId() != id) {
                throw new IOException("answer to call " + response.getId() + " while waiting for " + id);
            }
            return response;
        } catch (SocketTimeoutException e) {
            disconnect();
            throw new CallException(Outcome.UNKNOWN, "no answer in " + timeout, e);
        } catch (IOException e) {
            disconnect();
            throw new CallException(Outcome.UNKNOWN, "connection broke: " + e.getMessage(), e);
        }
    }

    /** The node answered with an {@code Error}: it did not do the operation. */
    public static final class RemoteError extends Exception {
        private static final long serialVersionUID = 1L;
        private final String code;

        RemoteError(String code, String message) {
            super(code + ": " + message);
            this.code = code;
        }

        /** {@code unsupported}, {@code bad_request}, {@code noproc} or {@code failed}. */
        public String code() {
            return code;
        }
    }

    public Pong ping(Duration timeout) throws CallException, RemoteError {
        return ok(call(Request.newBuilder().setPing(Ping.getDefaultInstance()), timeout))
                .getPong();
    }

    public View view(Duration timeout) throws CallException, RemoteError {
        return ok(call(Request.newBuilder().setReadView(ReadView.getDefaultInstance()), timeout))
                .getView();
    }

    /** Starts {@code count} idle processes on the node; their pids. */
    public List<String> spawn(int count, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setSpawn(Spawn.newBuilder().setCount(count).build()),
                        timeout))
                .getSpawned()
                .getPidsList();
    }

    public void exit(String pid, Duration timeout) throws CallException, RemoteError {
        ok(call(
                Request.newBuilder()
                        .setExitProcess(ExitProcess.newBuilder().setPid(pid).build()),
                timeout));
    }

    public void pgJoin(String scope, String group, List<String> pids, Duration timeout)
            throws CallException, RemoteError {
        ok(call(
                Request.newBuilder()
                        .setPgJoin(PgJoin.newBuilder()
                                .setScope(scope)
                                .setGroup(group)
                                .addAllPids(pids)
                                .build()),
                timeout));
    }

    /** True when at least one of them was a member. */
    public boolean pgLeave(String scope, String group, List<String> pids, Duration timeout)
            throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setPgLeave(PgLeave.newBuilder()
                                        .setScope(scope)
                                        .setGroup(group)
                                        .addAllPids(pids)
                                        .build()),
                        timeout))
                .getPgLeft()
                .getLeft();
    }

    /** The number of members the node sent to. */
    public int pgPublish(String scope, String group, byte[] payload, Duration timeout)
            throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setPgPublish(PgPublish.newBuilder()
                                        .setScope(scope)
                                        .setGroup(group)
                                        .setPayload(ByteString.copyFrom(payload))
                                        .build()),
                        timeout))
                .getPgPublished()
                .getSent();
    }

    public PgSnapshot pgRead(String scope, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setPgRead(PgRead.newBuilder().setScope(scope).build()),
                        timeout))
                .getPgSnapshot();
    }

    // ---- registry ----

    public RegRegistered regRegister(String name, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setRegRegister(
                                        RegRegister.newBuilder().setName(name).build()),
                        timeout))
                .getRegRegistered();
    }

    public RegUnregistered regUnregister(String name, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setRegUnregister(
                                        RegUnregister.newBuilder().setName(name).build()),
                        timeout))
                .getRegUnregistered();
    }

    /** The pid {@code name} resolves to on the node; empty for none. */
    public String regLookup(String name, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setRegLookup(
                                        RegLookup.newBuilder().setName(name).build()),
                        timeout))
                .getRegLookedUp()
                .getPid();
    }

    public void regExit(String pid, Duration timeout) throws CallException, RemoteError {
        ok(call(Request.newBuilder().setRegExit(RegExit.newBuilder().setPid(pid).build()), timeout));
    }

    public RegSnapshot regRead(Duration timeout) throws CallException, RemoteError {
        return ok(call(Request.newBuilder().setRegRead(RegRead.getDefaultInstance()), timeout))
                .getRegSnapshot();
    }

    // ---- distributed supervisor ----

    /** {@code started} or {@code already}. */
    public String supStart(String id, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setSupStart(SupStart.newBuilder().setId(id).build()),
                        timeout))
                .getSupStarted()
                .getOutcome();
    }

    /** A call by name from the node to child {@code id}, bounded by {@code callTimeout} there. */
    public SupReply supCall(String id, Duration callTimeout, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setSupCall(SupCall.newBuilder()
                                        .setId(id)
                                        .setTimeoutMs((int) callTimeout.toMillis())
                                        .build()),
                        timeout))
                .getSupReply();
    }

    public boolean supSend(String id, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setSupSend(SupSend.newBuilder().setId(id).build()),
                        timeout))
                .getSupSent()
                .getSent();
    }

    /** The supervisor as the node sees it; with a positive {@code callTimeout}, every child called by name too. */
    public SupSnapshot supRead(Duration callTimeout, Duration timeout) throws CallException, RemoteError {
        return ok(call(
                        Request.newBuilder()
                                .setSupRead(SupRead.newBuilder()
                                        .setCallTimeoutMs((int) callTimeout.toMillis())
                                        .build()),
                        timeout))
                .getSupSnapshot();
    }

    private static Response ok(Response response) throws RemoteError {
        if (response.hasError()) {
            throw new RemoteError(
                    response.getError().getCode(), response.getError().getMessage());
        }
        return response;
    }

    private void connectIfNeeded() throws CallException {
        if (socket != null) {
            return;
        }
        InetSocketAddress target;
        try {
            target = address.get();
        } catch (RuntimeException e) {
            throw new CallException(Outcome.NOT_SENT, "no address: " + e.getMessage(), e);
        }
        Socket fresh = new Socket();
        try {
            fresh.setTcpNoDelay(true);
            fresh.connect(target, (int) connectTimeout.toMillis());
            in = new BufferedInputStream(fresh.getInputStream());
            out = new BufferedOutputStream(fresh.getOutputStream());
            socket = fresh;
        } catch (IOException e) {
            closeQuietly(fresh);
            throw new CallException(Outcome.NOT_SENT, "cannot connect to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Drops the connection; the next call opens a new one. */
    public synchronized void disconnect() {
        if (socket != null) {
            closeQuietly(socket);
            socket = null;
            in = null;
            out = null;
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        disconnect();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Closing a socket we no longer use.
        }
    }
}
