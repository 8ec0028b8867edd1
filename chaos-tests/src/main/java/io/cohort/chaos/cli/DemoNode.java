package io.cohort.chaos.cli;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.process.CallException;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.tools.NodeEvent;
import io.cohort.node.tools.StandaloneNode;
import io.cohort.pg.PgScope;
import io.cohort.pg.ProcessGroups;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryServer;
import io.cohort.supervisor.ChildKinds;
import io.cohort.supervisor.ChildSpec;
import io.cohort.supervisor.ChildStart;
import io.cohort.supervisor.DistributedSupervisor;
import io.cohort.supervisor.SupervisorServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * One node of {@code cohort demo}, in its own JVM: a pg scope, a registry and a distributed supervisor, all named
 * {@code demo}, driven by {@link DemoCommand} the way the benchmark nodes are driven: it waits for files in
 * {@code TRIGGER_DIR} and reports what it did as {@link NodeEvent} lines of kind {@code demo} (besides the view lines
 * every {@link StandaloneNode} prints). Any failure is reported as an {@code error} field, so the demo stops at once.
 *
 * <p>Every node: joins {@code ROOM_MEMBERS} processes to the room {@code lobby} and waits to see the whole room;
 * starts a server registered as {@code echo-<node>} and calls the other nodes' echo servers by name. A
 * {@code founder} then counts the room messages its members get (node {@code DEMO_PUBLISHER} publishes them on the
 * trigger {@code publish}); on {@code workers} the publisher starts {@code WORKERS} supervised children and every node
 * reports where they run; on {@code failover} (the file names the node about to be killed) the survivors wait until
 * every worker resolves to a process on another node, then call each by name. A {@code rejoiner} (the killed node's
 * new incarnation) checks the room and the workers from its side and calls each worker by name.
 */
public final class DemoNode {

    static final String ROOM = "lobby";
    private static final long BOUND_NS = 40_000_000_000L;
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(2);

    private DemoNode() {}

    /** A supervised child: answers {@code ping} with its id and the node it runs on. */
    static final class Worker implements Server<String> {
        private final ChildStart start;

        Worker(ChildStart start) {
            this.start = start;
        }

        @Override
        public Next<String> init(ServerContext context) {
            return Next.state(start.id());
        }

        @Override
        public Next<String> handleCall(Object request, ServerContext.From from, String id, ServerContext context) {
            return Next.reply("pong:" + id + "@" + start.node().name(), id);
        }
    }

    /** The server each node registers by name: echoes a request, saying where it runs. */
    static final class Echo implements Server<String> {
        private final String where;

        Echo(String where) {
            this.where = where;
        }

        @Override
        public Next<String> init(ServerContext context) {
            return Next.state(where);
        }

        @Override
        public Next<String> handleCall(Object request, ServerContext.From from, String state, ServerContext context) {
            return Next.reply(request + "@" + where, state);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> env = System.getenv();
        PgScope scope = new PgScope("demo");
        RegistryServer names = new RegistryServer("demo");
        SupervisorServer jobs = new SupervisorServer("demo");
        StandaloneNode.run(
                StandaloneNode.configFromEnvironment(env),
                List.of(scope, names, jobs), // the registry before the supervisor: a view reaches it first
                System.out,
                node -> Thread.ofPlatform().name("demo-script").daemon().start(() -> {
                    try {
                        script(node, scope, names, jobs, env);
                    } catch (Exception | AssertionError e) {
                        report(node, Map.of("error", e.toString()));
                    }
                }));
    }

