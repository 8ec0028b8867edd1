package io.cohort.chaos.cli;

import io.cohort.node.NodeId;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.NodeProcess;
import io.cohort.node.tools.StandaloneNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cohort demo}: three node processes on loopback ({@link DemoNode}) form a cluster; a pg room fans messages
 * out to members on every node; each node registers a server by name and calls the others' by name; 30 supervised
 * workers are placed over the nodes; one node is killed with SIGKILL; its workers come back on the survivors and
 * answer calls by name; the node rejoins as a new incarnation. Progress is printed as it happens, with times, then a
 * summary table; the exit code is 0 only when every step passed. Every process it starts is killed when it ends.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Three nodes on loopback: a cluster forms, a pg room fans out, names resolve across nodes,",
            "30 supervised workers spread out, one node is killed (SIGKILL), the workers come back on the",
            "survivors and answer by name, the node rejoins. Ends with a summary; exit code 0 when all passed."
        })
final class DemoCommand implements Callable<Integer> {

    private static final Duration BOUND = Duration.ofSeconds(45);
    private static final List<String> NODES = List.of("n1", "n2", "n3");
    private static final String VICTIM = "n2";
    private static final int ROOM_MEMBERS = 4;
    private static final int MESSAGES = 10;

    @Option(names = "--quiet", description = "print only the summary")
    boolean quiet;

    @Option(names = "--workers", description = "supervised workers to start (default: ${DEFAULT-VALUE})")
    int workers = 30;

    private final PrintStream out;
    private final List<Long> pids = new ArrayList<>();
    private final List<Step> steps = new ArrayList<>();
    private long startNs;

    /** One row of the summary. */
    record Step(String what, String result, String time, boolean ok) {}

    DemoCommand() {
        this(System.out);
    }

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    /** The pids of every process this demo started (all ended once it returns). */
    List<Long> startedPids() {
        return List.copyOf(pids);
    }

    List<Step> steps() {
        return List.copyOf(steps);
    }

    @Override
    public Integer call() throws Exception {
        startNs = System.nanoTime();
        Path triggers = Files.createTempDirectory("cohort-demo");
        say("Cohort demo: three nodes on 127.0.0.1, each its own JVM.");
        boolean passed;
        try (LocalCluster cluster = new LocalCluster(NODES, this::show)) {
            run(cluster, triggers);
            passed = true;
        } catch (Exception | AssertionError e) {
            say("FAILED: " + e.getMessage());
            steps.add(new Step(
                    "demo stopped",
                    String.valueOf(e.getMessage()).lines().findFirst().orElse(""),
                    "-",
                    false));
            passed = false;
        } finally {
            deleteTree(triggers);
        }
        steps.add(new Step("total", "every process ended", msSince(startNs) + " ms", passed));
        printSummary();
        return passed && steps.stream().allMatch(Step::ok) ? 0 : 1;
    }

