package io.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.sim.SimSweep;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The distributed supervisor's semantics under the simulator, each scenario over many seeds. */
class SupervisorSimTest {

    @Test
    void childrenStartedFromAnyNodeRunOnceAndResolveEverywhere() {
        SimSweep.run("start from any node", 1, 20, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.forbidDuplicates();
            world.startChildren("n1", "a", 20);
            world.startChildren("n2", "b", 20);
            world.startChildren("n3", "c", 20);
            world.settle("60 children running");
            assertThat(world.running()).hasSize(60);
            assertThat(world.starts).as("each started exactly once").hasSize(60);
            Set<NodeId> hosts =
                    world.running().values().stream().flatMap(List::stream).collect(Collectors.toSet());
            assertThat(hosts).as("spread over the nodes").hasSize(3);
            List<ChildInfo> children = world.sup("n2").whichChildren();
            assertThat(children)
                    .hasSize(60)
                    .allSatisfy(child -> assertThat(child.status()).isEqualTo(ChildInfo.Status.RUNNING));
            assertThat(children).allSatisfy(child -> assertThat(child.node()).isEqualTo(world.nodeOf(child.id())));
            assertThat(world.sup("n3").countChildren().specs()).isEqualTo(60);
        });
    }

    @Test
    void aCrashedNodesChildrenRunAgainOnSurvivorsExactlyOnce() {
        SimSweep.run("crash failover", 100, 30, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.forbidDuplicates();
            world.startChildren("n1", "w", 60);
            world.settle("children running");
            NodeId lost = world.sim.node("n1").id();
            Map<String, Long> onLost = new TreeMap<>();
            world.running().forEach((id, nodes) -> {
                if (nodes.contains(lost)) {
                    onLost.put(id, world.sup("n1").localToken(id));
                }
            });
            assertThat(onLost).isNotEmpty();
            long crashAt = world.sim.nowNs();
            world.sim.crash("n1");
            world.settle("lost children restarted");
            List<SupervisorSim.Start> after = world.startsAfter(crashAt);
            assertThat(after)
                    .extracting(SupervisorSim.Start::id)
                    .as("exactly the lost children, each once")
                    .containsExactlyInAnyOrderElementsOf(onLost.keySet());
            for (SupervisorSim.Start start : after) {
                assertThat(start.node()).isNotEqualTo(lost);
                assertThat(start.token()).as("fencing token grows").isGreaterThan(onLost.get(start.id()));
            }
        });
    }

    @Test
    void terminateChildFromAnotherNodeStopsItEverywhere() {
        SimSweep.run("terminate", 200, 10, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.startChildren("n1", "t", 10);
            world.settle("running");
            world.terminateChild("n3", "t4");
            world.terminateChild("n2", "t7");
            world.settle("terminated");
            assertThat(world.running()).doesNotContainKeys("t4", "t7").hasSize(8);
            world.sim.runUntil(
                    "its name gone everywhere",
                    () -> world.registry("n1").whereis("t4") == null
                            && world.registry("n2").whereis("t7") == null,
                    SupervisorSim.BOUND);
        });
    }

    @Test
    void specsOutliveTheNodeThatStartedThem() {
        SimSweep.run("specs outlive creator", 300, 10, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.startChildren("n1", "s", 30);
            world.settle("running");
            world.sim.crash("n1");
            world.settle("after the creator crashed");
            world.sim.restart("n1");
            world.settle("after it came back");
            assertThat(world.running()).hasSize(30);
            world.terminateChild("n1", "s3"); // the new incarnation may remove what the old one wrote
            world.settle("terminated by the new incarnation");
            assertThat(world.running()).hasSize(29).doesNotContainKey("s3");
        });
    }

    @Test
    void aCrashLoopingChildIsMarkedFailedWhileItsSiblingsKeepRunning() {
        SimSweep.run("crash loop", 400, 10, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.forbidDuplicates();
            world.startChild(
                    "n2",
                    ChildSpec.of("looper", SupervisorSim.KIND, null)
                            .withIntensity(ChildSpec.Intensity.of(3, Duration.ofSeconds(5))));
            world.startChildren("n2", "sib", 10);
            world.settle("running");
            Pid subscriber = world.sim.node("n1").processes().spawn();
            for (String node : List.of("n1", "n2", "n3")) {
                Pid listener = node.equals("n1")
                        ? subscriber
                        : world.sim.node(node).processes().spawn();
                world.sim.execute(node, SupervisorServer.class, (s, now) -> s.subscribe(listener));
            }
            Map<String, Pid> siblings = pidsOf(world, "sib");
            for (int crash = 0; crash < 4; crash++) {
                NodeId where = world.nodeOf("looper");
                assertThat(where).as("restarted after crash %s", crash).isNotNull();
                Pid pid = world.sup(where.name()).runningHere().get("looper");
                world.sim.node(where.name()).processes().exit(pid, new ExitReason.Failure("Boom", "crash " + crash));
                world.sim.runUntil(
                        "looper back or failed",
                        () -> world.nodeOf("looper") != null
                                || world.sup("n1").failedSpecIds().contains("looper"),
                        SupervisorSim.BOUND);
            }
            world.settle("failed child settled");
            for (String node : List.of("n1", "n2", "n3")) {
                assertThat(world.sup(node).failedSpecIds()).containsExactly("looper");
                assertThat(world.sup(node).whichChildren())
                        .filteredOn(child -> child.id().equals("looper"))
                        .extracting(ChildInfo::status)
                        .containsExactly(ChildInfo.Status.FAILED);
            }
            assertThat(world.nodeOf("looper")).isNull();
            assertThat(world.sim.node("n1").processes().mailbox(subscriber))
                    .as("the subscriber heard of the failure")
                    .anySatisfy(event -> assertThat(event).isInstanceOf(SupervisorEvent.ChildFailed.class));
            assertThat(pidsOf(world, "sib")).as("siblings untouched").isEqualTo(siblings);
            // Starting it anew clears the mark.
            world.startChild("n3", ChildSpec.of("looper", SupervisorSim.KIND, null));
            world.settle("restarted anew");
            assertThat(world.nodeOf("looper")).isNotNull();
        });
    }

    @Test
    void transientAndTemporaryChildrenFollowTheirRestartType() {
        SimSweep.run("restart types", 500, 10, seed -> {
            SupervisorSim world = SupervisorSim.start(seed, 3);
            world.startChild(
                    "n1", ChildSpec.of("transient", SupervisorSim.KIND, null).withRestart(ChildSpec.Restart.TRANSIENT));
            world.startChild(
                    "n1", ChildSpec.of("temporary", SupervisorSim.KIND, null).withRestart(ChildSpec.Restart.TEMPORARY));
            world.startChild(
                    "n1", ChildSpec.of("crashing", SupervisorSim.KIND, null).withRestart(ChildSpec.Restart.TRANSIENT));
            world.settle("running");
            exit(world, "transient", ExitReason.NORMAL);
            exit(world, "temporary", new ExitReason.Failure("Boom", "x"));
            exit(world, "crashing", new ExitReason.Failure("Boom", "y"));
            world.settle("after the exits");
            assertThat(world.running()).containsOnlyKeys("crashing");
            assertThat(world.sup("n2").liveSpecIds()).containsExactly("crashing");
        });
    }

    @Test
    void nothingIsPlacedOnAMemberThatDoesNotRunTheSupervisor() {
        SimSweep.run("member without the supervisor", 600, 10, seed -> {
            SupervisorSim world = SupervisorSim.startWithout(seed, 3, Set.of("n3"));
            world.startChildren("n1", "x", 30);
            world.sim.runUntil(
                    "all running on n1 and n2",
                    () -> world.running().size() == 30
                            && world.running().values().stream().allMatch(nodes -> nodes.size() == 1),
                    SupervisorSim.BOUND);
            assertThat(world.running().values().stream().flatMap(List::stream))
                    .allSatisfy(node -> assertThat(node.name()).isNotEqualTo("n3"));
        });
    }

    @Test
    void anUnknownKindIsRefusedWhereItIsNotRegistered() {
        SupervisorSim world = SupervisorSim.start(7, 2);
        world.startChild("n1", ChildSpec.of("x", "nope", null));
        world.settle("nothing to run");
        assertThat(world.sup("n2").liveSpecIds()).isEmpty();
    }

    @Test
    void malformedMessagesAreCountedAndDropped() {
        SupervisorSim world = SupervisorSim.start(9, 2);
        world.startChildren("n1", "m", 5);
        world.settle("running");
        NodeId from = world.sim.node("n2").id();
        world.sim.execute("n1", SupervisorServer.class, (s, now) -> {
            s.onMessage(from, new byte[] {1, 2, 3, 4, 5}, now);
            s.onMessage(
                    from,
                    io.cohort.supervisor.wire.SupervisorMessage.newBuilder()
                            .setVersion(99)
                            .build()
                            .toByteArray(),
                    now);
        });
        world.settle("still fine");
        assertThat(world.sim
                        .node("n1")
                        .metrics()
                        .counter("supervisor.dropped", "supervisor", "sup", "reason", "malformed")
                        .count())
                .isEqualTo(1);
        assertThat(world.running()).hasSize(5);
    }

    static void exit(SupervisorSim world, String id, ExitReason reason) {
        NodeId where = world.nodeOf(id);
        Pid pid = world.sup(where.name()).runningHere().get(id);
        world.sim.node(where.name()).processes().exit(pid, reason);
        world.sim.runFor(Duration.ofMillis(1));
    }

    static Map<String, Pid> pidsOf(SupervisorSim world, String prefix) {
        Map<String, Pid> pids = new TreeMap<>();
        for (String node : new TreeSet<>(List.of("n1", "n2", "n3"))) {
            world.sup(node).runningHere().forEach((id, pid) -> {
                if (id.startsWith(prefix)) {
                    pids.put(id, pid);
                }
            });
        }
        return pids;
    }
}
