package io.cohort.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.process.Next;
import io.cohort.node.process.Server;
import io.cohort.node.process.ServerContext;
import io.cohort.node.tools.LoopbackNodes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry on three real nodes in one JVM: JGroups membership on loopback, Netty between processes. */
class RegistryRealNodesTest {

    private static final Duration BOUND = Duration.ofSeconds(30);

    private final List<Node> nodes = new ArrayList<>();
    private final List<Registry> registries = new ArrayList<>();
    private final CountDownLatch forever = new CountDownLatch(1);

    @AfterEach
    void close() {
        forever.countDown();
        nodes.forEach(Node::close);
    }

    private void startNodes(int count) throws Exception {
        for (NodeConfig config : LoopbackNodes.configs("reg-real", "r", count)) {
            RegistryServer server = new RegistryServer("names");
            Node node = Node.builder(config).component(server).start();
            nodes.add(node);
            registries.add(new Registry(node, server));
        }
        await().atMost(BOUND).until(() -> nodes.stream().allMatch(n -> n.view().size() == count));
    }

    private Pid spawnIdle(int node) {
        return nodes.get(node).processes().spawn(self -> forever.await());
    }

    @Test
    void namesResolveEverywhereCarryMessagesAndVanishWithTheirProcessOrNode() throws Exception {
        startNodes(3);
        Pid a = spawnIdle(0);
        CompletableFuture<Object> received = new CompletableFuture<>();
        Pid b = nodes.get(1).processes().spawn(self -> received.complete(self.receive()));
        assertThat(registries.get(0).register("a", a, "meta-a".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo(new RegisterResult.Registered(a));
        assertThat(registries.get(0).whereis("a")).as("read your writes").isEqualTo(a);
        assertThat(registries.get(1).register("b", b)).isEqualTo(new RegisterResult.Registered(b));
        await().atMost(BOUND).until(() -> registries.stream().allMatch(r -> r.size() == 2));
        assertThat(new String(registries.get(2).meta("a").orElseThrow(), StandardCharsets.UTF_8))
                .isEqualTo("meta-a");
        assertThat(registries.get(2).register("a", spawnIdle(2))).isEqualTo(new RegisterResult.Taken(a));
        assertThat(registries.get(2).keys(b)).containsExactly("b");

        assertThat(registries.get(2).send("b", "hello")).isTrue();
        assertThat(received.get(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("hello");
        await().atMost(BOUND).until(() -> registries.get(0).whereis("b") == null); // b returned: its name went

        assertThat(registries.get(0).putMeta("a", "v2".getBytes(StandardCharsets.UTF_8)))
                .isTrue();
        await().atMost(BOUND)
                .until(() ->
                        new String(registries.get(2).meta("a").orElseThrow(), StandardCharsets.UTF_8).equals("v2"));

        nodes.get(0).close(); // a's node leaves: its names vanish everywhere else
        await().atMost(BOUND).until(() -> registries.get(2).whereis("a") == null);
        assertThat(registries.get(1).size()).isZero();
    }

    @Test
    void aServerStartedUnderANameIsCalledFromAnotherNode() throws Exception {
        startNodes(3);
        Server<Integer> counter = new Server<>() {
            @Override
            public Next<Integer> init(ServerContext context) {
                return Next.state(0);
            }

            @Override
            public Next<Integer> handleCall(Object request, ServerContext.From from, Integer state, ServerContext c) {
                return Next.reply(state + 1, state + 1);
            }
        };
        Registry.StartResult started = registries.get(0).startServer("counter", null, counter, BOUND);
        assertThat(started).isInstanceOf(Registry.StartResult.Started.class);
        Pid pid = ((Registry.StartResult.Started) started).pid();
        assertThat(registries.get(0).startServer("counter", null, counter, BOUND))
                .isEqualTo(new Registry.StartResult.AlreadyStarted(pid));
        await().atMost(BOUND).until(() -> pid.equals(registries.get(2).whereis("counter")));
        assertThat(registries.get(2).call("counter", "inc", BOUND)).isEqualTo(1);
        assertThat(registries.get(1).call("counter", "inc", BOUND)).isEqualTo(2);
    }

    @Test
    void twoNodesRacingForOneNameEndWithOneOwnerAndOneEndedLoser() throws Exception {
        startNodes(3);
        List<Pid> contenders = List.of(spawnIdle(0), spawnIdle(1));
        CompletableFuture<RegisterResult> first =
                CompletableFuture.supplyAsync(() -> registries.get(0).register("leader", contenders.get(0)));
        CompletableFuture<RegisterResult> second =
                CompletableFuture.supplyAsync(() -> registries.get(1).register("leader", contenders.get(1)));
        List<RegisterResult> results = List.of(
                first.get(BOUND.toSeconds(), TimeUnit.SECONDS), second.get(BOUND.toSeconds(), TimeUnit.SECONDS));
        await().atMost(BOUND).until(() -> {
            Pid owner = registries.get(2).whereis("leader");
            return owner != null && registries.stream().allMatch(r -> owner.equals(r.whereis("leader")));
        });
        Pid owner = registries.get(2).whereis("leader");
        int ownerNode = owner.equals(contenders.get(0)) ? 0 : 1;
        int loserNode = 1 - ownerNode;
        Pid loser = contenders.get(loserNode);
        assertThat(results.get(ownerNode)).isEqualTo(new RegisterResult.Registered(owner));
        if (results.get(loserNode) instanceof RegisterResult.Registered) {
            // Both succeeded locally, a real conflict: the loser's node ends the loser.
            await().atMost(BOUND).until(() -> !nodes.get(loserNode).processes().isAlive(loser));
        } else {
            assertThat(results.get(loserNode)).isEqualTo(new RegisterResult.Taken(owner));
            assertThat(nodes.get(loserNode).processes().isAlive(loser)).isTrue();
        }
        assertThat(nodes.get(ownerNode).processes().isAlive(owner)).isTrue();
    }

    @Test
    void manyConcurrentCallersEachGetTheirOwnAnswer() throws Exception {
        startNodes(2);
        int callers = 5_000;
        List<java.util.concurrent.Future<RegisterResult>> results = new ArrayList<>();
        List<Pid> pids = new ArrayList<>();
        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < callers; i++) {
                Pid pid = spawnIdle(0);
                pids.add(pid);
                String name = "n" + (i % (callers / 2)); // every name twice: one caller wins it, the other is told
                results.add(threads.submit(() -> registries.get(0).register(name, pid)));
            }
        }
        int registered = 0;
        for (int i = 0; i < callers; i++) {
            RegisterResult result = results.get(i).get(BOUND.toSeconds(), TimeUnit.SECONDS);
            if (result instanceof RegisterResult.Registered) {
                registered++;
                assertThat(registries.get(0).whereis("n" + (i % (callers / 2)))).isEqualTo(pids.get(i));
            } else {
                assertThat(result).isInstanceOf(RegisterResult.Taken.class);
            }
        }
        assertThat(registered).isEqualTo(callers / 2);
        await().atMost(BOUND).until(() -> registries.get(1).size() == callers / 2);
    }
}
