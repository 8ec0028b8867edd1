package io.cohort.chaos.jmh;

import io.cohort.node.Pid;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.pg.Dispatch;
import io.cohort.pg.PgScope;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pg read path: {@code members} and {@code localMembers} of a group of {@code size} members spread over three
 * nodes, as the node that holds a third of them sees it, and picking a member by key. The cluster is built in the
 * simulator, so the state read is exactly what a real node publishes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PgReadBenchmark {

    @Param({"1000"})
    int size;

    private PgScope scope;

    @Setup
    public void setUp() {
        SimCluster sim = SimCluster.start(SimConfig.defaults(1), 3, id -> List.of(new PgScope("bench", 0)));
        sim.runUntil("formed", sim::converged, Duration.ofSeconds(30));
        for (int i = 0; i < size; i++) {
            String node = "n" + (1 + i % 3);
            Pid pid = sim.node(node).processes().spawn();
            sim.execute(node, PgScope.class, (pg, now) -> pg.join("g", new ArrayList<>(List.of(pid))));
        }
        scope = sim.node("n1").component(PgScope.class);
        sim.runUntil("all seen", () -> scope.members("g").size() == size, Duration.ofSeconds(30));
    }

    @Benchmark
    public List<Pid> members() {
        return scope.members("g");
    }

    @Benchmark
    public List<Pid> localMembers() {
        return scope.localMembers("g");
    }

    @Benchmark
    public Pid pickByKey() {
        return Dispatch.byKey("order-42").pick(scope.snapshot("g"), 0);
    }
}
