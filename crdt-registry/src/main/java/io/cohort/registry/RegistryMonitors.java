package io.cohort.registry;

import io.cohort.node.Pid;
import io.cohort.node.runtime.ProcessHost;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongFunction;

/** The subscribers of one registry replica: local processes told of every change; each ends when its process does. */
final class RegistryMonitors {

    private record Subscription(Pid subscriber, long exitMonitorRef) {}

    /** Subscription reference -> subscriber; ordered, so events go out in subscription order. */
    private final Map<Long, Subscription> subscriptions = new TreeMap<>();

    private long nextRef = 1;

    boolean isEmpty() {
        return subscriptions.isEmpty();
    }

    long add(ProcessHost processes, Pid subscriber) {
        long ref = nextRef++;
        subscriptions.put(ref, new Subscription(subscriber, processes.monitor(subscriber)));
        return ref;
    }

    boolean remove(ProcessHost processes, long ref) {
        Subscription subscription = subscriptions.remove(ref);
        if (subscription == null) {
            return false;
        }
        processes.demonitor(subscription.exitMonitorRef);
        return true;
    }

    /** A subscriber exited: forget its subscriptions. True when the monitor was one of ours. */
    boolean onSubscriberExit(long exitMonitorRef) {
        return subscriptions.values().removeIf(s -> s.exitMonitorRef == exitMonitorRef);
    }

    /** Delivers the event {@code make} builds for each subscription reference. */
    void notify(ProcessHost processes, LongFunction<RegistryEvent> make) {
        subscriptions.forEach((ref, s) -> processes.deliver(s.subscriber, make.apply(ref)));
    }
}
