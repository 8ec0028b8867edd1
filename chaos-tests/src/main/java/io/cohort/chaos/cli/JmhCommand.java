package io.cohort.chaos.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code cohort jmh [JMH options] [pattern]}: the JMH micro-benchmarks of the hot paths (pg reads, codec, and the
 * registry's lookups and CRDT joins). Without arguments: every benchmark, one fork, short iterations; any arguments
 * are JMH's own ({@code cohort jmh -h} lists them).
 */
@Command(
        name = "jmh",
        description =
                "Runs the JMH micro-benchmarks (default: all, -f 1 -wi 3 -w 1s -i 5 -r 1s); other args go to JMH.")
public final class JmhCommand implements Callable<Integer> {

    static final List<String> DEFAULTS = List.of("-f", "1", "-wi", "3", "-w", "1s", "-i", "5", "-r", "1s");

    @CommandLine.Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> effective = new ArrayList<>(args.isEmpty() ? DEFAULTS : args);
        if (args.isEmpty()) {
            effective.add("io.cohort.chaos.jmh");
        }
        org.openjdk.jmh.Main.main(effective.toArray(String[]::new));
        return 0;
    }
}