    private void run(LocalCluster cluster, Path triggers) throws Exception {
        Map<String, String> env = Map.of(
                "TRIGGER_DIR", triggers.toString(),
                "ROOM_MEMBERS", Integer.toString(ROOM_MEMBERS),
                "MESSAGES", Integer.toString(MESSAGES),
                "WORKERS", Integer.toString(workers),
                "DEMO_NODES", String.join(",", NODES),
                "DEMO_PUBLISHER", "n1");

        // 1. The cluster forms.
        long t0 = System.nanoTime();
        for (String name : NODES) {
            pids.add(cluster.start(name, DemoNode.class.getName(), env).pid());
        }
        say("started n1, n2, n3 (pids " + pids.get(0) + ", " + pids.get(1) + ", " + pids.get(2) + ")");
        long viewUs = cluster.awaitView(NODES, BOUND);
        long formedMs = msSince(t0);
        say("cluster formed: n1, n2 and n3 share one view (" + formedMs + " ms from launching the JVMs)");
        steps.add(new Step("cluster formed", "3 nodes, one view", formedMs + " ms", true));

        // 2. The room and the names (every node does both by itself once the view is complete).
        long roomUs = 0;
        long namesUs = 0;
        List<String> echoes = new ArrayList<>();
        for (String name : NODES) {
            roomUs = Math.max(roomUs, field(await(cluster, name, "room_seen"), "room_seen_us"));
            NodeEvent names = await(cluster, name, "names_resolved_us");
            namesUs = Math.max(namesUs, field(names, "names_resolved_us"));
            echoes.add(name + " <- " + names.fields().get("echo_replies").replace(",", ", "));
        }
        int roomSize = ROOM_MEMBERS * NODES.size();
        say("room '" + DemoNode.ROOM + "': " + ROOM_MEMBERS + " members joined on each node; every node sees all "
                + roomSize + " (" + ms(roomUs - viewUs) + " after the view)");
        steps.add(new Step("pg room formed", roomSize + " members on 3 nodes", ms(roomUs - viewUs), true));
        say("names: echo-n1, echo-n2, echo-n3 registered; each node resolved the other two and called them by name:");
        echoes.forEach(line -> say("    " + line));
        steps.add(new Step("names resolved across nodes", "6 of 6 calls answered", ms(namesUs - viewUs), true));

        // 3. Fan-out: n1 publishes to the room; every node counts its members' deliveries.
        Files.createFile(triggers.resolve("publish"));
        long publishUs = field(await(cluster, "n1", "publish_us"), "publish_us");
        long lastUs = 0;
        List<String> perNode = new ArrayList<>();
        long total = 0;
        for (String name : NODES) {
            NodeEvent delivered = await(cluster, name, "delivered_us");
            long count = field(delivered, "delivered");
            total += count;
            perNode.add(name + " " + count);
            lastUs = Math.max(lastUs, field(delivered, "delivered_us"));
            check(count == (long) MESSAGES * ROOM_MEMBERS, name + " got " + count + " deliveries");
        }
        say("n1 published " + MESSAGES + " messages to '" + DemoNode.ROOM + "'; deliveries per node: "
                + String.join(", ", perNode) + " (the last " + ms(lastUs - publishUs) + " after the first publish)");
        steps.add(new Step(
                "pg fan-out",
                total + " deliveries (" + String.join(", ", perNode) + ")",
                ms(lastUs - publishUs),
                true));

        // 4. Supervised workers, started from n1, spread over the nodes.
        long workersStartUs = StandaloneNode.nowUs();
        Files.createFile(triggers.resolve("workers"));
        long readyUs = 0;
        String spread = "";
        for (String name : NODES) {
            NodeEvent ready = await(cluster, name, "workers_ready_us");
            readyUs = Math.max(readyUs, field(ready, "workers_ready_us"));
            check(
                    field(ready, "replies") == workers,
                    name + " got " + ready.fields().get("replies") + " replies");
            spread = ready.fields().get("spread");
        }
        int onVictim = countOn(spread, VICTIM);
        say(workers + " supervised workers started from n1, running on " + pretty(spread)
                + "; every node resolves and calls each by name (" + ms(readyUs - workersStartUs) + ")");
        steps.add(new Step(
                "supervised workers placed", workers + " on " + pretty(spread), ms(readyUs - workersStartUs), true));

        // 5. kill -9 one node.
        NodeId victim = cluster.idOf(VICTIM, BOUND);
        NodeProcess victimProcess = cluster.process(VICTIM);
        // Written aside, then moved into place, so a node never reads it half-written.
        Path pending = Files.writeString(triggers.resolve("failover.tmp"), VICTIM);
        Files.move(pending, triggers.resolve("failover"), StandardCopyOption.ATOMIC_MOVE);
        say("kill -9 " + VICTIM + " (pid " + victimProcess.pid() + "), which runs " + onVictim + " workers");
        long killedUs = victimProcess.kill();
        check(!victimProcess.isAlive(), VICTIM + " still runs after SIGKILL");
        List<String> survivors = NODES.stream().filter(n -> !n.equals(VICTIM)).toList();
        long detectedUs = cluster.awaitViewWithout(survivors, victim, killedUs, BOUND);
        say(String.format(
                Locale.ROOT, "n1 and n3 installed a view without n2, %s after the kill", ms(detectedUs - killedUs)));
        steps.add(new Step("crash detected", "survivors' view without " + VICTIM, ms(detectedUs - killedUs), true));

        // 6. The workers come back on the survivors and answer by name.
        long backUs = 0;
        List<String> answers = new ArrayList<>();
        String after = "";
        for (String name : survivors) {
            NodeEvent back = await(cluster, name, "failover_us");
            backUs = Math.max(backUs, field(back, "failover_us"));
            long replies = field(back, "replies");
            check(replies == workers, name + " got " + replies + " of " + workers + " replies after the failover");
            check(countOn(back.fields().get("spread"), VICTIM) == 0, name + " still resolves workers on " + VICTIM);
            answers.add(name + " " + replies + "/" + workers);
            after = back.fields().get("spread");
        }
        check(backUs > killedUs, "workers reported back before the kill");
        say("all " + workers + " workers run again on " + pretty(after) + ", resolvable by name on both survivors, "
                + ms(backUs - killedUs) + " after the kill");
        say("called every worker by name through the registry: replies " + String.join(", ", answers));
        steps.add(new Step(
                "workers back after kill -9",
                onVictim + " restarted; now " + pretty(after),
                ms(backUs - killedUs),
                true));
        steps.add(new Step("workers answer by name", String.join(", ", answers) + " replies", "-", true));

        // 7. The killed node rejoins as a new incarnation.
        long restartNs = System.nanoTime();
        Map<String, String> rejoin = new java.util.HashMap<>(env);
        rejoin.put("DEMO_ROLE", "rejoiner");
        pids.add(cluster.start(VICTIM, DemoNode.class.getName(), rejoin).pid());
        NodeId reborn = cluster.idOf(VICTIM, BOUND);
        cluster.awaitView(NODES, BOUND);
        long rejoinMs = msSince(restartNs);
        check(!reborn.equals(victim), "the restarted node has the old incarnation");
        say(VICTIM + " is back as " + reborn + " (was " + victim + "); one view of three again (" + rejoinMs
                + " ms from launching its JVM)");
        steps.add(new Step("node rejoined", "new incarnation " + reborn, rejoinMs + " ms", true));
        NodeEvent settled = await(cluster, VICTIM, "rejoined_workers_us");
        long replies = field(settled, "replies");
        check(replies == workers, VICTIM + " got " + replies + " of " + workers + " replies after rejoining");
        say(VICTIM + " sees the room (" + roomSize + " members) and calls all " + workers + " workers by name: "
                + replies + " replies; workers now on "
                + pretty(settled.fields().get("spread")));
        steps.add(new Step(
                "rejoined node reaches every worker",
                replies + "/" + workers + " replies",
                msSince(restartNs) + " ms",
                true));
    }

