package io.cohort.chaos.fault;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the network between the nodes looks like now: cut links, lossy links and slow nodes. Immutable; {@link #after}
 * gives the state a network fault leaves. Each node enforces the part that concerns packets arriving at it, so a
 * one-way cut {@code a->b} is a rule on {@code b} alone.
 *
 * @param blocked links whose packets are all dropped
 * @param lossy links whose packets are dropped with the given probability
 * @param slow nodes whose outgoing traffic is slowed
 */
public record NetworkState(SortedSet<Link> blocked, SortedMap<Link, Double> lossy, SortedSet<String> slow) {

    public static final NetworkState HEALTHY = new NetworkState(new TreeSet<>(), new TreeMap<>(), new TreeSet<>());

    public NetworkState {
        blocked = Collections.unmodifiableSortedSet(new TreeSet<>(blocked));
        lossy = Collections.unmodifiableSortedMap(new TreeMap<>(lossy));
        slow = Collections.unmodifiableSortedSet(new TreeSet<>(slow));
    }

    /** The state after {@code fault}; faults that are not about the network leave it as it is. */
    public NetworkState after(Fault fault) {
        return switch (fault) {
            case Fault.Partition partition -> new NetworkState(partition.blocked(), lossy, slow);
            case Fault.Heal heal -> new NetworkState(new TreeSet<>(), lossy, slow);
            case Fault.Lossy loss -> {
                SortedMap<Link, Double> more = new TreeMap<>(lossy);
                loss.links().forEach(link -> more.put(link, loss.lossRatio()));
                yield new NetworkState(blocked, more, slow);
            }
            case Fault.Slow s -> {
                SortedSet<String> more = new TreeSet<>(slow);
                more.add(s.node());
                yield new NetworkState(blocked, lossy, more);
            }
            case Fault.ClearLinks clear -> new NetworkState(blocked, new TreeMap<>(), new TreeSet<>());
            default -> this;
        };
    }

    public boolean isHealthy() {
        return blocked.isEmpty() && lossy.isEmpty() && slow.isEmpty();
    }

    /** The nodes whose packets {@code node} must drop entirely. */
    public Set<String> droppedAt(String node) {
        Set<String> from = new TreeSet<>();
        blocked.forEach(link -> {
            if (link.to().equals(node)) {
                from.add(link.from());
            }
        });
        return from;
    }

    /** The nodes whose packets {@code node} drops at random, with the probability of each. */
    public Map<String, Double> lossyAt(String node) {
        Map<String, Double> from = new TreeMap<>();
        lossy.forEach((link, ratio) -> {
            if (link.to().equals(node) && !blocked.contains(link)) {
                from.put(link.from(), ratio);
            }
        });
        return from;
    }

    public boolean isSlow(String node) {
        return slow.contains(node);
    }
}
