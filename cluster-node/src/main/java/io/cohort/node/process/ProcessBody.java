package io.cohort.node.process;

/**
 * What a process runs. Returning ends the process with reason {@code normal}; an exception ends it with that
 * failure (and reaches linked processes and monitors as such).
 */
@FunctionalInterface
public interface ProcessBody {
    void run(ProcessContext self) throws Exception;
}
