package io.cohort.chaos.container;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Network;
import com.github.dockerjava.api.model.Ports;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.dockerclient.DockerClientProviderStrategy;
import org.testcontainers.dockerclient.TransportConfig;

/**
 * The few Docker Engine operations the harness needs, over the docker-java client that Testcontainers configures
 * (environment, {@code ~/.testcontainers.properties}, {@code DOCKER_HOST}).
 *
 * <p>The client is built from Testcontainers' transport configuration rather than {@code DockerClientFactory.client()},
 * so no Ryuk reaper container and no start-up checks run (both pull images, which fails where no registry is
 * reachable). The harness removes what it creates itself: every container and network carries the label
 * {@link #LABEL} with its run's id, {@link ChaosCluster#close} removes them, and a JVM shutdown hook does it when a
 * run is abandoned.
 */
public final class Docker implements AutoCloseable {

    /** Label on every container and network the harness creates; its value is the run id. */
    public static final String LABEL = "io.cohort.chaos.run";

    private final DockerClient client;
    private final URI dockerHost;

    private Docker(DockerClient client, URI dockerHost) {
        this.client = client;
        this.dockerHost = dockerHost;
    }

    /**
     * Connects to the Docker engine Testcontainers finds.
     *
     * @throws DockerUnavailableException when none answers, with the reason
     */
    public static Docker connect() {
        try {
            TransportConfig transport = DockerClientFactory.instance().getTransportConfig();
            DockerClient client = DockerClientProviderStrategy.getClientForConfig(transport);
            try {
                client.pingCmd().exec();
            } catch (RuntimeException e) {
                closeQuietly(client);
                throw e;
            }
            return new Docker(client, transport.getDockerHost());
        } catch (RuntimeException e) {
            throw new DockerUnavailableException("no Docker engine answers: " + e.getMessage(), e);
        }
    }

