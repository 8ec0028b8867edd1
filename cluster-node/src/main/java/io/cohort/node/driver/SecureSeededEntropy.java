package io.cohort.node.driver;

import io.cohort.node.runtime.Entropy;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Production randomness: a fast generator seeded once from the operating system's secure source. Not for keys or
 * secrets; for protocol choices (jitter, random dispatch). Used by one component thread at a time.
 */
public final class SecureSeededEntropy implements Entropy {

    private final SplittableRandom random;

    public SecureSeededEntropy() {
        this.random = new SplittableRandom(new SecureRandom().nextLong());
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
