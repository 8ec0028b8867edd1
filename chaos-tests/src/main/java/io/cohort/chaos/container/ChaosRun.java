package io.cohort.chaos.container;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.check.NodeSnapshot;
import io.cohort.chaos.check.PgChecker;
import io.cohort.chaos.check.RegistryChecker;
import io.cohort.chaos.check.RegistrySnapshot;
import io.cohort.chaos.check.SupervisorChecker;
import io.cohort.chaos.check.SupervisorSnapshot;
import io.cohort.chaos.check.Violation;
import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.control.wire.PgSnapshot;
import io.cohort.chaos.control.wire.RegSnapshot;
import io.cohort.chaos.control.wire.SupSnapshot;
import io.cohort.chaos.control.wire.View;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import io.cohort.chaos.report.Reports;
import io.cohort.chaos.report.RunResult;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A whole chaos run, Jepsen's way: a generator (the seeded {@link FaultSchedule} and the workers of each workload:
 * {@link PgWorker}, {@link RegistryWorker}, {@link SupervisorWorker}), a nemesis
 * that applies the schedule on time, a {@link History} of every operation and fault, and checkers on the history and
 * the final state.
 *
 * <p>Phases: start the cluster and wait for one view; run the workload and the nemesis for the configured length;
 * undo every fault (resume, restart, heal, clear); give the nodes a bounded quiet period to agree; read every live
 * node's view, scope, registry and supervisor; check; write the report. Every loop here is bounded in count or time.
 */
public final class ChaosRun {

