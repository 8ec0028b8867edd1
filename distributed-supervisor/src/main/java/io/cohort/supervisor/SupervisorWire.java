package io.cohort.supervisor;

import com.google.protobuf.ByteString;
import io.cohort.crdt.CounterSet;
import io.cohort.crdt.Delta;
import io.cohort.node.NodeId;
import io.cohort.supervisor.wire.NodeRef;
import io.cohort.supervisor.wire.Ranges;
import io.cohort.supervisor.wire.Removal;
import io.cohort.supervisor.wire.SliceDelta;
import io.cohort.supervisor.wire.Spec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Between the supervisor's wire messages and its values. Decoding validates and throws on nonsense. */
final class SupervisorWire {

    private SupervisorWire() {}

    static NodeRef node(NodeId node) {
        return NodeRef.newBuilder()
                .setName(node.name())
                .setIncarnation(node.incarnation())
                .build();
    }

    /** @throws IllegalArgumentException for a bad name or incarnation */
    static NodeId node(NodeRef ref) {
        return new NodeId(ref.getName(), ref.getIncarnation());
    }

    static Ranges ranges(CounterSet set) {
        Ranges.Builder ranges = Ranges.newBuilder();
        for (int i = 0; i < set.rangeCount(); i++) {
            ranges.addBounds(set.lo(i)).addBounds(set.hi(i));
        }
        return ranges.build();
    }

    /** @throws IllegalArgumentException for an odd count or an empty or non-positive range */
    static CounterSet counters(Ranges ranges) {
        int count = ranges.getBoundsCount();
        if (count % 2 != 0) {
            throw new IllegalArgumentException("ranges need lo, hi pairs");
        }
        CounterSet set = new CounterSet();
        for (int i = 0; i < count; i += 2) {
            set.addRange(ranges.getBounds(i), ranges.getBounds(i + 1));
        }
        return set;
    }

    static Spec spec(SpecEntry entry) {
        ChildSpec spec = entry.spec();
        return Spec.newBuilder()
                .setId(spec.id())
                .setCounter(entry.counter())
                .setKind(spec.kind())
                .setArgs(ByteString.copyFrom(spec.args()))
                .setRestartValue(spec.restart().ordinal())
                .setShutdownMs(spec.shutdownTimeout().toMillis())
                .setMaxRestarts(spec.intensity().restartsMax())
                .setRestartWindowMs(spec.intensity().window().toMillis())
                .setBackoffMinMs(spec.intensity().backoffMin().toMillis())
                .setBackoffMaxMs(spec.intensity().backoffMax().toMillis())
                .setStamp(entry.stamp())
                .setFailed(entry.failed())
                .setHint(entry.hint())
                .build();
    }

    /** @throws IllegalArgumentException for a spec that does not make a valid {@link ChildSpec} */
    static SpecEntry entry(Spec spec) {
        if (spec.getCounter() < 1) {
            throw new IllegalArgumentException("bad counter for " + spec.getId());
        }
        ChildSpec.Restart[] restarts = ChildSpec.Restart.values();
        int restart = spec.getRestartValue();
        if (restart < 0 || restart >= restarts.length) {
            throw new IllegalArgumentException("unknown restart type " + restart);
        }
        ChildSpec child = new ChildSpec(
                spec.getId(),
                spec.getKind(),
                spec.getArgs().toByteArray(),
                restarts[restart],
                Duration.ofMillis(Math.max(1, spec.getShutdownMs())),
                new ChildSpec.Intensity(
                        spec.getMaxRestarts(),
                        Duration.ofMillis(Math.max(1, spec.getRestartWindowMs())),
                        Duration.ofMillis(spec.getBackoffMinMs()),
                        Duration.ofMillis(spec.getBackoffMaxMs())));
        return new SpecEntry(child, spec.getCounter(), spec.getStamp(), spec.getFailed(), spec.getHint());
    }

    static SliceDelta slice(Delta<SpecEntry> delta, boolean withContext) {
        SliceDelta.Builder slice = SliceDelta.newBuilder().setNode(node(delta.node()));
        for (SpecEntry entry : delta.entries()) {
            slice.addEntries(spec(entry));
        }
        for (Delta.Removal removal : delta.removals()) {
            slice.addRemovals(Removal.newBuilder().setId(removal.key()).setCounter(removal.counter()));
        }
        if (withContext) {
            slice.setContext(ranges(delta.context()));
        }
        return slice.build();
    }

    /**
     * A delta from the wire: a write delta when it has no context, an anti-entropy delta otherwise (whose entries must
     * lie inside its context).
     */
    static Delta<SpecEntry> delta(SliceDelta slice) {
        NodeId node = node(slice.getNode());
        List<SpecEntry> entries = new ArrayList<>(slice.getEntriesCount());
        for (Spec spec : slice.getEntriesList()) {
            entries.add(entry(spec));
        }
        List<Delta.Removal> removals = new ArrayList<>(slice.getRemovalsCount());
        for (Removal removal : slice.getRemovalsList()) {
            if (removal.getCounter() < 1) {
                throw new IllegalArgumentException("bad removal counter");
            }
            removals.add(new Delta.Removal(removal.getId(), removal.getCounter()));
        }
        if (!slice.hasContext()) {
            return Delta.ofWrites(node, entries, removals);
        }
        CounterSet context = counters(slice.getContext());
        for (SpecEntry entry : entries) {
            if (!context.contains(entry.counter())) {
                throw new IllegalArgumentException("entry outside its context");
            }
        }
        for (Delta.Removal removal : removals) {
            if (!context.contains(removal.counter())) {
                throw new IllegalArgumentException("removal outside its context");
            }
        }
        return new Delta<>(node, entries, removals, context);
    }
}
