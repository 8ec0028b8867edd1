package io.cohort.chaos.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code cohort demo} end to end: three node JVMs on loopback, the whole story, the summary table and the exit code,
 * and not one of the processes it started left running.
 */
class DemoCommandTest {

    @Test
    void theDemoRunsEveryStepToAGreenSummaryAndEndsEveryProcess() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoCommand demo = new DemoCommand(out);

        int exit = new CommandLine(demo).execute();

        String printed = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(printed); // in the test's output file, for the timings
        assertThat(exit).as(printed).isZero();
        List<String> steps = demo.steps().stream().map(DemoCommand.Step::what).toList();
        assertThat(steps)
                .as(printed)
                .containsExactly(
                        "cluster formed",
                        "pg room formed",
                        "names resolved across nodes",
                        "pg fan-out",
                        "supervised workers placed",
                        "crash detected",
                        "workers back after kill -9",
                        "workers answer by name",
                        "node rejoined",
                        "rejoined node reaches every worker",
                        "total");
        assertThat(demo.steps()).as(printed).allMatch(DemoCommand.Step::ok);
        // The printed summary says the same: a row per step, each OK.
        String summary = printed.substring(printed.indexOf("\nSummary"));
        assertThat(summary.lines().filter(line -> line.endsWith("  OK"))).hasSize(steps.size());
        assertThat(summary).doesNotContain("FAILED");
        assertThat(printed).contains("kill -9 n2", "30/30 replies", "n1 40, n2 40, n3 40");
        // Four JVMs were started (three, then n2 again) and none outlives the demo.
        assertThat(demo.startedPids()).hasSize(4);
        for (long pid : demo.startedPids()) {
            assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive))
                    .as("process %d", pid)
                    .isEmpty();
        }
    }
}
