package io.cohort.chaos.report;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.history.Op;
import java.util.List;
import java.util.Map;

/**
 * Everything a chaos run produced, for the reports.
 *
 * @param runId the run's id (also the containers' name prefix)
 * @param startedAt when the run started, ISO-8601 (for people; never used in checks)
 * @param seed the seed of the fault schedule and the workload
 * @param image the node image
 * @param bug a planted bug the nodes ran with, or empty
 * @param schedule the fault schedule
 * @param ops the history
 * @param checks the checkers' verdicts
 * @param phasesMs when each phase began, in ms from the start: {@code workload}, {@code recover}, {@code quiet},
 *     {@code check}, {@code end}
 * @param convergedAfterMs how long after the faults were undone the nodes agreed again (-1 if they did not)
 * @param notes other things worth knowing (e.g. how slow links were made)
 * @param logTails the last lines of each node's output, kept when a check failed
 * @param repro the command that replays this run's schedule
 */
public record RunResult(
        String runId,
        String startedAt,
        long seed,
        String image,
        String bug,
        FaultSchedule schedule,
        List<Op> ops,
        List<CheckResult> checks,
        Map<String, Long> phasesMs,
        long convergedAfterMs,
        List<String> notes,
        Map<String, List<String>> logTails,
        String repro) {

    public RunResult {
        ops = List.copyOf(ops);
        checks = List.copyOf(checks);
        phasesMs = Map.copyOf(phasesMs);
        notes = List.copyOf(notes);
        logTails = Map.copyOf(logTails);
    }

    /** True when every check passed. */
    public boolean valid() {
        return checks.stream().allMatch(CheckResult::passed);
    }

    public long violationCount() {
        return checks.stream().mapToLong(check -> check.violations().size()).sum();
    }

    /** Faults the nemesis applied (completed ok), not counting the steps that undo them. */
    public long faultsInjected() {
        return ops.stream()
                .filter(op -> op.isNemesis() && op.type() == Op.Type.OK && Timeline.isFaultStart(op.f()))
                .count();
    }

    /** Workload operations invoked. */
    public long operations() {
        return ops.stream()
                .filter(op -> !op.isNemesis() && op.type() == Op.Type.INVOKE)
                .count();
    }

    public long completions(Op.Type type) {
        return ops.stream().filter(op -> !op.isNemesis() && op.type() == type).count();
    }
}
