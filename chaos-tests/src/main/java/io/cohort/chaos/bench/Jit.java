package io.cohort.chaos.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;

/** The benchmark nodes' view of their JIT compiler. */
final class Jit {

    private static final long POLL_MS = 100;
    private static final int QUIET_POLLS = 5;
    private static final long BOUND_NS = 20_000_000_000L;

    private Jit() {}

    /**
     * Waits until the JIT has compiled nothing for half a second, at most 20 s. A warm-up queues compilations that
     * otherwise run during the timed part, taking a core from it on a 2-core machine.
     */
    static void awaitQuiet() throws InterruptedException {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long deadlineNs = System.nanoTime() + BOUND_NS;
        long last = jit.getTotalCompilationTime();
        int quietPolls = 0;
        while (quietPolls < QUIET_POLLS && System.nanoTime() - deadlineNs < 0) {
            Thread.sleep(POLL_MS);
            long now = jit.getTotalCompilationTime();
            quietPolls = now == last ? quietPolls + 1 : 0;
            last = now;
        }
    }
}
