package io.cohort.chaos.history;

import java.util.Objects;

/**
 * One entry of a history, after Jepsen's: a process (a workload worker, or the nemesis) invokes an operation, and the
 * operation completes {@link Type#OK ok} (it happened), {@link Type#FAIL fail} (it certainly did not) or
 * {@link Type#INFO info} (unknown: it may have happened, or may still).
 *
 * @param index position in the history, from 0
 * @param process who did it: {@code w0}, {@code w1}, ... or {@code nemesis}
 * @param type invoke or a completion
 * @param f the operation: {@code spawn}, {@code join}, {@code leave}, {@code exit}, {@code publish}, {@code read}, or a
 *     fault kind for the nemesis
 * @param node the node it was sent to (for the nemesis: the nodes it acts on, or empty)
 * @param value its argument on invoke ({@code group pid}), its result on completion
 * @param timeNs nanoseconds since the start of the run
 * @param invokeIndex for a completion, the index of its invoke; -1 for an invoke
 * @param error why it failed or is unknown; empty otherwise
 */
public record Op(
        long index,
        String process,
        Type type,
        String f,
        String node,
        String value,
        long timeNs,
        long invokeIndex,
        String error) {

    public enum Type {
        INVOKE,
        OK,
        FAIL,
        INFO;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final String NEMESIS = "nemesis";

    public Op {
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(f, "f");
        node = node == null ? "" : node;
        value = value == null ? "" : value;
        error = error == null ? "" : error;
    }

    public boolean isNemesis() {
        return process.equals(NEMESIS);
    }

    public boolean isCompletion() {
        return type != Type.INVOKE;
    }
}
