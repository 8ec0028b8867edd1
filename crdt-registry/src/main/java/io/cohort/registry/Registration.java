package io.cohort.registry;

import io.cohort.crdt.ORMap;
import io.cohort.node.Pid;
import java.util.Arrays;
import java.util.Objects;

/**
 * One name bound to one process, as a replica holds it: immutable, shared by the registry's state and its published
 * snapshot, and kept small (one object besides the name and the pid).
 */
public final class Registration implements ORMap.Element {

    private final String name;
    private final long counter;
    private final Pid pid;
    private final long stamp;
    /** User metadata, or null for none; never handed out without a copy. */
    private final byte[] meta;

    Registration(String name, long counter, Pid pid, long stamp, byte[] meta) {
        this.name = Objects.requireNonNull(name, "name");
        this.counter = counter;
        this.pid = Objects.requireNonNull(pid, "pid");
        this.stamp = stamp;
        this.meta = meta;
    }

    public String name() {
        return name;
    }

    @Override
    public String key() {
        return name;
    }

    /** The counter of the dot that wrote this version of the registration (a meta update makes a new one). */
    @Override
    public long counter() {
        return counter;
    }

    public Pid pid() {
        return pid;
    }

    /** Hybrid-logical-clock stamp of the registration; the conflict resolver's first criterion. */
    public long stamp() {
        return stamp;
    }

    /** A copy of the metadata; empty when there is none. */
    public byte[] meta() {
        return meta == null ? new byte[0] : meta.clone();
    }

    public boolean hasMeta() {
        return meta != null;
    }

    /** The metadata without a copy, for encoding; callers must not change it. */
    byte[] metaUnsafe() {
        return meta;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Registration r
                && counter == r.counter
                && stamp == r.stamp
                && name.equals(r.name)
                && pid.equals(r.pid)
                && Arrays.equals(meta, r.meta);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, counter, pid, stamp);
    }

    @Override
    public String toString() {
        return name + "->" + pid + "@" + stamp + (meta == null ? "" : " meta=" + meta.length + "B");
    }
}
