package io.cohort.chaos.container;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Cohort node image ({@code bin/build-image}): finds it, and in a checkout of the project builds or refreshes it.
 *
 * <p>Where {@code bin/build-image} can be found (the system property {@code cohort.root}, else the working directory or
 * one of its parents) and the build has staged the node's jars ({@code chaos-tests/target/image/app}, which Maven's
 * {@code package} phase does), {@link #ensure} runs the script with {@code --skip-maven}: it rebuilds only when the jars
 * or the runtime changed, so the image always runs the code under test. Elsewhere (a user's project), the image must
 * exist already. {@code -Dcohort.image.build=never} turns the build off.
 */
public final class CohortImage {

    /** The tag {@code bin/build-image} gives by default. */
    public static final String DEFAULT_TAG = "cohort-node:dev";

    /**
     * The Cohort node image this JVM uses and, in a checkout, builds: the system property {@code cohort.image}, else
     * the environment variable {@code COHORT_NODE_IMAGE}, else {@link #DEFAULT_TAG}. Set it where several checkouts
     * share one engine, so each runs its own code.
     */
    public static String tag() {
        return System.getProperty("cohort.image", System.getenv().getOrDefault("COHORT_NODE_IMAGE", DEFAULT_TAG));
    }

    /** The label {@code bin/build-image} puts on the images it builds. */
    public static final String INPUTS_LABEL = "io.cohort.image.inputs";

    private static final Duration BUILD_BOUND = Duration.ofMinutes(5);

    private CohortImage() {}

    /** True for images built by {@code bin/build-image}: they carry iptables and tc, and serve the control channel. */
    public static boolean isCohortImage(Docker docker, String image) {
        return docker.imageLabels(image).containsKey(INPUTS_LABEL);
    }

    /**
     * Makes sure {@code tag} exists and, in a checkout, is built from the current jars.
     *
     * @throws IllegalStateException when it cannot be found or built, saying what to run
     */
    public static void ensure(Docker docker, String tag, Consumer<String> log) throws InterruptedException {
        Optional<Path> script = buildScript();
        boolean allowed = !System.getProperty("cohort.image.build", "auto").equals("never");
        if (allowed && script.isPresent() && staged(script.get())) {
            build(script.get(), tag, log, docker);
        }
        if (!docker.imageExists(tag)) {
            throw new IllegalStateException("no image " + tag + " on this Docker engine: build it with bin/build-image"
                    + " in a Cohort checkout (it packages the jars first), or name another image");
        }
    }

    private static void build(Path script, String tag, Consumer<String> log, Docker docker)
            throws InterruptedException {
        long startNs = System.nanoTime();
        List<String> command = List.of(script.toString(), "--skip-maven", "--tag", tag);
        List<String> output = new ArrayList<>();
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(script.getParent().getParent().toFile())
                    .redirectErrorStream(true);
            builder.environment().put("DOCKER_HOST", docker.dockerHost().toString()); // the engine we talk to
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        }
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                output.add(line);
                if (line.startsWith("build-image:")) {
                    log.accept(line);
                }
            }
        } catch (IOException e) {
            // The script ended; its exit code says how.
        }
        if (!process.waitFor(BUILD_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(script + " took longer than " + BUILD_BOUND);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (exit " + process.exitValue() + "):\n"
                    + String.join("\n", output));
        }
        log.accept(String.format(
                java.util.Locale.ROOT, "image %s ready in %.1f s", tag, (System.nanoTime() - startNs) / 1e9));
    }

    /** {@code bin/build-image} of the checkout we run in, if any. */
    static Optional<Path> buildScript() {
        List<Path> roots = new ArrayList<>();
        String root = System.getProperty("cohort.root");
        if (root != null && !root.isBlank()) {
            roots.add(Path.of(root));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            roots.add(dir);
        }
        return roots.stream()
                .map(dir -> dir.resolve("bin").resolve("build-image"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static boolean staged(Path script) {
        Path app = script.getParent().getParent().resolve("chaos-tests/target/image/app");
        return Files.isDirectory(app);
    }
}
