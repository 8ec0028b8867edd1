package io.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * The map's CRDT laws, over random write histories of three nodes: join is commutative, associative and idempotent;
 * any delivery order, duplication, loss followed by a re-send or a digest-driven sync converges to the writers'
 * state; and that state is what a plain map per node says it should be.
 */
class ORMapPropertiesTest {

    record Item(String key, long counter, String value) implements ORMap.Element {}

    record Op(int writer, boolean put, String key, int value) {}

    static final List<NodeId> WRITERS = List.of(new NodeId("a", 1), new NodeId("b", 1), new NodeId("b", 2));

    /** The writers after a history, and every write delta in the order it was made. */
    record Run(List<ORMap<Item>> writers, List<Delta<Item>> deltas, Map<NodeId, Map<String, String>> model) {

        static Run of(List<Op> ops) {
            List<ORMap<Item>> writers = new ArrayList<>();
            Map<NodeId, Map<String, String>> model = new TreeMap<>();
            for (NodeId id : WRITERS) {
                writers.add(new ORMap<>());
                model.put(id, new TreeMap<>());
            }
            List<Delta<Item>> deltas = new ArrayList<>();
            for (Op op : ops) {
                NodeId self = WRITERS.get(op.writer);
                ORMap<Item> writer = writers.get(op.writer);
                if (op.put) {
                    String value = "v" + op.value;
                    deltas.add(writer.put(self, op.key, c -> new Item(op.key, c, value), ORMap.Changes.none()));
                    model.get(self).put(op.key, value);
                } else {
                    Delta<Item> delta = writer.remove(self, op.key, ORMap.Changes.none());
                    if (delta != null) {
                        deltas.add(delta);
                    }
                    model.get(self).remove(op.key);
                }
            }
            return new Run(writers, deltas, model);
        }

        /** The state every replica must reach: each writer's own slice. */
        ORMap<Item> reference() {
            ORMap<Item> all = new ORMap<>();
            for (int i = 0; i < WRITERS.size(); i++) {
                all.join(writers.get(i).slice(WRITERS.get(i)), ORMap.Changes.none());
            }
            return all;
        }

        /** A replica that received a random subset of the deltas, in random order, some twice. */
        ORMap<Item> partialReplica(Random random) {
            List<Delta<Item>> received = new ArrayList<>();
            for (Delta<Item> delta : deltas) {
                int copies = random.nextInt(3);
                for (int i = 0; i < copies; i++) {
                    received.add(delta);
                }
            }
            Collections.shuffle(received, random);
            ORMap<Item> replica = new ORMap<>();
            received.forEach(delta -> replica.join(delta, ORMap.Changes.none()));
            return replica;
        }
    }

    @Provide
    Arbitrary<List<Op>> histories() {
        Arbitrary<Op> op = Combinators.combine(
                        Arbitraries.integers().between(0, WRITERS.size() - 1),
                        Arbitraries.integers().between(0, 9).map(n -> n < 7),
                        Arbitraries.of("k1", "k2", "k3", "k4", "k5"),
                        Arbitraries.integers().between(0, 99))
                .as(Op::new);
        return op.list().ofMaxSize(60);
    }

    static ORMap<Item> copy(ORMap<Item> map) {
        ORMap<Item> copy = new ORMap<>();
        copy.join(map, ORMap.Changes.none());
        return copy;
    }

    static ORMap<Item> join(ORMap<Item> a, ORMap<Item> b) {
        ORMap<Item> result = copy(a);
        result.join(b, ORMap.Changes.none());
        return result;
    }

    @Property
    void joinIsCommutative(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> a = run.partialReplica(random);
        ORMap<Item> b = run.partialReplica(random);
        assertThat(join(a, b).sameStateAs(join(b, a))).as("%s ⊔ %s", a, b).isTrue();
    }

    @Property
    void joinIsAssociative(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> a = run.partialReplica(random);
        ORMap<Item> b = run.partialReplica(random);
        ORMap<Item> c = run.partialReplica(random);
        assertThat(join(join(a, b), c).sameStateAs(join(a, join(b, c)))).isTrue();
    }

