package io.cohort.registry;

import com.google.protobuf.ByteString;
import io.cohort.crdt.CounterSet;
import io.cohort.crdt.Delta;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.registry.wire.Entry;
import io.cohort.registry.wire.Ranges;
import java.util.ArrayList;
import java.util.List;

/** Between the registry's wire messages and the CRDT's values. Decoding validates and throws on nonsense. */
final class RegistryWire {

    private RegistryWire() {}

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

    static Entry entry(Registration registration) {
        Entry.Builder entry = Entry.newBuilder()
                .setName(registration.name())
                .setCounter(registration.counter())
                .setSerial(registration.pid().serial())
                .setStamp(registration.stamp());
        if (registration.metaUnsafe() != null) {
            entry.setMeta(ByteString.copyFrom(registration.metaUnsafe()));
        }
        return entry.build();
    }

    /** @throws IllegalArgumentException for an empty name or a zero counter or serial */
    static Registration registration(NodeId from, Entry entry) {
        if (entry.getName().isEmpty() || entry.getCounter() < 1 || entry.getSerial() < 1) {
            throw new IllegalArgumentException("bad entry " + entry.getName() + "/" + entry.getCounter());
        }
        return new Registration(
                entry.getName(),
                entry.getCounter(),
                new Pid(from, entry.getSerial()),
                entry.getStamp(),
                entry.hasMeta() ? entry.getMeta().toByteArray() : null);
    }

    static List<Registration> registrations(NodeId from, List<Entry> entries) {
        List<Registration> result = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            result.add(registration(from, entry));
        }
        return result;
    }

    static io.cohort.registry.wire.Pid pid(Pid pid) {
        return io.cohort.registry.wire.Pid.newBuilder()
                .setNodeName(pid.node().name())
                .setIncarnation(pid.node().incarnation())
                .setSerial(pid.serial())
                .build();
    }

    static Pid pid(io.cohort.registry.wire.Pid pid) {
        return new Pid(new NodeId(pid.getNodeName(), pid.getIncarnation()), pid.getSerial());
    }

    static Delta<Registration> writeDelta(NodeId from, io.cohort.registry.wire.Delta delta) {
        List<Delta.Removal> removals = new ArrayList<>(delta.getRemovalsCount());
        for (io.cohort.registry.wire.Removal removal : delta.getRemovalsList()) {
            if (removal.getCounter() < 1) {
                throw new IllegalArgumentException("bad removal counter");
            }
            removals.add(new Delta.Removal(removal.getName(), removal.getCounter()));
        }
        return Delta.ofWrites(from, registrations(from, delta.getEntriesList()), removals);
    }
}