    private static void script(
            Node node, PgScope scope, RegistryServer names, SupervisorServer jobs, Map<String, String> env)
            throws Exception {
        Path triggers = Path.of(env.getOrDefault("TRIGGER_DIR", "."));
        int roomMembers = Integer.parseInt(env.getOrDefault("ROOM_MEMBERS", "4"));
        int messages = Integer.parseInt(env.getOrDefault("MESSAGES", "10"));
        int workers = Integer.parseInt(env.getOrDefault("WORKERS", "30"));
        List<String> nodeNames =
                List.of(env.getOrDefault("DEMO_NODES", "n1,n2,n3").split(","));
        String self = node.self().name();
        ProcessGroups groups = new ProcessGroups(node, scope);
        Registry registry = new Registry(node, names);
        DistributedSupervisor supervisor =
                new DistributedSupervisor(node, jobs, registry, new ChildKinds().register("worker", Worker::new));

        awaitTrue(() -> node.view().size() == nodeNames.size(), "a view of " + nodeNames.size());

        // The room: members on every node, each counting what it gets.
        AtomicLong delivered = new AtomicLong();
        for (int i = 0; i < roomMembers; i++) {
            Pid member = node.processes().spawn(process -> {
                for (int m = 0; m < messages; m++) {
                    process.receive();
                    delivered.incrementAndGet();
                }
                process.receive(); // stays in the room until the node closes
            });
            groups.join(ROOM, member);
        }
        int roomSize = roomMembers * nodeNames.size();
        awaitTrue(() -> groups.members(ROOM).size() == roomSize, roomSize + " members in " + ROOM);
        report(node, Map.of("room_seen", Integer.toString(roomSize), "room_seen_us", now()));

        // Names: a server registered as echo-<node>, and the others' found and called by name.
        Registry.StartResult echo =
                registry.startServer("echo-" + self, null, new Echo(node.self().toString()), CALL_TIMEOUT);
        if (!(echo instanceof Registry.StartResult.Started)) {
            throw new IllegalStateException("echo-" + self + " was taken: " + echo);
        }
        awaitTrue(
                () -> nodeNames.stream().allMatch(n -> registry.whereis("echo-" + n) != null),
                "every echo-<node> resolving");
        List<String> replies = new ArrayList<>();
        for (String other : nodeNames) {
            if (!other.equals(self)) {
                replies.add((String) registry.call("echo-" + other, "hello-from-" + self, CALL_TIMEOUT));
            }
        }
        report(node, Map.of("names_resolved_us", now(), "echo_replies", String.join(",", replies)));

        if (env.getOrDefault("DEMO_ROLE", "founder").equals("rejoiner")) {
            awaitWorkers(node, supervisor, workers, null);
            reportWorkers(node, supervisor, workers, Map.of("rejoined_workers_us", now()));
            return;
        }

        // Fan-out: one node publishes, every node counts its members' deliveries.
        boolean publisher = self.equals(env.getOrDefault("DEMO_PUBLISHER", "n1"));
        if (publisher) {
            awaitFile(triggers.resolve("publish"));
            String publishedUs = now();
            for (int m = 0; m < messages; m++) {
                groups.publish(ROOM, "message-" + m);
            }
            report(node, Map.of("published", Integer.toString(messages), "publish_us", publishedUs));
        }
        long expected = (long) messages * roomMembers;
        awaitTrue(() -> delivered.get() >= expected, expected + " deliveries");
        report(node, Map.of("delivered", Long.toString(delivered.get()), "delivered_us", now()));

        // Supervised workers: started from the publisher, placed over every node.
        awaitFile(triggers.resolve("workers"));
        if (publisher) {
            for (int i = 0; i < workers; i++) {
                SupervisorServer.StartResult started = supervisor.startChild(ChildSpec.of(workerId(i), "worker", null));
                if (!(started instanceof SupervisorServer.StartResult.Started)) {
                    throw new IllegalStateException(workerId(i) + ": " + started);
                }
            }
        }
        awaitWorkers(node, supervisor, workers, null);
        reportWorkers(node, supervisor, workers, Map.of("workers_ready_us", now()));

        // Failover: the node named in the trigger is killed; its workers must come back here or elsewhere.
        Path failover = triggers.resolve("failover");
        awaitFile(failover); // written whole, then moved into place: never seen empty
        String victim = Files.readString(failover).trim();
        if (victim.isEmpty()) {
            throw new IllegalStateException("the failover trigger names no node");
        }
        if (!victim.equals(self)) {
            awaitWorkers(node, supervisor, workers, victim);
            String backUs = now();
            reportWorkers(node, supervisor, workers, Map.of("failover_us", backUs));
        }
    }

    static String workerId(int i) {
        return String.format(Locale.ROOT, "worker-%02d", i);
    }

    /** Waits until every worker resolves here by name, none on {@code gone} (when given), and all run. */
    private static void awaitWorkers(Node node, DistributedSupervisor supervisor, int workers, String gone)
            throws InterruptedException {
        awaitTrue(
                () -> {
                    for (int i = 0; i < workers; i++) {
                        Pid pid = supervisor.whereis(workerId(i));
                        if (pid == null
                                || !node.view().members().contains(pid.node())
                                || pid.node().name().equals(gone)) {
                            return false;
                        }
                    }
                    return supervisor.countChildren().running() == workers;
                },
                workers + " workers resolving by name" + (gone == null ? "" : " off " + gone));
    }

    /**
     * Reports where the workers run, as this node resolves them now, then calls every worker by name (retrying while
     * one is moving, within the bound) and reports how many answered.
     */
    private static void reportWorkers(Node node, DistributedSupervisor supervisor, int workers, Map<String, String> at)
            throws InterruptedException {
        Map<String, Integer> spread = new TreeMap<>();
        for (int i = 0; i < workers; i++) {
            Pid pid = supervisor.whereis(workerId(i));
            spread.merge(pid == null ? "none" : pid.node().name(), 1, Integer::sum);
        }
        int replies = 0;
        long startNs = System.nanoTime();
        for (int i = 0; i < workers; i++) {
            String id = workerId(i);
            long deadlineNs = System.nanoTime() + BOUND_NS;
            while (true) {
                try {
                    Object reply = supervisor.call(id, "ping", CALL_TIMEOUT);
                    if (reply instanceof String text && text.startsWith("pong:" + id + "@")) {
                        replies++;
                    }
                    break;
                } catch (CallException e) {
                    if (System.nanoTime() - deadlineNs > 0) {
                        break; // counted as no reply
                    }
                    Thread.sleep(5); // the child is moving between nodes: its name resolves again shortly
                }
            }
        }
        long callsUs = (System.nanoTime() - startNs) / 1_000;
        Map<String, String> fields = new LinkedHashMap<>(at);
        fields.put("replies", Integer.toString(replies));
        fields.put("calls_us", Long.toString(callsUs));
        fields.put(
                "spread",
                String.join(
                        ",",
                        spread.entrySet().stream()
                                .map(e -> e.getKey() + ":" + e.getValue())
                                .toList()));
        report(node, fields);
    }

    private static void awaitFile(Path file) throws InterruptedException {
        awaitTrue(() -> Files.exists(file), "the trigger " + file.getFileName());
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadlineNs = System.nanoTime() + BOUND_NS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadlineNs > 0) {
                throw new IllegalStateException("not reached in " + BOUND_NS / 1_000_000_000L + " s: " + what);
            }
            Thread.sleep(1);
        }
    }

    private static String now() {
        return Long.toString(StandaloneNode.nowUs());
    }

    private static void report(Node node, Map<String, String> fields) {
        Map<String, String> clean = new LinkedHashMap<>();
        fields.forEach((key, value) -> clean.put(key, value.replace(' ', '_')));
        System.out.println(NodeEvent.line("demo", node.self(), clean));
        System.out.flush();
    }
}
