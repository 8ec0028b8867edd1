package io.cohort.node.process;

import io.cohort.node.Pid;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The receive loop of one {@link Server}: init, then one message at a time — calls, casts, system messages, the
 * rest to {@code handleInfo} — with continue steps run before the next message. A callback that throws ends the
 * server with that failure, after {@code terminate}.
 */
final class ServerLoop<S> implements ServerContext {

    private final ProcessContext self;
    private final Server<S> server;
    /** The process that started it linked (a supervisor): its exit signal stops the server, as in OTP. */
    private final Pid parent;

    private Consumer<String> trace;

    ServerLoop(ProcessContext self, Server<S> server, Pid parent) {
        this.self = self;
        this.server = server;
        this.parent = parent;
    }

    void run(CompletableFuture<ExitReason> initialized) throws Exception {
        if (parent != null) {
            self.trapExits(true); // so a parent's shutdown reaches terminate
        }
        Next<S> next;
        try {
            next = server.init(this);
        } catch (Exception | Error e) {
            initialized.complete(ExitReason.Failure.of(e));
            throw e;
        }
        if (next.stop != null) {
            initialized.complete(next.stop);
            self.exit(next.stop);
        }
        initialized.complete(null);
        S state = next.state;
        while (true) {
            Object message = null;
            try {
                if (next.hasContinue()) {
                    next = server.handleContinue(next.continueWith, state, this);
                } else {
                    message = self.receive();
                    next = handle(message, state);
                    if (next == null) { // a system message: state unchanged
                        next = Next.state(state);
                        continue;
                    }
                }
            } catch (ProcessExitedException killed) {
                throw killed; // killed from outside: no terminate, as in OTP
            } catch (ExitNowQuietly stopped) {
                self.exit(stopped.reason); // terminate already ran
                return;
            } catch (ExitNow exit) {
                server.terminate(exit.reason, state);
                self.exit(exit.reason);
                return;
            } catch (Exception | Error e) {
                server.terminate(ExitReason.Failure.of(e), state);
                throw e;
            }
            state = next.state;
            if (trace != null && message != null) {
                trace.accept(self.self() + " handled " + message + " -> state " + state);
            }
            if (next.stop != null) {
                server.terminate(next.stop, state);
                self.exit(next.stop);
                return;
            }
        }
    }

    /** Dispatches one message; null for system messages that leave the state alone. */
    private Next<S> handle(Object message, S state) throws Exception {
        switch (message) {
            case ServerMessage.Call call -> {
                Next<S> next = server.handleCall(call.request(), call.from(), state, this);
                if (next.hasReply()) {
                    reply(call.from(), next.reply);
                }
                return next;
            }
            case ServerMessage.Cast cast -> {
                return server.handleCast(cast.message(), state, this);
            }
            case ServerMessage.Stop stop -> {
                server.terminate(stop.reason(), state);
                throw new ExitNowQuietly(stop.reason());
            }
            case ServerMessage.GetState get -> {
                reply(get.from(), state);
                return null;
            }
            case ServerMessage.Trace traceOn -> {
                trace = traceOn.sink();
                reply(traceOn.from(), "ok");
                return null;
            }
            case Signal.Exit exit -> {
                if (exit.from().equals(parent)) {
                    throw new ExitNow(exit.reason());
                }
                return server.handleInfo(message, state, this);
            }
            default -> {
                return server.handleInfo(message, state, this);
            }
        }
    }

    @Override
    public Pid self() {
        return self.self();
    }

    @Override
    public ProcessContext process() {
        return self;
    }

    @Override
    public void reply(From from, Object value) {
        self.send(from.replyTo(), new ServerMessage.Reply(from.ref(), value));
    }

    @Override
    public void sendAfter(Duration delay, Object message) {
        self.runtime().sendAfter(self.self(), delay, message);
    }

    /** The parent's exit signal: terminate, then exit with its reason. */
    private static class ExitNow extends RuntimeException {
        final ExitReason reason;

        ExitNow(ExitReason reason) {
            super(null, null, false, false);
            this.reason = reason;
        }
    }

    /** A stop request: terminate already ran. */
    private static final class ExitNowQuietly extends RuntimeException {
        final ExitReason reason;

        ExitNowQuietly(ExitReason reason) {
            super(null, null, false, false);
            this.reason = reason;
        }
    }
}
