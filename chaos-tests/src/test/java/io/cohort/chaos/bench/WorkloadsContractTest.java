package io.cohort.chaos.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The benchmark contract: every metric name WORKLOADS.md lists is declared by a registered workload, every workload
 * prints what it declares (checked by running the cheap one, and in the source of the others), and the run-time
 * check that {@code bin/cohort bench} applies catches a workload that breaks its declaration.
 */
class WorkloadsContractTest {

    /** A metric name in WORKLOADS.md: the first word of a code span, with a subsystem's prefix. */
    private static final Pattern METRIC = Pattern.compile("`((?:pg|reg|sup|msg|node)_[A-Za-z0-9_]+)(?: [^`]*)?`");

    @Test
    void everyMetricOfWorkloadsMdIsDeclaredByAWorkload() throws IOException {
        Set<String> contract = metricsOfWorkloadsMd();
        assertThat(contract).as("metric names found in WORKLOADS.md").hasSizeGreaterThan(30);
        Set<String> declared = new LinkedHashSet<>();
        BenchCommand.workloads().forEach(w -> declared.addAll(w.metrics()));
        assertThat(declared).containsAll(contract);
    }

    @Test
    void everyWorkloadOfWorkloadsMdIsRegistered() throws IOException {
        String text = Files.readString(workloadsMd());
        Matcher names = Pattern.compile("\\*\\*([a-z]+_[a-z]+)\\*\\*").matcher(text);
        List<String> documented = new ArrayList<>();
        while (names.find()) {
            documented.add(names.group(1));
        }
        assertThat(documented).isNotEmpty();
        assertThat(BenchCommand.workloads().stream().map(Workload::name)).containsAll(documented);
    }

    @Test
    void eachDeclaredMetricIsPrintedInItsWorkloadsSource() throws IOException {
        for (Workload workload : BenchCommand.workloads()) {
            String source = Files.readString(sourceOf(workload));
            for (String metric : workload.metrics()) {
                // The literal up to the size placeholder ("pg_join_rate_p" + p), or the whole name ("msg_local_rate").
                boolean sized = metric.matches(".*[A-Z].*");
                String literal = "\"" + metric.replaceAll("[A-Z].*$", "") + "\"" + (sized ? " +" : ",");
                assertThat(source)
                        .as("%s declares %s: its source must print it", workload.name(), metric)
                        .contains(literal);
            }
        }
    }

    @Test
    void theCheapWorkloadPrintsExactlyWhatItDeclares() throws Exception {
        Workload local = BenchCommand.workloads().stream()
                .filter(w -> w.name().equals("msg_local"))
                .findFirst()
                .orElseThrow();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Report report = new Report(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        report.begin(local);
        local.run(Map.of("N", "20000"), report);
        report.end();
        assertThat(report.problems()).isEmpty();
        assertThat(report.lines()).singleElement().asString().matches("msg_local_rate [0-9.]+ msgs/s");
    }

    @Test
    void theRunTimeCheckCatchesUndeclaredAndMissingMetrics() throws Exception {
        Workload liar = new Workload() {
            @Override
            public String name() {
                return "liar";
            }

            @Override
            public String description() {
                return "declares one metric, prints another";
            }

            @Override
            public List<String> metrics() {
                return List.of("liar_rate_pP", "liar_ms");
            }

            @Override
            public void run(Map<String, String> params, Report report) {
                report.metric("liar_rate_p1000", 1, "ops/s");
                report.metric("liar_other", 1, "ms");
            }
        };
        Report report = new Report(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        report.begin(liar);
        liar.run(Map.of(), report);
        report.end();
        assertThat(report.problems())
                .containsExactly("liar printed liar_other, which it does not declare", "liar did not print liar_ms");
    }

    @Test
    void templatesMatchOnlyNumbersWhereTheyHaveAPlaceholder() {
        assertThat(Report.matches("pg_join_rate_pP", "pg_join_rate_p100000")).isTrue();
        assertThat(Report.matches("pg_join_rate_pP", "pg_join_rate_p")).isFalse();
        assertThat(Report.matches("pg_join_rate_pP", "pg_join_rate_px")).isFalse();
        assertThat(Report.matches("msg_local_rate", "msg_local_rate")).isTrue();
        assertThat(Report.matches("msg_local_rate", "msg_local_rates")).isFalse();
    }

    static Set<String> metricsOfWorkloadsMd() throws IOException {
        Set<String> names = new LinkedHashSet<>();
        Matcher matcher = METRIC.matcher(Files.readString(workloadsMd()));
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    /** ../shared/WORKLOADS.md beside the repository (the checkout and CI keep it there). */
    static Path workloadsMd() {
        Path file = repositoryRoot().resolveSibling("shared").resolve("WORKLOADS.md");
        assertThat(file).as("the benchmark contract beside the repository").isRegularFile();
        return file;
    }

    static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 5 && dir != null; i++, dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("chaos-tests")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "no repository root above " + Path.of("").toAbsolutePath());
    }

    private static Path sourceOf(Workload workload) {
        Class<?> top = workload.getClass();
        while (top.getEnclosingClass() != null) {
            top = top.getEnclosingClass();
        }
        return repositoryRoot()
                .resolve("chaos-tests/src/main/java")
                .resolve(top.getName().replace('.', '/') + ".java");
    }
}
