package io.cohort.chaos.control;

import io.cohort.chaos.control.wire.Error;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node side of the chaos control channel: a TCP listener that answers {@link Request}s with {@link Response}s (see
 * {@code control.proto}).
 *
 * <p>Operations are served by {@link Operation}s registered per request kind, so each subsystem adds its own (pg now;
 * registry and supervisor when they land) without touching the server. A kind nobody registered is answered with
 * {@code Error{code: unsupported}}; a handler's {@link IllegalArgumentException} becomes {@code bad_request}, any
 * other exception {@code failed}. The server never closes a connection over a failed operation, only over a broken
 * frame.
 *
 * <p>Concurrency: one virtual thread per connection, requests on a connection answered in order; connections are
 * bounded ({@link #MAX_CONNECTIONS}): beyond it a new connection is closed at once and counted.
 */
public final class ControlServer implements AutoCloseable {

    /** Connections served at once; a harness opens a few per node (one per worker). */
    public static final int MAX_CONNECTIONS = 64;

    private static final System.Logger LOG = System.getLogger(ControlServer.class.getName());

    /** Serves one kind of request; returns the response with its result set (the server sets the id). */
    @FunctionalInterface
    public interface Operation {
        Response.Builder apply(Request request) throws Exception;
    }

    private final Map<Request.OpCase, Operation> operations = new EnumMap<>(Request.OpCase.class);
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong brokenFrames = new AtomicLong();
    private volatile ServerSocket listener;

    /**
     * Serves {@code kind} with {@code operation}; call before {@link #start}.
     *
     * @throws IllegalStateException when the kind already has an operation or the server has started
     */
    public ControlServer serve(Request.OpCase kind, Operation operation) {
        if (listener != null) {
            throw new IllegalStateException("register operations before start");
        }
        if (operations.putIfAbsent(kind, Objects.requireNonNull(operation)) != null) {
            throw new IllegalStateException("two operations for " + kind);
        }
        return this;
    }

    /** Listens on {@code address} and serves connections on virtual threads until closed; returns the bound port. */
    public int start(InetSocketAddress address) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(address, MAX_CONNECTIONS);
        listener = socket;
        Thread.ofVirtual().name("control-accept").start(this::acceptLoop);
        return socket.getLocalPort();
    }

    /** Connections refused because {@link #MAX_CONNECTIONS} were open, and connections closed over broken frames. */
    public long refusedConnections() {
        return refused.get();
    }

    public long brokenFrames() {
        return brokenFrames.get();
    }

    /** Answers one request: the operation's result, or an {@code Error}. Never throws. */
    public Response answer(Request request) {
        Operation operation = operations.get(request.getOpCase());
        Response.Builder response;
        if (operation == null) {
            response = error("unsupported", "this node does not serve " + request.getOpCase());
        } else {
            try {
                response = operation.apply(request);
            } catch (IllegalArgumentException e) {
                response = error("bad_request", String.valueOf(e.getMessage()));
            } catch (NoProcessException e) {
                response = error("noproc", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response = error("failed", "interrupted");
            } catch (Exception e) {
                response = error("failed", e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        return response.setId(request.getId()).build();
    }

    /** A response carrying an error. */
    public static Response.Builder error(String code, String message) {
        return Response.newBuilder()
                .setError(Error.newBuilder().setCode(code).setMessage(message).build());
    }

    private void acceptLoop() {
        ServerSocket socket = listener;
        while (!socket.isClosed()) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "control channel accept failed", e);
                }
                continue;
            }
            if (connections.size() >= MAX_CONNECTIONS) {
                refused.incrementAndGet();
                closeQuietly(connection);
                continue;
            }
            connections.add(connection);
            Thread.ofVirtual()
                    .name("control-" + connection.getRemoteSocketAddress())
                    .start(() -> serve(connection));
        }
    }

    private void serve(Socket connection) {
        try (connection) {
            connection.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(connection.getInputStream());
            OutputStream out = new BufferedOutputStream(connection.getOutputStream());
            byte[] frame;
            while ((frame = ControlFrames.read(in)) != null) {
                ControlFrames.write(out, answer(Request.parseFrom(frame)));
            }
        } catch (SocketException e) {
            // The harness closed or reset the connection (it does when a call times out): nothing to answer.
        } catch (IOException e) {
            brokenFrames.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "control connection closed: " + e.getMessage());
        } finally {
            connections.remove(connection);
        }
    }

    @Override
    public void close() {
        ServerSocket socket = listener;
        if (socket != null) {
            closeQuietly(socket);
        }
        connections.forEach(ControlServer::closeQuietly);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing on the way out: nothing left to tell anyone.
        }
    }

    /** Thrown by an operation when a process it names does not exist here. */
    public static final class NoProcessException extends Exception {
        private static final long serialVersionUID = 1L;

        public NoProcessException(String message) {
            super(message);
        }
    }
}
