package io.cohort.chaos.fault;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A fault schedule: what the nemesis does and when, as data. {@link #generate} makes one from a seed, so a seed names
 * a schedule: the same seed, nodes and options always give the same steps, which is how a failing run is replayed.
 *
 * <p>Faults come one at a time: each is applied, held for a while, then undone (restart after kill, resume after
 * pause, heal after a partition, clear after lossy or slow links), and the next begins after a gap. Every fault is
 * undone before the schedule ends; a run then waits a quiet period before checking.
 *
 * @param seed the seed it was generated from
 * @param nodes the node names, in cluster order
 * @param steps the steps, in time order
 */
public record FaultSchedule(long seed, List<String> nodes, Duration length, List<Step> steps) {

    /** One step: apply {@code fault} at {@code atMs} after the start of the run. */
    public record Step(long atMs, Fault fault) {}

    /** The kinds of fault a schedule may use. */
    public enum Kind {
        KILL,
        PAUSE,
        PARTITION,
        LOSSY,
        SLOW;

        public static Kind parse(String text) {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    /**
     * How a schedule is generated.
     *
     * @param kinds the faults to draw from
     * @param startMs quiet time before the first fault
     * @param holdMinMs shortest time a fault is held
     * @param holdMaxMs longest time a fault is held
     * @param gapMinMs shortest healthy time between two faults
     * @param gapMaxMs longest healthy time between two faults
     */
    public record Options(Set<Kind> kinds, long startMs, long holdMinMs, long holdMaxMs, long gapMinMs, long gapMaxMs) {
        public Options {
            kinds = Collections.unmodifiableSet(kinds.isEmpty() ? EnumSet.noneOf(Kind.class) : EnumSet.copyOf(kinds));
            if (startMs < 0 || holdMinMs <= 0 || holdMaxMs < holdMinMs || gapMinMs < 0 || gapMaxMs < gapMinMs) {
                throw new IllegalArgumentException(
                        "fault timing must be start >= 0, 0 < holdMin <= holdMax, " + "0 <= gapMin <= gapMax");
            }
        }

        /**
         * Every kind; faults held 3-10 s (longer than failure detection, 3 s, so most are noticed) with 2-5 s between.
         */
        public static Options defaults() {
            return new Options(EnumSet.allOf(Kind.class), 3_000, 3_000, 10_000, 2_000, 5_000);
        }

        public Options withKinds(Set<Kind> newKinds) {
            return new Options(newKinds, startMs, holdMinMs, holdMaxMs, gapMinMs, gapMaxMs);
        }
    }

    public FaultSchedule {
        Objects.requireNonNull(length, "length");
        nodes = List.copyOf(nodes);
        steps = List.copyOf(steps);
    }

    /** The schedule {@code seed} names for these nodes, run length and options. */
    public static FaultSchedule generate(long seed, List<String> nodes, Duration length, Options options) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no nodes");
        }
        Random random = new Random(seed);
        List<Kind> kinds = new ArrayList<>(options.kinds());
        if (nodes.size() < 2) {
            kinds.removeAll(List.of(Kind.PARTITION, Kind.LOSSY));
        }
        List<Step> steps = new ArrayList<>();
        long lengthMs = length.toMillis();
        long t = options.startMs();
        while (!kinds.isEmpty() && t + options.holdMinMs() <= lengthMs) {
            long hold = between(random, options.holdMinMs(), options.holdMaxMs());
            hold = Math.min(hold, lengthMs - t);
            Kind kind = kinds.get(random.nextInt(kinds.size()));
            String node = nodes.get(random.nextInt(nodes.size()));
            switch (kind) {
                case KILL -> {
                    steps.add(new Step(t, new Fault.Kill(node)));
                    steps.add(new Step(t + hold, new Fault.Restart(node)));
                }
                case PAUSE -> {
                    steps.add(new Step(t, new Fault.Pause(node)));
                    steps.add(new Step(t + hold, new Fault.Resume(node)));
                }
                case PARTITION -> {
                    steps.add(new Step(t, partition(random, nodes)));
                    steps.add(new Step(t + hold, new Fault.Heal()));
                }
                case LOSSY -> {
                    double ratio = (10 + random.nextInt(31)) / 100.0; // 10% to 40%
                    SortedSet<Link> links = new TreeSet<>();
                    for (String other : nodes) {
                        if (!other.equals(node)) {
                            links.add(new Link(other, node));
                            links.add(new Link(node, other));
                        }
                    }
                    steps.add(new Step(t, new Fault.Lossy(links, ratio)));
                    steps.add(new Step(t + hold, new Fault.ClearLinks()));
                }
                case SLOW -> {
                    steps.add(new Step(t, new Fault.Slow(node)));
                    steps.add(new Step(t + hold, new Fault.ClearLinks()));
                }
            }
            t += hold + between(random, options.gapMinMs(), options.gapMaxMs());
        }
        return new FaultSchedule(seed, nodes, length, steps);
    }

    /** A partition of a random shape over the nodes in a random order. */
    static Fault.Partition partition(Random random, List<String> nodes) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        List<String> shapes = new ArrayList<>(List.of("isolate", "halves", "one-way"));
        if (nodes.size() >= 3) {
            shapes.add("bridge");
        }
        if (nodes.size() >= 4) {
            shapes.add("majority-ring");
        }
        return switch (shapes.get(random.nextInt(shapes.size()))) {
            case "isolate" -> Partitions.isolate(nodes, shuffled.get(0));
            case "halves" -> Partitions.halves(shuffled);
            case "one-way" -> {
                int cut = 1 + random.nextInt(shuffled.size() - 1);
                yield Partitions.oneWay(shuffled.subList(0, cut), shuffled.subList(cut, shuffled.size()));
            }
            case "bridge" -> Partitions.bridge(shuffled);
            default -> Partitions.majorityRing(shuffled);
        };
    }

    private static long between(Random random, long min, long max) {
        return min == max ? min : min + (long) (random.nextDouble() * (max - min));
    }

    /** The number of steps that start a fault (not those that undo one). */
    public long faultCount() {
        return steps.stream()
                .filter(step -> !(step.fault() instanceof Fault.Restart
                        || step.fault() instanceof Fault.Resume
                        || step.fault() instanceof Fault.Heal
                        || step.fault() instanceof Fault.ClearLinks))
                .count();
    }

    /** One line per step, {@code +12.345s kill n2}, for reports and repro messages. */
    public String toText() {
        StringBuilder text = new StringBuilder();
        text.append("fault schedule seed=")
                .append(seed)
                .append(" nodes=")
                .append(String.join(",", nodes))
                .append(" length=")
                .append(length.toMillis() / 1000.0)
                .append("s\n");
        for (Step step : steps) {
            text.append(String.format(
                    Locale.ROOT,
                    "  +%8.3fs  %s%n",
                    step.atMs() / 1000.0,
                    step.fault().describe()));
        }
        return text.toString();
    }
}
