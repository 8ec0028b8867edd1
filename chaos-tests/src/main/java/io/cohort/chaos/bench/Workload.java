package io.cohort.chaos.bench;

import java.util.Map;

/** One benchmark workload of WORKLOADS.md: runs on real node processes and prints {@code metric value unit} lines. */
interface Workload {

    /** The name on the command line, e.g. {@code node_join}. */
    String name();

    /** One line on what it measures. */
    String description();

    /**
     * Runs the workload and reports its metrics; cleans up every process it started, whatever happens.
     *
     * @param params {@code --param} values and same-named environment variables
     */
    void run(Map<String, String> params, Report report) throws Exception;
}
