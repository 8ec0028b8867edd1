package io.cohort.chaos.fault;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One fault (or the end of one) a nemesis applies to a cluster: plain data, so a schedule can be generated from a
 * seed, printed, saved and replayed. Nodes are named as the cluster names them ({@code n1}, {@code n2}, ...).
 */
public sealed interface Fault {

    /** A short kind for reports: {@code kill}, {@code partition}, ... */
    String kind();

    /** One line for people: {@code kill n2}, {@code partition bridge [n1 n2 | n3 | n4 n5]}. */
    String describe();

    /** The nodes this fault acts on directly (empty for cluster-wide ones such as heal). */
    List<String> nodes();

    /** SIGKILL of the node's process: it stays down until {@link Restart}. */
    record Kill(String node) implements Fault {
        public String kind() {
            return "kill";
        }

        public String describe() {
            return "kill " + node;
        }

        public List<String> nodes() {
            return List.of(node);
        }
    }

    /** Starts the node again as a new incarnation (killing it first if it runs). */
    record Restart(String node) implements Fault {
        public String kind() {
            return "restart";
        }

        public String describe() {
            return "restart " + node;
        }

        public List<String> nodes() {
            return List.of(node);
        }
    }

    /** Freezes every process of the node (as a long GC pause or a hung VM would). */
    record Pause(String node) implements Fault {
        public String kind() {
            return "pause";
        }

        public String describe() {
            return "pause " + node;
        }

        public List<String> nodes() {
            return List.of(node);
        }
    }

    /** Lets a paused node run again. */
    record Resume(String node) implements Fault {
        public String kind() {
            return "resume";
        }

        public String describe() {
            return "resume " + node;
        }

        public List<String> nodes() {
            return List.of(node);
        }
    }

    /**
     * Cuts every link in {@code blocked} (and only those; it replaces any earlier partition). {@code shape} names how
     * it was made ({@code isolate}, {@code halves}, {@code one-way}, {@code bridge}, {@code majority-ring}) and
     * {@code sides} describes it for people.
     */
    record Partition(String shape, String sides, SortedSet<Link> blocked) implements Fault {
        public Partition {
            Objects.requireNonNull(shape, "shape");
            Objects.requireNonNull(sides, "sides");
            blocked = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(blocked));
        }

        public String kind() {
            return "partition";
        }

        public String describe() {
            return "partition " + shape + " " + sides;
        }

        public List<String> nodes() {
            Set<String> nodes = new TreeSet<>();
            blocked.forEach(link -> {
                nodes.add(link.from());
                nodes.add(link.to());
            });
            return List.copyOf(nodes);
        }
    }

    /** Restores every link a partition cut. */
    record Heal() implements Fault {
        public String kind() {
            return "heal";
        }

        public String describe() {
            return "heal";
        }

        public List<String> nodes() {
            return List.of();
        }
    }

    /** Drops each packet on {@code links} with probability {@code lossRatio} (0 < ratio < 1). */
    record Lossy(SortedSet<Link> links, double lossRatio) implements Fault {
        public Lossy {
            if (!(lossRatio > 0 && lossRatio < 1)) {
                throw new IllegalArgumentException("loss ratio must be in (0, 1): " + lossRatio);
            }
            links = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(links));
        }

        public String kind() {
            return "lossy";
        }

        public String describe() {
            return String.format(Locale.ROOT, "lossy %.0f%% %s", lossRatio * 100, links);
        }

        public List<String> nodes() {
            Set<String> nodes = new TreeSet<>();
            links.forEach(link -> nodes.add(link.to()));
            return List.copyOf(nodes);
        }
    }

    /** Slows everything the node sends: a delay where the kernel has netem, a narrow bandwidth otherwise. */
    record Slow(String node) implements Fault {
        public String kind() {
            return "slow";
        }

        public String describe() {
            return "slow " + node;
        }

        public List<String> nodes() {
            return List.of(node);
        }
    }

    /** Ends every lossy or slow link. */
    record ClearLinks() implements Fault {
        public String kind() {
            return "clear-links";
        }

        public String describe() {
            return "clear lossy and slow links";
        }

        public List<String> nodes() {
            return List.of();
        }
    }
}