    private NodeEvent await(LocalCluster cluster, String node, String field) throws InterruptedException {
        NodeEvent event = cluster.process(node)
                .await(
                        e -> e.kind().equals("demo")
                                && (e.fields().containsKey(field) || e.fields().containsKey("error")),
                        BOUND);
        if (event.fields().containsKey("error")) {
            throw new IllegalStateException(node + " failed: " + event.fields().get("error"));
        }
        return event;
    }

    private static long field(NodeEvent event, String name) {
        return Long.parseLong(event.fields().get(name));
    }

    private static void check(boolean condition, String failure) {
        if (!condition) {
            throw new IllegalStateException(failure);
        }
    }

    /** How many workers {@code spread} ({@code n1:10,n3:20}) puts on {@code node}. */
    static int countOn(String spread, String node) {
        for (String part : spread.split(",")) {
            String[] kv = part.split(":");
            if (kv.length == 2 && kv[0].equals(node)) {
                return Integer.parseInt(kv[1]);
            }
        }
        return 0;
    }

    private static String pretty(String spread) {
        return spread.replace(":", " ").replace(",", ", ");
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
        if (!quiet || line.startsWith("Cohort") || line.startsWith("FAILED")) {
            out.printf(Locale.ROOT, "[%6.2fs] %s%n", (System.nanoTime() - startNs) / 1e9, line);
            out.flush();
        }
    }

    private void printSummary() {
        out.println();
        out.println("Summary");
        out.printf(Locale.ROOT, "  %-36s %-48s %10s  %s%n", "step", "result", "time", "status");
        for (Step step : steps) {
            out.printf(
                    Locale.ROOT,
                    "  %-36s %-48s %10s  %s%n",
                    step.what(),
                    step.result(),
                    step.time(),
                    step.ok() ? "OK" : "FAILED");
        }
        out.flush();
    }

    private static String ms(long us) {
        return String.format(Locale.ROOT, "%.1f ms", us / 1000.0);
    }

    private static long msSince(long startNs) {
        return (System.nanoTime() - startNs) / 1_000_000;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
