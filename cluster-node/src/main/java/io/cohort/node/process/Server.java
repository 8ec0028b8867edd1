package io.cohort.node.process;

/**
 * A server process (OTP's GenServer): state owned by one process, changed only by the messages it handles one at a
 * time. Start one with {@link Servers#start}; talk to it with {@link Servers#call} (request and reply, with a
 * timeout — the back-pressure) and {@link Servers#cast} (fire and forget).
 *
 * <p>Every callback returns a {@link Next}: the new state, optionally a reply, a continue step, or a stop. A call
 * handled without a reply is answered later with {@link ServerContext#reply} (a deferred reply). Post-init work
 * belongs in {@link #handleContinue}, so {@code start} returns as soon as {@link #init} has built the state.
 *
 * @param <S> the server's state
 */
public interface Server<S> {

    /** Builds the initial state. Throwing fails {@code start}. Return {@code Next.state(s).andContinue(x)} for post-init work. */
    Next<S> init(ServerContext context) throws Exception;

    /** A {@link Servers#call}: reply now with {@code Next.reply(value, state)}, or later with {@code context.reply}. */
    default Next<S> handleCall(Object request, ServerContext.From from, S state, ServerContext context)
            throws Exception {
        throw new IllegalStateException("unexpected call: " + request);
    }

    /** A {@link Servers#cast}. */
    default Next<S> handleCast(Object message, S state, ServerContext context) throws Exception {
        throw new IllegalStateException("unexpected cast: " + message);
    }

    /** Any other message: {@link Signal}s, timer messages, plain sends. Ignored by default. */
    default Next<S> handleInfo(Object message, S state, ServerContext context) throws Exception {
        return Next.state(state);
    }

    /** Work asked for by a {@code andContinue(argument)}, run before the next message. */
    default Next<S> handleContinue(Object argument, S state, ServerContext context) throws Exception {
        return Next.state(state);
    }

    /** Called when the server stops by its own decision or by an exit signal it traps; not on kill. */
    default void terminate(ExitReason reason, S state) {}
}
