package io.cohort.node.runtime;

import java.util.SplittableRandom;

/**
 * {@link Entropy} from a fast generator and one seed: the simulator derives the seed from the run's seed, production
 * from the operating system's secure source. For protocol choices (jitter, random dispatch), never for keys. Used by
 * one component thread at a time.
 */
public final class SeededEntropy implements Entropy {

    private final SplittableRandom random;

    public SeededEntropy(long seed) {
        this.random = new SplittableRandom(seed);
    }

    @Override
    public long nextLong() {
        return random.nextLong();
    }

    @Override
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    @Override
    public double nextDouble() {
        return random.nextDouble();
    }
}
