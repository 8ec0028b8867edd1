package io.cohort.node.netty;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs at most one line per kind of problem every ten seconds, with the number suppressed meanwhile: a peer sending
 * garbage at line rate must not flood the log (the counters carry the totals).
 */
final class RateLimitedLog {

    private static final System.Logger LOG = System.getLogger("io.cohort.node.netty");
    private static final long INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);
    /** Bounds the table: kinds are a fixed set of reasons in practice, so this only guards against a bug. */
    private static final int MAX_KINDS = 64;

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    void warn(String kind, String message) {
        log(System.Logger.Level.WARNING, kind, message);
    }

    /** For refusals that are part of normal operation (a peer's view ahead of ours at start-up). */
    void info(String kind, String message) {
        log(System.Logger.Level.INFO, kind, message);
    }

    private void log(System.Logger.Level level, String kind, String message) {
        if (windows.size() >= MAX_KINDS && !windows.containsKey(kind)) {
            return;
        }
        Window window = windows.computeIfAbsent(kind, k -> new Window());
        long nowNs = System.nanoTime();
        long last = window.lastNs.get();
        if (nowNs - last >= INTERVAL_NS && window.lastNs.compareAndSet(last, nowNs)) {
            long suppressed = window.suppressed.getAndSet(0);
            LOG.log(level, message + (suppressed > 0 ? " (" + suppressed + " similar suppressed)" : ""));
        } else {
            window.suppressed.incrementAndGet();
        }
    }

    private static final class Window {
        final AtomicLong lastNs = new AtomicLong(System.nanoTime() - INTERVAL_NS);
        final AtomicLong suppressed = new AtomicLong();
    }
}
