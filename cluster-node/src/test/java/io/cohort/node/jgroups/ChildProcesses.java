package io.cohort.node.jgroups;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts {@link ChildNode}s in their own JVMs for one test and kills whatever is left afterwards. Used for real
 * SIGKILLs and to keep a misbehaving node's failures (it may parse ciphertext as discovery data) out of the test JVM.
 */
final class ChildProcesses implements AutoCloseable {

    private static final Duration START_BOUND = Duration.ofSeconds(20);

    private final TestNodes nodes;
    private final String clusterName;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    ChildProcesses(TestNodes nodes, String clusterName, Path dir) {
        this.nodes = nodes;
        this.clusterName = clusterName;
        this.dir = dir;
    }

    /** Starts a child bound to {@code portIndex} and waits (bounded) until it has its first view. */
    Process start(String name, int portIndex, String sharedSecret) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String seeds =
                String.join(",", nodes.ports().stream().map(String::valueOf).toList());
        File log = dir.resolve(name + ".log").toFile();
        List<String> command = new ArrayList<>(List.of(java, "-Djava.net.preferIPv4Stack=true", "-Xmx256m"));
        String logging = System.getProperty("java.util.logging.config.file");
        if (logging != null) {
            command.add("-Djava.util.logging.config.file=" + logging); // the child logs as this JVM does
        }
        command.addAll(List.of(
                "-cp",
                System.getProperty("java.class.path"),
                ChildNode.class.getName(),
                clusterName,
                name,
                String.valueOf(nodes.ports().get(portIndex)),
                seeds,
                sharedSecret == null ? "-" : sharedSecret));
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        processes.add(process);
        await().atMost(START_BOUND).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("child exited early:\n" + Files.readString(log.toPath()));
            }
            return Files.readString(log.toPath()).contains("READY ");
        });
        return process;
    }

    /** Everything the child printed so far (its views, one per line, and its log). */
    String output(String name) throws java.io.IOException {
        return Files.readString(dir.resolve(name + ".log"));
    }

    @Override
    public void close() {
        processes.forEach(Process::destroyForcibly);
    }
}
