package io.cohort.chaos.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.chaos.check.CheckResult;
import io.cohort.chaos.check.Violation;
import io.cohort.chaos.fault.FaultSchedule;
import io.cohort.chaos.history.History;
import io.cohort.chaos.history.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {

    private static RunResult result(boolean broken) {
        List<String> nodes = List.of("n1", "n2", "n3");
        FaultSchedule schedule =
                FaultSchedule.generate(9, nodes, Duration.ofSeconds(30), FaultSchedule.Options.defaults());
        History history = new History();
        long t = 0;
        for (FaultSchedule.Step step : schedule.steps()) {
            long invoke = history.invoke(
                    Op.NEMESIS,
                    step.fault().kind(),
                    String.join(",", step.fault().nodes()),
                    step.fault().describe(),
                    step.atMs() * 1_000_000);
            history.complete(invoke, Op.Type.OK, "", "", step.atMs() * 1_000_000 + 1);
        }
        for (int i = 0; i < 20; i++) {
            long invoke = history.invoke("w0", "join", "n1", "g0 <n1#1.1>", t += 1_000_000_000L);
            history.complete(invoke, i % 7 == 0 ? Op.Type.INFO : Op.Type.OK, "", "", t + 5_000_000);
        }
        List<Violation> violations =
                broken ? List.of(new Violation("pg-convergence", "n1 sees <g> \"odd\"")) : List.of();
        return new RunResult(
                "cohort-chaos-test",
                "2026-11-21T12:00:00Z",
                9,
                "cohort-node:dev",
                "",
                schedule,
                history.ops(),
                List.of(new CheckResult("pg-convergence", "groups agree", violations)),
                Map.of("workload", 0L, "recover", 30_000L, "quiet", 30_500L, "check", 35_000L, "end", 35_100L),
                broken ? -1 : 4_500,
                List.of(),
                Map.of(),
                "bin/cohort chaos --nodes 3 --duration 30s --seed 9");
    }

    @Test
    void aFailedRunPrintsItsSeedScheduleAndViolations(@TempDir Path dir) throws Exception {
        RunResult result = result(true);
        String text = Reports.text(result);
        assertThat(text)
                .contains("seed=9")
                .contains("FAIL pg-convergence")
                .contains("reproduce with: bin/cohort chaos --nodes 3 --duration 30s --seed 9")
                .contains(result.schedule().toText());

        Reports.write(result, dir);
        assertThat(Files.readString(dir.resolve("result.json")))
                .contains("\"valid\": false")
                .contains("\"seed\": 9")
                .contains("n1 sees <g> \\\"odd\\\"");
        String html = Files.readString(dir.resolve("index.html"));
        assertThat(html).contains("INVALID").contains("<svg").contains("n1 sees &lt;g&gt; &quot;odd&quot;");
        assertThat(Files.readString(dir.resolve("history.txt"))).contains("join");
    }

    @Test
    void aValidRunSaysSoAndCountsFaultsAndOperations() {
        RunResult result = result(false);
        assertThat(result.valid()).isTrue();
        assertThat(result.faultsInjected()).isEqualTo(result.schedule().faultCount());
        assertThat(result.operations()).isEqualTo(20);
        assertThat(Reports.text(result)).contains("result: VALID").doesNotContain("reproduce with");
        assertThat(Timeline.spans(result.ops(), 35_100L)).isNotEmpty();
    }
}
