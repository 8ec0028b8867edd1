package io.cohort.pg;

import io.cohort.node.Pid;
import io.cohort.node.runtime.ProcessHost;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The subscriptions of one scope (OTP 25.1's {@code monitor_scope} and {@code monitor}): who is told of which
 * changes. A subscriber is a local process; its subscriptions end when it exits.
 */
final class PgMonitors {

    private record Entry(Pid subscriber, String group, long exitMonitorRef) {}

    /** Subscription reference -> subscriber and group (null group: the whole scope). */
    private final Map<Long, Entry> subscriptions = new TreeMap<>();

    private long nextRef = 1;

    long addScope(ProcessHost processes, Pid subscriber) {
        return add(processes, subscriber, null);
    }

    long addGroup(ProcessHost processes, Pid subscriber, String group) {
        return add(processes, subscriber, group);
    }

    boolean remove(ProcessHost processes, long ref) {
        Entry entry = subscriptions.remove(ref);
        if (entry == null) {
            return false;
        }
        processes.demonitor(entry.exitMonitorRef);
        return true;
    }

    /** A subscriber exited: forget all it subscribed to. True when the monitor was one of ours. */
    boolean onSubscriberExit(long exitMonitorRef) {
        return subscriptions.values().removeIf(entry -> entry.exitMonitorRef == exitMonitorRef);
    }

    /** Whether anyone subscribed: when not, callers can skip working out what changed. */
    boolean any() {
        return !subscriptions.isEmpty();
    }

    void notify(ProcessHost processes, PgEvent.Kind kind, String group, List<Pid> pids) {
        if (!any()) {
            return;
        }
        List<Pid> copy = List.copyOf(pids);
        subscriptions.forEach((ref, entry) -> {
            if (entry.group == null || entry.group.equals(group)) {
                processes.deliver(entry.subscriber, new PgEvent(ref, kind, group, copy));
            }
        });
    }

    private long add(ProcessHost processes, Pid subscriber, String group) {
        long ref = nextRef++;
        long exitRef = processes.monitor(subscriber);
        subscriptions.put(ref, new Entry(subscriber, group, exitRef));
        return ref;
    }
}
