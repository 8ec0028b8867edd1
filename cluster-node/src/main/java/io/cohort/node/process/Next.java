package io.cohort.node.process;

import java.util.Objects;

/**
 * What a {@link Server} callback decided: the new state, and optionally a reply to the current call, a continue
 * step to run before the next message, or a stop.
 */
public final class Next<S> {

    private static final Object NO_REPLY = new Object();
    private static final Object NO_CONTINUE = new Object();

    final S state;
    final Object reply;
    final Object continueWith;
    final ExitReason stop;

    private Next(S state, Object reply, Object continueWith, ExitReason stop) {
        this.state = state;
        this.reply = reply;
        this.continueWith = continueWith;
        this.stop = stop;
    }

    /** Keep going with {@code state}; a call being handled stays unanswered (reply later). */
    public static <S> Next<S> state(S state) {
        return new Next<>(state, NO_REPLY, NO_CONTINUE, null);
    }

    /** Answer the current call with {@code value} and keep going with {@code state}. */
    public static <S> Next<S> reply(Object value, S state) {
        return new Next<>(state, Objects.requireNonNull(value, "reply"), NO_CONTINUE, null);
    }

    /** Stop with {@code reason} ({@code terminate} runs). */
    public static <S> Next<S> stop(ExitReason reason, S state) {
        return new Next<>(state, NO_REPLY, NO_CONTINUE, Objects.requireNonNull(reason));
    }

    /** Answer the current call, then stop. */
    public static <S> Next<S> replyAndStop(Object value, ExitReason reason, S state) {
        return new Next<>(state, Objects.requireNonNull(value, "reply"), NO_CONTINUE, Objects.requireNonNull(reason));
    }

    /** Run {@code handleContinue(argument)} before the next message. */
    public Next<S> andContinue(Object argument) {
        return new Next<>(state, reply, Objects.requireNonNull(argument), stop);
    }

    boolean hasReply() {
        return reply != NO_REPLY;
    }

    boolean hasContinue() {
        return continueWith != NO_CONTINUE;
    }
}