    private static final Duration FORM_BOUND = Duration.ofSeconds(120);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);
    /** How long each node's call by name to each child may take in the final read. */
    private static final Duration FINAL_CHILD_CALL = Duration.ofSeconds(2);

    private final ChaosRunConfig config;
    private final Consumer<String> log;
    private final History history = new History();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Long> phases = new LinkedHashMap<>();
    private long t0Ns;

    private ChaosRun(ChaosRunConfig config, Consumer<String> log) {
        this.config = config;
        this.log = log;
    }

    /**
     * Runs {@code config} and writes its report into {@code reportDir/<run id>/}.
     *
     * @return the result; {@link RunResult#valid()} says whether every check passed
     */
    public static RunResult run(ChaosRunConfig config, Consumer<String> log) throws InterruptedException, IOException {
        return new ChaosRun(config, log).run();
    }

    private long nowNs() {
        return System.nanoTime() - t0Ns;
    }

    private long nowMs() {
        return nowNs() / 1_000_000;
    }

    private RunResult run() throws InterruptedException, IOException {
        String startedAt = Instant.now().toString();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= config.nodes(); i++) {
            names.add("n" + i);
        }
        FaultSchedule schedule = FaultSchedule.generate(config.seed(), names, config.length(), config.faults());
        log.accept(schedule.toText().strip());
        ChaosCluster.Builder builder = ChaosCluster.builder()
                .nodes(config.nodes())
                .image(config.image())
                .log(log);
        config.env().forEach(builder::env);
        if (!config.bug().isEmpty()) {
            builder.env("COHORT_CHAOS_BUG", config.bug());
        }
        try (ChaosCluster cluster = builder.start()) {
            Duration formed = cluster.awaitConverged(FORM_BOUND);
            log.accept("cluster formed (" + formed.toMillis() + " ms after the nodes answered); workload and faults"
                    + " for " + config.length().toSeconds() + " s");
            t0Ns = System.nanoTime();
            phases.put("workload", 0L);
            runWorkloadAndNemesis(cluster, schedule);

            phases.put("recover", nowMs());
            long recover = history.invoke(Op.NEMESIS, "recover", "", "undo every fault", nowNs());
            try {
                cluster.recoverAll();
                history.complete(recover, Op.Type.OK, "", "", nowNs());
            } catch (RuntimeException e) {
                history.complete(recover, Op.Type.FAIL, "", e.getMessage(), nowNs());
                notes.add("undoing the faults failed: " + e.getMessage());
            }

            phases.put("quiet", nowMs());
            long quietStart = nowNs();
            long quietEnd = quietStart + config.quietBound().toNanos();
            long convergedAfterMs = -1;
            try {
                cluster.awaitConverged(config.quietBound());
                int agreed = awaitQuiet(cluster, quietEnd);
                convergedAfterMs = (nowNs() - quietStart) / 1_000_000;
                log.accept("converged " + convergedAfterMs + " ms after the faults were undone (" + agreed + " nodes)");
            } catch (IllegalStateException e) {
                notes.add("no agreement within the quiet period of "
                        + config.quietBound().toSeconds() + " s: " + e.getMessage());
            }

            phases.put("check", nowMs());
            List<CheckResult> checks = new ArrayList<>();
            List<String> unanswered = new ArrayList<>();
            Finals finals = snapshots(cluster, unanswered, FINAL_CHILD_CALL);
            if (config.runs("pg")) {
                checks.addAll(PgChecker.check(history, finals.pg()));
            } else {
                checks.add(PgChecker.membershipAgreementOf(finals.pg()));
            }
            if (config.runs("registry")) {
                checks.addAll(RegistryChecker.check(history, finals.registry()));
                notes.add(RegistryChecker.summary(finals.registry()));
            }
            if (config.runs("supervisor")) {
                checks.addAll(SupervisorChecker.check(history, finals.supervisor()));
                notes.add(SupervisorChecker.summary(finals.supervisor()));
            }
            checks.add(new CheckResult(
                    "final-read",
                    "every live node answers the final read of its view, scope, registry and supervisor",
                    unanswered.stream()
                            .map(node -> new Violation("final-read", node + " did not answer the final read"))
                            .toList()));
            phases.put("end", nowMs());
            boolean valid = checks.stream().allMatch(CheckResult::passed);
            Map<String, List<String>> logs = valid ? Map.of() : cluster.logTails(60);
            RunResult result = new RunResult(
                    cluster.runId(),
                    startedAt,
                    config.seed(),
                    config.image(),
                    config.bug(),
                    schedule,
                    history.ops(),
                    checks,
                    phases,
                    convergedAfterMs,
                    notes,
                    logs,
                    config.repro());
            Path dir = config.reportDir().resolve(cluster.runId());
            Reports.write(result, dir);
            log.accept(Reports.text(result).strip());
            log.accept("report: " + dir.resolve("index.html").toAbsolutePath());
            return result;
        }
    }

    private void runWorkloadAndNemesis(ChaosCluster cluster, FaultSchedule schedule) throws InterruptedException {
        long endNs = config.length().toNanos();
        List<Thread> workers = new ArrayList<>();
        int index = 0;
        for (ClusterNode node : cluster.nodes()) {
            for (int w = 0; w < config.workersPerNode(); w++) {
                long seed = config.seed() * 1_000_003L + index;
                int rate = config.opsPerSecond();
                if (config.runs("pg")) {
                    PgWorker worker = new PgWorker("w" + index, node, seed, history, this::nowNs, endNs, rate);
                    workers.add(Thread.ofVirtual().name("chaos-w" + index).start(worker));
                }
                if (config.runs("registry")) {
                    RegistryWorker worker =
                            new RegistryWorker("r" + index, node, seed + 100_000, history, this::nowNs, endNs, rate);
                    workers.add(Thread.ofVirtual().name("chaos-r" + index).start(worker));
                }
                if (config.runs("supervisor")) {
                    SupervisorWorker worker =
                            new SupervisorWorker("s" + index, node, seed + 200_000, history, this::nowNs, endNs, rate);
                    workers.add(Thread.ofVirtual().name("chaos-s" + index).start(worker));
                }
                index++;
            }
        }
        Thread nemesis = Thread.ofVirtual().name("chaos-nemesis").start(() -> nemesis(cluster, schedule));
        long joinBoundMs = config.length().toMillis() + Duration.ofMinutes(3).toMillis();
        nemesis.join(joinBoundMs);
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(30).toMillis());
        }
        if (nemesis.isAlive()) {
            nemesis.interrupt();
            notes.add("the nemesis overran the run by more than 3 minutes and was stopped");
            nemesis.join(Duration.ofSeconds(30).toMillis());
        }
        workers.stream().filter(Thread::isAlive).forEach(Thread::interrupt);
    }

    private void nemesis(ChaosCluster cluster, FaultSchedule schedule) {
        try {
            for (FaultSchedule.Step step : schedule.steps()) {
                long waitNs = step.atMs() * 1_000_000 - nowNs();
                if (waitNs > 0) {
                    TimeUnit.NANOSECONDS.sleep(waitNs);
                }
                long invoke = history.invoke(
                        Op.NEMESIS,
                        step.fault().kind(),
                        String.join(",", step.fault().nodes()),
                        step.fault().describe(),
                        nowNs());
                try {
                    String note = cluster.apply(step.fault());
                    history.complete(invoke, Op.Type.OK, note, "", nowNs());
                    log.accept(String.format(
                            java.util.Locale.ROOT,
                            "+%6.1fs %s%s",
                            nowNs() / 1e9,
                            step.fault().describe(),
                            note.isEmpty() ? "" : " (" + note + ")"));
                    if (note.startsWith("slow=") && !notes.contains("slow links: " + note)) {
                        notes.add("slow links: " + note);
                    }
                } catch (RuntimeException e) {
                    history.complete(invoke, Op.Type.FAIL, "", String.valueOf(e.getMessage()), nowNs());
                    log.accept("nemesis step failed: " + step.fault().describe() + ": " + e.getMessage());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What every live node reported at the end. */
    private record Finals(
            List<NodeSnapshot> pg, List<RegistrySnapshot> registry, List<SupervisorSnapshot> supervisor) {}

    /**
     * Polls the live nodes until their views of every workload's subsystem agree or {@code endNs} passes; returns how
     * many nodes agreed.
     */
    private int awaitQuiet(ChaosCluster cluster, long endNs) throws InterruptedException {
        while (true) {
            List<String> unanswered = new ArrayList<>();
            Finals now = snapshots(cluster, unanswered, Duration.ZERO);
            boolean agreed = unanswered.isEmpty()
                    && (config.runs("pg")
                            ? PgChecker.converged(now.pg())
                            : PgChecker.membershipAgreementOf(now.pg()).passed())
                    && (!config.runs("registry") || RegistryChecker.converged(now.registry()))
                    && (!config.runs("supervisor") || SupervisorChecker.converged(now.supervisor()));
            if (agreed) {
                return now.pg().size();
            }
            if (nowNs() > endNs) {
                throw new IllegalStateException("the nodes did not converge"
                        + (unanswered.isEmpty() ? "" : " (no answer from " + unanswered + ")"));
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    /** Reads every running node; with a positive {@code childCall}, every node also calls every child by name. */
    private Finals snapshots(ChaosCluster cluster, List<String> unanswered, Duration childCall) {
        List<NodeSnapshot> pgs = new ArrayList<>();
        List<RegistrySnapshot> registries = new ArrayList<>();
        List<SupervisorSnapshot> supervisors = new ArrayList<>();
        Duration supTimeout = CALL_TIMEOUT.plus(childCall.multipliedBy(SupervisorWorker.CHILDREN.size() + 2L));
        for (ClusterNode node : cluster.nodes()) {
            if (node.state() != ClusterNode.State.RUNNING) {
                continue;
            }
            try {
                View view = node.control().view(CALL_TIMEOUT);
                PgSnapshot pg = node.control().pgRead(PgWorker.SCOPE, CALL_TIMEOUT);
                RegSnapshot registry = config.runs("registry") ? node.control().regRead(CALL_TIMEOUT) : null;
                SupSnapshot supervisor =
                        config.runs("supervisor") ? node.control().supRead(childCall, supTimeout) : null;
                pgs.add(Snapshots.pg(node.name(), view, pg));
                if (registry != null) {
                    registries.add(Snapshots.registry(node.name(), view.getNode(), registry));
                }
                if (supervisor != null) {
                    supervisors.add(Snapshots.supervisor(node.name(), view.getNode(), supervisor));
                }
            } catch (ControlClient.CallException | ControlClient.RemoteError e) {
                unanswered.add(node.name());
            }
        }
        return new Finals(pgs, registries, supervisors);
    }
}
