package io.cohort.node.tools;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A node running as a separate JVM on this machine, started and watched by a launcher (the demo, the benchmarks,
 * tests): its {@link NodeEvent} lines are collected as they arrive, and it can be stopped gracefully (SIGTERM) or
 * killed (SIGKILL). Every process started here is also killed when the launching JVM exits.
 */
public final class NodeProcess implements AutoCloseable {

    private static final int STDERR_LINES_KEPT = 40;

    private final String name;
    private final Process process;
    private final List<NodeEvent> events = new ArrayList<>();
    private final ArrayDeque<String> stderrTail = new ArrayDeque<>();
    private volatile long reapedUs;
    private final Consumer<NodeEvent> onEvent;

    private NodeProcess(String name, Process process, Consumer<NodeEvent> onEvent) {
        this.name = name;
        this.process = process;
        this.onEvent = onEvent;
        Thread.ofVirtual().name("node-out-" + name).start(this::readStdout);
        Thread.ofVirtual().name("node-err-" + name).start(this::readStderr);
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(process::destroyForcibly));
    }

    /**
     * Starts {@code mainClass} in a new JVM with this JVM's java and {@code classpath}, configured by {@code env}
     * (the {@code COHORT_*} variables).
     *
     * @param onEvent told of each event line as it arrives (on a reader thread)
     */
    public static NodeProcess start(
            String name,
            String classpath,
            String mainClass,
            List<String> jvmOptions,
            Map<String, String> env,
            Consumer<NodeEvent> onEvent)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        return new NodeProcess(name, builder.start(), onEvent);
    }

    /** Starts a {@link StandaloneNode} on this JVM's classpath. */
    public static NodeProcess startStandalone(String name, Map<String, String> env, Consumer<NodeEvent> onEvent)
            throws IOException {
        return start(
                name,
                System.getProperty("java.class.path"),
                StandaloneNode.class.getName(),
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.net.preferIPv4Stack=true"),
                env,
                onEvent);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Every event so far, in order. */
    public synchronized List<NodeEvent> events() {
        return List.copyOf(events);
    }

    /**
     * Waits until an event matching {@code condition} has arrived (also one that arrived before the call).
     *
     * @throws IllegalStateException when {@code bound} passes first or the process dies, with its last stderr lines
     */
    public synchronized NodeEvent await(Predicate<NodeEvent> condition, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            for (NodeEvent event : events) {
                if (condition.test(event)) {
                    return event;
                }
            }
            long leftNs = deadline - System.nanoTime();
            if (leftNs <= 0 || !process.isAlive()) {
                throw new IllegalStateException(name + (process.isAlive() ? " did not report in " + bound : " died")
                        + "; last stderr lines:\n" + String.join("\n", stderrTail));
            }
            TimeUnit.NANOSECONDS.timedWait(this, Math.min(leftNs, 100_000_000));
        }
    }

    /** Kills the process with SIGKILL and returns the wall-clock time of the kill in microseconds. */
    public long kill() throws InterruptedException {
        long atUs = StandaloneNode.nowUs();
        process.destroyForcibly(); // SIGKILL also ends a SIGSTOPped process
        if (process.waitFor(10, TimeUnit.SECONDS)) {
            reapedUs = StandaloneNode.nowUs();
        }
        return atUs;
    }

    /**
     * When {@link #kill()} saw the process gone (reaped), in wall-clock microseconds; 0 if it did not. The kernel closes
     * a dying process's sockets only after it has unmapped its memory, so no peer can notice a kill before about this
     * point: benchmarks report it beside their detection times.
     */
    public long reapedUs() {
        return reapedUs;
    }

    /** Freezes the process (SIGSTOP), as a long GC pause or a hung host would; returns the time in µs. */
    public long pause() throws IOException, InterruptedException {
        long atUs = StandaloneNode.nowUs();
        signal("STOP");
        return atUs;
    }

    /** Lets a paused process run again (SIGCONT). */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Asks the node to leave gracefully (SIGTERM) and waits up to {@code bound}; kills it after that. */
    public void stop(Duration bound) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Its last stderr lines, for diagnostics. */
    public synchronized String stderrTail() {
        return String.join("\n", stderrTail);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(5));
        }
    }

    private void readStdout() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                NodeEvent event = NodeEvent.parse(line);
                if (event != null) {
                    synchronized (this) {
                        events.add(event);
                        notifyAll();
                    }
                    onEvent.accept(event);
                }
            }
        } catch (IOException e) {
            // The process ended; its stream is closed.
        }
        synchronized (this) {
            notifyAll();
        }
    }

    private void readStderr() {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                synchronized (this) {
                    if (stderrTail.size() == STDERR_LINES_KEPT) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line);
                }
            }
        } catch (IOException e) {
            // The process ended; its stream is closed.
        }
    }
}
