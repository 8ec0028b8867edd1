package io.cohort.chaos.jmh;

import io.cohort.node.Pid;
import io.cohort.node.sim.SimCluster;
import io.cohort.node.sim.SimConfig;
import io.cohort.registry.Registration;
import io.cohort.registry.RegistryServer;
import java.time.Duration;
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
 * The registry's read path ({@code Registry.whereis} and {@code lookup} read the replica directly): {@code size}
 * names registered on node n1, resolved on n3, which learnt them over the simulated network, so the state read is
 * exactly what a real replica holds. Names are taken in a fixed scrambled order, so each call hits another entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RegistryLookupBenchmark {

    @Param({"10000"})
    int size;

    private RegistryServer replica;
    private String[] names;
    private int next;

    @Setup
    public void setUp() {
        SimCluster sim = SimCluster.start(SimConfig.defaults(1), 3, id -> List.of(new RegistryServer("bench")));
        sim.runUntil("formed", sim::converged, Duration.ofSeconds(30));
        names = new String[size];
        for (int i = 0; i < size; i++) {
            String name = "name-" + i;
            Pid pid = sim.node("n1").processes().spawn();
            sim.execute("n1", RegistryServer.class, (registry, now) -> registry.register(name, pid, null));
            // 7919 is prime and does not divide the sizes used, so this visits every name once per round.
            names[(int) ((long) i * 7919 % size)] = name;
        }
        replica = sim.node("n3").component(RegistryServer.class);
        sim.runUntil("all seen on n3", () -> replica.size() == size, Duration.ofSeconds(60));
    }

    @Benchmark
    public Pid whereis() {
        String name = names[next];
        next = next + 1 == size ? 0 : next + 1;
        return replica.whereis(name);
    }

    @Benchmark
    public Registration lookup() {
        String name = names[next];
        next = next + 1 == size ? 0 : next + 1;
        return replica.lookup(name);
    }

    @Benchmark
    public Pid whereisMissing() {
        return replica.whereis("no-such-name");
    }
}
