package io.cohort.chaos.cli;

import io.cohort.node.NodeId;
import io.cohort.node.tools.NodeEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort demo}: three node processes on loopback form a cluster, one is killed with SIGKILL and the others
 * notice, then it comes back as a new incarnation. Every view change is shown as it happens, with its time.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Three nodes on loopback: form a cluster, kill one (SIGKILL), watch the others notice, restart it.")
final class DemoCommand implements Callable<Integer> {

    private static final Duration BOUND = Duration.ofSeconds(30);
    private static final List<String> NODES = List.of("n1", "n2", "n3");

    @Option(names = "--quiet", description = "print only the summary")
    boolean quiet;

    private long startNs;

    @Override
    public Integer call() throws Exception {
        startNs = System.nanoTime();
        List<String[]> summary = new ArrayList<>();
        say("Cohort demo: three nodes on 127.0.0.1, each its own JVM.");
        try (LocalCluster cluster = new LocalCluster(NODES, this::show)) {
            long t0 = System.nanoTime();
            for (String name : NODES) {
                cluster.start(name);
            }
            cluster.awaitView(NODES, BOUND);
            long formedMs = msSince(t0);
            say("cluster formed: n1, n2 and n3 share one view (" + formedMs + " ms from launching the JVMs)");
            summary.add(row("cluster formed (3 JVMs started → one view)", formedMs + " ms"));

            NodeId victim = cluster.idOf("n2", BOUND);
            say("kill -9 n2 (pid " + cluster.process("n2").pid() + ")");
            long killedUs = cluster.process("n2").kill();
            long detectedUs = cluster.awaitViewWithout(List.of("n1", "n3"), victim, killedUs, BOUND);
            double detectMs = (detectedUs - killedUs) / 1000.0;
            say(String.format(Locale.ROOT, "n1 and n3 installed a view without n2, %.1f ms after the kill", detectMs));
            summary.add(row("crash detected (kill -9 → survivors' new view)", fmt(detectMs)));

            say("restarting n2: a new incarnation of the same name");
            long restartNs = System.nanoTime();
            cluster.start("n2");
            NodeId reborn = cluster.idOf("n2", BOUND);
            cluster.awaitView(NODES, BOUND);
            long rejoinMs = msSince(restartNs);
            say("n2 is back as " + reborn + " (was " + victim + "); all three agree again");
            summary.add(row("node rejoined (JVM start → one view)", rejoinMs + " ms"));
        }
        summary.add(row("total", msSince(startNs) + " ms"));
        printSummary(summary);
        return 0;
    }

    private void show(NodeEvent event) {
        if (quiet || !event.kind().equals("view")) {
            return;
        }
        List<String> names = event.members().stream().map(NodeId::toString).toList();
        say(String.format(
                Locale.ROOT,
                "  %-16s installed %sview %s: %s",
                event.node(),
                Boolean.parseBoolean(event.fields().get("merge")) ? "merge " : "",
                event.fields().get("view"),
                String.join(", ", names)));
    }

    private synchronized void say(String line) {
        if (!quiet || line.startsWith("Cohort")) {
            System.out.printf(Locale.ROOT, "[%6.2fs] %s%n", (System.nanoTime() - startNs) / 1e9, line);
        }
    }

    private static void printSummary(List<String[]> rows) {
        System.out.println();
        System.out.println("Summary");
        System.out.println("-------");
        for (String[] row : rows) {
            System.out.printf(Locale.ROOT, "  %-48s %12s%n", row[0], row[1]);
        }
    }

    private static String[] row(String what, String value) {
        return new String[] {what, value};
    }

    private static String fmt(double ms) {
        return String.format(Locale.ROOT, "%.1f ms", ms);
    }

    private static long msSince(long startNs) {
        return (System.nanoTime() - startNs) / 1_000_000;
    }
}
