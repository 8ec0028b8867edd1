package io.cohort.chaos.bench;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cohort bench [WORKLOAD ...] [--param K=V ...]}: the workloads of WORKLOADS.md on separate node processes on
 * loopback, one {@code metric value unit} line per result.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Runs benchmark workloads on node processes on loopback; prints 'metric value unit' lines.")
public final class BenchCommand implements Callable<Integer> {

    private static final Map<String, Workload> WORKLOADS = new LinkedHashMap<>();

    static {
        List<Workload> all = new ArrayList<>(
                List.of(new NodeJoinWorkload(), new LocalMessagingWorkload(), new RemoteMessagingWorkload()));
        all.addAll(PgWorkloads.all());
        all.addAll(RegistryWorkloads.all());
        all.addAll(SupervisorWorkloads.all());
        for (Workload workload : all) {
            WORKLOADS.put(workload.name(), workload);
        }
    }

    /** Every registered workload, in the order a run without arguments takes them. */
    static List<Workload> workloads() {
        return List.copyOf(WORKLOADS.values());
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "workloads to run (default: all)")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--param", paramLabel = "K=V", description = "workload parameter; also read from the environment")
    Map<String, String> params = new HashMap<>();

    @Option(names = "--list", description = "list the workloads and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        if (list) {
            WORKLOADS
                    .values()
                    .forEach(w -> System.out.printf(
                            java.util.Locale.ROOT,
                            "%-12s %s%n%-12s   prints %s%n",
                            w.name(),
                            w.description(),
                            "",
                            String.join(", ", w.metrics())));
            return 0;
        }
        List<Workload> selected = new ArrayList<>();
        for (String name : workloads.isEmpty() ? List.copyOf(WORKLOADS.keySet()) : workloads) {
            Workload workload = WORKLOADS.get(name);
            if (workload == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "unknown workload '" + name + "'; available: " + WORKLOADS.keySet());
            }
            selected.add(workload);
        }
        Map<String, String> effective = new HashMap<>(System.getenv());
        effective.putAll(params);
        Report report = new Report(System.out);
        for (Workload workload : selected) {
            report.note("workload " + workload.name() + ": " + workload.description());
            report.begin(workload);
            workload.run(effective, report);
            report.end();
        }
        System.out.println();
        System.out.println("Summary");
        report.lines().forEach(line -> System.out.println("  " + line));
        if (!report.problems().isEmpty()) {
            System.out.println();
            System.out.println("Metric contract problems (see WORKLOADS.md):");
            report.problems().forEach(problem -> System.out.println("  " + problem));
            return 1;
        }
        return 0;
    }
}
