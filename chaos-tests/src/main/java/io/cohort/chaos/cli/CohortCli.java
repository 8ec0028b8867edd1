package io.cohort.chaos.cli;

import io.cohort.chaos.bench.BenchCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code bin/cohort}: run a node, the demo, or the benchmarks. */
@Command(
        name = "cohort",
        mixinStandardHelpOptions = true,
        version = "Cohort 0.1.0",
        description = "Erlang/OTP's cluster building blocks for the JVM.",
        subcommands = {
            NodeCommand.class,
            DemoCommand.class,
            BenchCommand.class,
            JmhCommand.class,
            CommandLine.HelpCommand.class
        })
public final class CohortCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CohortCli()).execute(args));
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: node, demo, bench or jmh");
    }
}
