package io.cohort.chaos.jmh;

import io.cohort.crdt.Delta;
import io.cohort.crdt.ORMap;
import io.cohort.node.NodeId;
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
 * Joins of the registry's and the supervisor's CRDT ({@link ORMap}): a write delta of one entry into a replica that
 * holds {@code size} entries of the writer (the steady state: one registration), a whole slice of {@code size}
 * entries into an empty replica (a new peer's first sync), and the same slice again into a replica that has it (a
 * duplicate delivery, which must change nothing).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CrdtJoinBenchmark {

    /** An entry as the registry keeps one: a key and the counter of the dot that wrote it. */
    record Entry(String key, long counter) implements ORMap.Element {}

    @Param({"1000", "100000"})
    int size;

    private final NodeId writer = new NodeId("orders-1", 1_795_000_000_000L);
    private ORMap<Entry> source;
    private ORMap<Entry> replica;
    /** Holds {@link #slice} already; only {@link #joinDuplicateSlice} touches it. */
    private ORMap<Entry> synced;

    private Delta<Entry> slice;
    private String[] keys;
    private int next;

    @Setup
    public void setUp() {
        source = new ORMap<>();
        keys = new String[size];
        for (int i = 0; i < size; i++) {
            String key = "name-" + i;
            keys[i] = key;
            source.put(writer, key, counter -> new Entry(key, counter), ORMap.Changes.none());
        }
        slice = source.slice(writer);
        replica = new ORMap<>();
        replica.join(slice, ORMap.Changes.none());
        synced = new ORMap<>();
        synced.join(slice, ORMap.Changes.none());
    }

    /** One re-registration on the writer, and its delta joined into a replica of {@code size} entries. */
    @Benchmark
    public ORMap<Entry> putAndJoinWriteDelta() {
        String key = keys[next];
        next = next + 1 == size ? 0 : next + 1;
        Delta<Entry> delta = source.put(writer, key, counter -> new Entry(key, counter), ORMap.Changes.none());
        replica.join(delta, ORMap.Changes.none());
        return replica;
    }

    /** A whole slice of {@code size} entries into an empty replica. */
    @Benchmark
    public ORMap<Entry> joinSliceIntoEmpty() {
        ORMap<Entry> fresh = new ORMap<>();
        fresh.join(slice, ORMap.Changes.none());
        return fresh;
    }

    /** The same slice again into a replica that holds it: idempotence, nothing changes. */
    @Benchmark
    public ORMap<Entry> joinDuplicateSlice() {
        synced.join(slice, ORMap.Changes.none());
        return synced;
    }
}
