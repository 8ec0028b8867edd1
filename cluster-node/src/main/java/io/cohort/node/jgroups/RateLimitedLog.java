package io.cohort.node.jgroups;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Warnings about remote misbehaviour, at most one line per kind per interval, so a peer that floods us with bad
 * frames cannot flood the log too. The line after a quiet interval says how many were suppressed; the counters in
 * {@code Metrics} stay exact either way.
 */
final class RateLimitedLog {

    static final long DEFAULT_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    /** Bounds the number of distinct kinds tracked; kinds are a small fixed set in practice. */
    private static final int MAX_KINDS = 256;

    private final Logger logger;
    private final long intervalNs;
    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    RateLimitedLog(Logger logger, long intervalNs) {
        this.logger = logger;
        this.intervalNs = intervalNs;
    }

    /** One entry per kind: when it may log next and how many lines were swallowed since. */
    private static final class Window {
        final AtomicLong nextNs = new AtomicLong(Long.MIN_VALUE);
        final AtomicLong suppressed = new AtomicLong();
    }

    void warn(String kind, Supplier<String> message) {
        if (windows.size() >= MAX_KINDS && !windows.containsKey(kind)) {
            kind = "other";
        }
        Window window = windows.computeIfAbsent(kind, k -> new Window());
        long now = System.nanoTime();
        long next = window.nextNs.get();
        if ((next == Long.MIN_VALUE || now - next >= 0) && window.nextNs.compareAndSet(next, now + intervalNs)) {
            long suppressed = window.suppressed.getAndSet(0);
            logger.log(
                    Level.WARNING, message.get() + (suppressed > 0 ? " (" + suppressed + " similar suppressed)" : ""));
        } else {
            window.suppressed.incrementAndGet();
        }
    }
}
