package io.cohort.chaos.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The runnable distribution that {@code ./mvnw package} leaves in {@code chaos-tests/target}: its layout, its jars,
 * its Dockerfile's inputs, the same files in the tar.gz, and its node launcher answering {@code --help}.
 */
class DistributionIT {

    private static final List<String> JARS = List.of(
            "chaos-tests-",
            "cluster-node-",
            "pg-groups-",
            "crdt-registry-",
            "distributed-supervisor-",
            "jgroups-",
            "netty-transport-",
            "protobuf-java-",
            "picocli-",
            "snakeyaml-",
            "micrometer-core-");

    @Test
    void theDirectoryHoldsLaunchersEveryRuntimeJarAndTheDockerfile() throws IOException {
        Path dist = distribution();
        for (String launcher : List.of("bin/cohort-node", "bin/cohort")) {
            assertThat(dist.resolve(launcher)).isRegularFile();
            assertThat(Files.getPosixFilePermissions(dist.resolve(launcher)))
                    .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        }
        List<String> jars = jarNames(dist);
        for (String prefix : JARS) {
            assertThat(jars).as("lib/ holds %s*.jar", prefix).anyMatch(name -> name.startsWith(prefix));
        }
        String dockerfile = Files.readString(dist.resolve("Dockerfile"));
        assertThat(dockerfile).contains("COPY bin/ ", "COPY lib/ ", "ENTRYPOINT");
        assertThat(dist.resolve("README.txt")).isRegularFile();
    }

    @Test
    void theTarballHoldsTheSameFilesUnderOneTopDirectory() throws Exception {
        Path dist = distribution();
        Path tarball = dist.resolveSibling(dist.getFileName() + ".tar.gz");
        assertThat(tarball).isRegularFile();
        Process tar = new ProcessBuilder("tar", "tvzf", tarball.toString())
                .redirectErrorStream(true)
                .start();
        List<String> listing = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .lines()
                .toList();
        assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tar.exitValue()).as(String.join("\n", listing)).isZero();
        String top = dist.getFileName().toString();
        assertThat(listing).anyMatch(line -> line.startsWith("-rwxr-xr-x") && line.endsWith(top + "/bin/cohort-node"));
        assertThat(listing).anyMatch(line -> line.endsWith(top + "/Dockerfile"));
        for (String jar : jarNames(dist)) {
            assertThat(listing).anyMatch(line -> line.endsWith(top + "/lib/" + jar));
        }
    }

    @Test
    void theNodeLauncherAnswersHelp() throws Exception {
        Path dist = distribution();
        ProcessBuilder builder =
                new ProcessBuilder(dist.resolve("bin/cohort-node").toString(), "--help").redirectErrorStream(true);
        builder.environment().putAll(Map.of("JAVA_HOME", System.getProperty("java.home")));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("Usage: cohort node", "--config", "--discovery", "--seeds");
    }

    /** The unpacked distribution: target/cohort-VERSION/cohort-VERSION (the assembly's dir format nests it). */
    static Path distribution() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(target, 2)) {
            walk.filter(p -> Files.isRegularFile(p.resolve("bin/cohort-node"))).forEach(found::add);
        }
        assertThat(found)
                .as("an unpacked distribution under %s (run ./mvnw package)", target)
                .hasSize(1);
        return found.get(0);
    }

    private static List<String> jarNames(Path dist) throws IOException {
        try (Stream<Path> files = Files.list(dist.resolve("lib"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".jar"))
                    .sorted()
                    .toList();
        }
    }
}