    /** Empty when an engine answers; otherwise why not. Never throws. */
    public static Optional<String> unavailableReason() {
        try {
            connect().close();
            return Optional.empty();
        } catch (DockerUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    public DockerClient client() {
        return client;
    }

    /** The engine's address, as {@code DOCKER_HOST} would name it (e.g. {@code unix:///var/run/docker.sock}). */
    public URI dockerHost() {
        return dockerHost;
    }

    /**
     * The address at which ports published by containers are reached from this JVM: {@code
     * TESTCONTAINERS_HOST_OVERRIDE} if set, loopback for a local engine, the engine's host for a remote one.
     */
    public String publishedHost() {
        String override = System.getenv("TESTCONTAINERS_HOST_OVERRIDE");
        if (override != null && !override.isBlank()) {
            return override;
        }
        return isLocal() ? "127.0.0.1" : dockerHost.getHost();
    }

    /** True when the engine runs on this machine (a Unix socket or named pipe): ports are published on loopback. */
    public boolean isLocal() {
        String scheme = dockerHost.getScheme();
        return scheme == null || scheme.equals("unix") || scheme.equals("npipe");
    }

    public boolean imageExists(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** The labels of a local image; empty when it has none or does not exist. */
    public Map<String, String> imageLabels(String image) {
        try {
            Map<String, String> labels =
                    client.inspectImageCmd(image).exec().getConfig().getLabels();
            return labels == null ? Map.of() : labels;
        } catch (NotFoundException e) {
            return Map.of();
        }
    }

    /** Pulls {@code image} unless it is already here, waiting at most {@code bound}. */
    public void ensureImage(String image, Duration bound) throws InterruptedException {
        if (imageExists(image)) {
            return;
        }
        if (!client.pullImageCmd(image).start().awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("pulling " + image + " took longer than " + bound);
        }
    }

    /** Creates a bridge network with its own subnet; returns its id. */
    public String createNetwork(String name, String subnet, String gateway, String runId) {
        return client.createNetworkCmd()
                .withName(name)
                .withDriver("bridge")
                .withCheckDuplicate(true)
                .withIpam(new Network.Ipam()
                        .withConfig(new Network.Ipam.Config().withSubnet(subnet).withGateway(gateway)))
                .withLabels(Map.of(LABEL, runId))
                .exec()
                .getId();
    }

    public void removeNetwork(String id) {
        try {
            client.removeNetworkCmd(id).exec();
        } catch (NotFoundException e) {
            // Already gone.
        }
    }

    /** Creates (does not start) a container; {@code customize} sets image, environment, host config. */
    public String createContainer(String image, Consumer<CreateContainerCmd> customize) {
        try (CreateContainerCmd command = client.createContainerCmd(image)) {
            customize.accept(command);
            return command.exec().getId();
        }
    }

    public void start(String id) {
        client.startContainerCmd(id).exec();
    }

    /** Sends {@code signal} (e.g. {@code KILL}) to the container's main process. */
    public void kill(String id, String signal) {
        client.killContainerCmd(id).withSignal(signal).exec();
    }

    public void pause(String id) {
        client.pauseContainerCmd(id).exec();
    }

    public void unpause(String id) {
        client.unpauseContainerCmd(id).exec();
    }

    /** Removes the container, killing it if it runs; no error when it is already gone. */
    public void remove(String id) {
        try {
            client.removeContainerCmd(id)
                    .withForce(true)
                    .withRemoveVolumes(true)
                    .exec();
        } catch (NotFoundException e) {
            // Already gone.
        }
    }

    public InspectContainerResponse inspect(String id) {
        return client.inspectContainerCmd(id).exec();
    }

    /** True while the container's main process runs (paused counts as running). */
    public boolean isRunning(String id) {
        Boolean running = inspect(id).getState().getRunning();
        return running != null && running;
    }

    /** The host port {@code containerPort}/tcp is published on, once the container runs. */
    public Optional<Integer> publishedPort(String id, int containerPort) {
        Ports.Binding[] bindings =
                inspect(id).getNetworkSettings().getPorts().getBindings().get(ExposedPort.tcp(containerPort));
        if (bindings == null || bindings.length == 0 || bindings[0].getHostPortSpec() == null) {
            return Optional.empty();
        }
        return Optional.of(Integer.parseInt(bindings[0].getHostPortSpec()));
    }

    /** The result of a command run in a container. */
    public record ExecResult(long exitCode, String stdout, String stderr) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code command} in the running container {@code id} and waits at most {@code bound} for it.
     *
     * @throws IllegalStateException when it does not finish in time
     */
    public ExecResult exec(String id, Duration bound, String... command) throws InterruptedException {
        String execId = client.execCreateCmd(id)
                .withCmd(command)
                .withAttachStdout(true)
                .withAttachStderr(true)
                .exec()
                .getId();
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
                synchronized (out) {
                    (frame.getStreamType() == com.github.dockerjava.api.model.StreamType.STDERR ? err : out)
                            .append(text);
                }
            }
        };
        client.execStartCmd(execId).exec(callback);
        if (!callback.awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(
                    "'" + String.join(" ", command) + "' in " + shortId(id) + " took longer than " + bound);
        }
        Long exit = client.inspectExecCmd(execId).exec().getExitCodeLong();
        synchronized (out) {
            return new ExecResult(exit == null ? -1 : exit, out.toString(), err.toString());
        }
    }

    /** The last {@code lines} lines the container printed (stdout and stderr interleaved). */
    public List<String> logTail(String id, int lines, Duration bound) throws InterruptedException {
        ArrayDeque<String> tail = new ArrayDeque<>();
        ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (tail) {
                    for (String line : new String(frame.getPayload(), StandardCharsets.UTF_8).split("\n")) {
                        if (tail.size() == lines) {
                            tail.removeFirst();
                        }
                        tail.addLast(line);
                    }
                }
            }
        };
        client.logContainerCmd(id)
                .withStdOut(true)
                .withStdErr(true)
                .withTail(lines)
                .exec(callback)
                .awaitCompletion(bound.toMillis(), TimeUnit.MILLISECONDS);
        synchronized (tail) {
            return List.copyOf(tail);
        }
    }

    /** Every container and network labelled with {@code runId}: removes them (for abandoned runs). */
    public void removeRun(String runId) {
        String filter = LABEL + "=" + runId;
        client.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(List.of(filter))
                .exec()
                .forEach(container -> remove(container.getId()));
        client.listNetworksCmd().withFilter("label", List.of(filter)).exec().forEach(network -> {
            try {
                removeNetwork(network.getId());
            } catch (RuntimeException e) {
                // Still in use by a container being removed: the next cleanup gets it.
            }
        });
    }

    /** Releases the client's connections. */
    @Override
    public void close() {
        closeQuietly(client);
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (java.io.IOException e) {
            // Closing on the way out: nothing left to tell anyone.
        }
    }

    static String shortId(String id) {
        return id.length() > 12 ? id.substring(0, 12) : id;
    }

    /** No Docker engine could be reached. */
    public static final class DockerUnavailableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        public DockerUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
