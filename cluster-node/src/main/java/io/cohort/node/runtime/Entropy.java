package io.cohort.node.runtime;

/**
 * The only source of randomness for protocol code. Seeded per node in the simulator, so a seed reproduces every
 * choice; seeded from a secure source in production.
 */
public interface Entropy {

    long nextLong();

    /** Uniform in {@code [0, bound)}. */
    int nextInt(int bound);

    /** Uniform in {@code [0, 1)}. */
    double nextDouble();
}
