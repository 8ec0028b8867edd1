package io.cohort.node.sim;

import java.util.function.LongConsumer;

/**
 * Runs one scenario over many seeds. A failing seed stops the sweep with its repro and the system property that
 * replays just that seed: {@code -Dcohort.seed=N} makes every sweep run only seed N.
 */
public final class SimSweep {

    /** The system property that narrows every sweep to one seed. */
    public static final String SEED_PROPERTY = "cohort.seed";

    private SimSweep() {}

    /**
     * Runs {@code scenario} for seeds {@code firstSeed .. firstSeed + count - 1}, or only for {@code -Dcohort.seed}.
     *
     * @throws AssertionError naming the scenario, the seed and how to replay it
     */
    public static void run(String scenario, long firstSeed, int count, LongConsumer body) {
        String only = System.getProperty(SEED_PROPERTY);
        if (only != null && !only.isBlank()) {
            runOne(scenario, Long.parseLong(only.trim()), body);
            return;
        }
        for (long seed = firstSeed; seed < firstSeed + count; seed++) {
            runOne(scenario, seed, body);
        }
    }

    private static void runOne(String scenario, long seed, LongConsumer body) {
        try {
            body.accept(seed);
        } catch (RuntimeException | AssertionError error) {
            throw new AssertionError(
                    scenario + " failed for seed=" + seed + " (replay: -D" + SEED_PROPERTY + "=" + seed + ")\n"
                            + error.getMessage(),
                    error);
        }
    }
}
