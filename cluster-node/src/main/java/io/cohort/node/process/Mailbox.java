package io.cohort.node.process;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * A process's mailbox: unbounded, FIFO per sender (one append per send), with Erlang's selective receive — take the
 * oldest message matching a predicate, leaving the others in place and in order.
 *
 * <p>Unbounded on purpose, as in Erlang: a bound would turn a slow consumer into lost messages or a blocked sender
 * somewhere else. Back-pressure comes from {@code call} (which waits for the reply); {@link #size()} is exported so
 * growing mailboxes are visible.
 */
final class Mailbox {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final ArrayDeque<Object> messages = new ArrayDeque<>();
    private boolean closed;

    /** Appends; returns false once the mailbox is closed (its process ended), dropping the message. */
    boolean put(Object message) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            messages.addLast(message);
            arrived.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the oldest message matching {@code filter}, waiting up to {@code timeoutNs}; null on
     * timeout.
     *
     * @throws ProcessExitedException when the mailbox closes while waiting (the process was killed)
     */
    Object take(Predicate<Object> filter, long timeoutNs) throws InterruptedException {
        lock.lock();
        try {
            long leftNs = timeoutNs;
            while (true) {
                if (closed) {
                    throw new ProcessExitedException();
                }
                for (Iterator<Object> it = messages.iterator(); it.hasNext(); ) {
                    Object message = it.next();
                    if (filter.test(message)) {
                        it.remove();
                        return message;
                    }
                }
                if (leftNs <= 0) {
                    return null;
                }
                leftNs = arrived.awaitNanos(leftNs);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes every message matching {@code filter} (demonitor with flush). */
    void removeIf(Predicate<Object> filter) {
        lock.lock();
        try {
            messages.removeIf(filter);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return messages.size();
        } finally {
            lock.unlock();
        }
    }

    /** Closes the mailbox: later puts are dropped, a waiting receive ends with {@link ProcessExitedException}. */
    void close() {
        lock.lock();
        try {
            closed = true;
            messages.clear();
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