    /**
     * Found by {@link #joinIsAssociative} (jqwik seed -6918630060074647412): one writer puts a key four times and
     * removes it. A replica that has the 2nd put, one that has the 4th over a hole, and one where the 4th was already
     * removed used to join to different states in different groupings, because a later entry that met an earlier
     * one of the same key retired it, which a replica that had seen the later one retired could not repeat.
     */
    @net.jqwik.api.Example
    void joinIsAssociativeWhenALaterEntryIsRetiredBeforeAnEarlierOneMeetsIt() {
        Run run = Run.of(List.of(
                new Op(1, true, "k", 1),
                new Op(1, true, "k", 2),
                new Op(1, true, "k", 3),
                new Op(1, true, "k", 4),
                new Op(1, false, "k", 0)));
        ORMap<Item> a = replicaOf(run, 0, 1); // the 2nd put: v2 at counter 2
        ORMap<Item> b = replicaOf(run, 0, 3); // the 4th put over a hole: v4 at counter 4, seen {1, 3..4}
        ORMap<Item> c = replicaOf(run, 0, 3, 4); // the 4th put retired: v1 at counter 1 is left
        ORMap<Item> left = join(join(a, b), c);
        ORMap<Item> right = join(a, join(b, c));
        assertThat(left.sameStateAs(right))
                .as("(a ⊔ b) ⊔ c = %s\na ⊔ (b ⊔ c) = %s", left, right)
                .isTrue();
        // Both keep the 2nd put: no delta seen so far retires it. The writer's slice retires it once it arrives.
        assertThat(left.get(WRITERS.get(1), "k")).isEqualTo(new Item("k", 2, "v2"));
        left.join(run.writers().get(1).slice(WRITERS.get(1)), ORMap.Changes.none());
        assertThat(left.get(WRITERS.get(1), "k")).isNull();
    }

    private static ORMap<Item> replicaOf(Run run, int... deltas) {
        ORMap<Item> replica = new ORMap<>();
        for (int index : deltas) {
            replica.join(run.deltas().get(index), ORMap.Changes.none());
        }
        return replica;
    }

    @Property
    void joinIsIdempotent(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> a = run.partialReplica(random);
        assertThat(join(a, a).sameStateAs(a)).isTrue();
    }

    @Property
    void everyDeltaInAnyOrderWithDuplicatesConverges(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        List<Delta<Item>> received = new ArrayList<>(run.deltas);
        received.addAll(run.deltas.subList(0, run.deltas.size() / 2)); // duplicates
        Collections.shuffle(received, random);
        ORMap<Item> replica = new ORMap<>();
        received.forEach(delta -> replica.join(delta, ORMap.Changes.none()));
        assertThat(replica.sameStateAs(run.reference()))
                .as("replica %s\nreference %s", replica, run.reference())
                .isTrue();
    }

    @Property
    void lostDeltasAreRepairedByAResentSlice(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> replica = run.partialReplica(random);
        for (int i = 0; i < WRITERS.size(); i++) {
            replica.join(run.writers.get(i).slice(WRITERS.get(i)), ORMap.Changes.none());
        }
        assertThat(replica.sameStateAs(run.reference())).isTrue();
    }

    @Property
    void digestDrivenSyncRepairsAndSendsOnlyWhatIsMissing(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> replica = run.partialReplica(random);
        for (int i = 0; i < WRITERS.size(); i++) {
            NodeId writer = WRITERS.get(i);
            CounterSet digest = replica.context(writer);
            Delta<Item> sync = run.writers.get(i).deltaFor(writer, digest);
            for (Item item : sync.entries()) {
                assertThat(digest.contains(item.counter()))
                        .as("re-sent %s", item)
                        .isFalse();
            }
            replica.join(sync, ORMap.Changes.none());
        }
        assertThat(replica.sameStateAs(run.reference()))
                .as("replica %s\nreference %s", replica, run.reference())
                .isTrue();
    }

