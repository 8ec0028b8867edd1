package io.cohort.chaos.check;

/**
 * A broken invariant: which check found it and what exactly it saw.
 *
 * @param check the checker's name, e.g. {@code pg-convergence}
 * @param message one line for people
 */
public record Violation(String check, String message) {}
