package io.cohort.chaos.bench;

import io.cohort.node.tools.NodeEvent;
import java.util.List;
import java.util.Map;

/** One benchmark workload of WORKLOADS.md: runs on real node processes and prints {@code metric value unit} lines. */
interface Workload {

    /** The name on the command line, e.g. {@code node_join}. */
    String name();

    /** One line on what it measures. */
    String description();

    /**
     * The metric names it prints, spelled as WORKLOADS.md spells them: an upper-case letter stands for the size the
     * name carries ({@code pg_join_rate_pP} is printed as {@code pg_join_rate_p10000}). {@link BenchCommand} checks
     * every run against this list, and a test checks the list against WORKLOADS.md.
     */
    List<String> metrics();

    /**
     * Runs the workload and reports its metrics; cleans up every process it started, whatever happens.
     *
     * @param params {@code --param} values and same-named environment variables
     */
    void run(Map<String, String> params, Report report) throws Exception;

    /**
     * A node-event listener for the workloads' clusters: every event on stderr when {@code COHORT_BENCH_TRACE} is
     * set, for finding where a run spent its time; nothing otherwise.
     */
    static void trace(NodeEvent event) {
        if (System.getenv("COHORT_BENCH_TRACE") != null) {
            System.err.println(event);
        }
    }
}