    @Property
    void aSyncCutIntoPartsJoinsInAnyOrder(
            @ForAll("histories") List<Op> ops,
            @ForAll @IntRange(min = 1, max = 4) int entriesMax,
            @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> replica = run.partialReplica(random);
        List<Delta<Item>> parts = new ArrayList<>();
        for (int i = 0; i < WRITERS.size(); i++) {
            NodeId writer = WRITERS.get(i);
            List<Delta<Item>> split =
                    run.writers.get(i).deltaFor(writer, replica.context(writer)).split(entriesMax);
            split.forEach(part -> assertThat(part.entries()).hasSizeLessThanOrEqualTo(entriesMax));
            parts.addAll(split);
        }
        Collections.shuffle(parts, random);
        parts.forEach(part -> replica.join(part, ORMap.Changes.none()));
        assertThat(replica.sameStateAs(run.reference())).isTrue();
    }

    @Property
    void bufferedBoundedBatchesInAnyOrderConverge(
            @ForAll("histories") List<Op> ops,
            @ForAll @IntRange(min = 1, max = 5) int itemsMax,
            @ForAll Random random) {
        Run run = Run.of(ops);
        List<Delta<Item>> batches = new ArrayList<>();
        Map<NodeId, DeltaBuffer<Item>> buffers = new TreeMap<>();
        for (Delta<Item> delta : run.deltas) {
            DeltaBuffer<Item> buffer = buffers.computeIfAbsent(delta.node(), DeltaBuffer::new);
            buffer.add(delta);
            if (random.nextInt(4) == 0) {
                batches.addAll(buffer.drain(itemsMax));
            }
        }
        buffers.values().forEach(buffer -> batches.addAll(buffer.drain(itemsMax)));
        for (Delta<Item> batch : batches) {
            int keys = (int) batch.entries().stream().map(Item::key).distinct().count();
            assertThat(batch.entries().size() + batch.removals().size())
                    .as("a batch holds at most itemsMax items, unless one key alone needs more")
                    .satisfiesAnyOf(
                            n -> assertThat(n).isLessThanOrEqualTo(itemsMax),
                            n -> assertThat(keys).isLessThanOrEqualTo(1));
        }
        Collections.shuffle(batches, random);
        ORMap<Item> replica = new ORMap<>();
        batches.forEach(batch -> replica.join(batch, ORMap.Changes.none()));
        assertThat(replica.sameStateAs(run.reference())).isTrue();
    }

    @Property
    void writersMatchAPlainMapPerNode(@ForAll("histories") List<Op> ops) {
        Run run = Run.of(ops);
        ORMap<Item> reference = run.reference();
        for (NodeId node : WRITERS) {
            Map<String, String> seen = new TreeMap<>();
            reference.entries(node).forEach(item -> seen.put(item.key(), item.value()));
            assertThat(seen).isEqualTo(run.model.get(node));
        }
    }

    @Property
    void changesReportExactlyTheDifference(@ForAll("histories") List<Op> ops, @ForAll Random random) {
        Run run = Run.of(ops);
        ORMap<Item> replica = run.partialReplica(random);
        Map<String, Item> tracked = new TreeMap<>();
        for (NodeId node : replica.nodes()) {
            replica.entries(node).forEach(item -> tracked.put(node + "/" + item.key(), item));
        }
        ORMap.Changes<Item> changes = new ORMap.Changes<>() {
            @Override
            public void added(NodeId node, Item entry) {
                assertThat(tracked.put(node + "/" + entry.key(), entry)).isNull();
            }

            @Override
            public void removed(NodeId node, Item entry) {
                assertThat(tracked.remove(node + "/" + entry.key())).isEqualTo(entry);
            }
        };
        for (int i = 0; i < WRITERS.size(); i++) {
            replica.join(run.writers.get(i).deltaFor(WRITERS.get(i), replica.context(WRITERS.get(i))), changes);
        }
        Map<String, Item> expected = new TreeMap<>();
        for (NodeId node : replica.nodes()) {
            replica.entries(node).forEach(item -> expected.put(node + "/" + item.key(), item));
        }
        assertThat(tracked).isEqualTo(expected);
    }
}
