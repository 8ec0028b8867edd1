package io.cohort.supervisor;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.driver.ComponentDriver;
import io.cohort.node.process.Servers;
import io.cohort.registry.Registry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongFunction;

/**
 * A cluster-wide dynamic supervisor on a running node (Horde.DynamicSupervisor's model): children started from any
 * node run once somewhere in the cluster, are registered in the {@link Registry} under their id wherever they run,
 * and are started again on a surviving node when theirs dies.
 *
 * <pre>{@code
 * ChildKinds kinds = new ChildKinds().register("worker", start -> new Worker(start.args()));
 * RegistryServer names = new RegistryServer("jobs");
 * SupervisorServer jobs = new SupervisorServer("jobs");
 * Node node = Node.builder(config).component(names).component(jobs).start();
 * DistributedSupervisor supervisor = new DistributedSupervisor(node, jobs, new Registry(node, names), kinds);
 * supervisor.startChild(ChildSpec.of("job-1", "worker", args));  // from any node
 * supervisor.send("job-1", message);                              // wherever it runs
 * }</pre>
 *
 * <p>Register the same kinds on every node, and give the registry component before the supervisor's to the node
 * builder (so a view reaches the registry first). Writes wait for the replica's turn (with a timeout); name lookups
 * never do. See {@code docs/supervisor.md} for placement, failover, the partition policies and what users can see.
 */
public final class DistributedSupervisor {

    /** How long an operation waits for the replica's turn. */
    public static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final Node node;
    private final SupervisorServer server;
    private final Registry registry;
    private final ChildKinds kinds;
    private final ComponentDriver driver;

    /**
     * Binds to {@code server}, one of {@code node}'s components, and lets it start children in this node's processes.
     *
     * @throws IllegalArgumentException when the supervisor's quorum lease does not end before the node's
     *     {@code fd.timeout} ({@link SupervisorServer.Options#checkLeaseFits})
     */
    public DistributedSupervisor(Node node, SupervisorServer server, Registry registry, ChildKinds kinds) {
        server.options().checkLeaseFits(node.config().timing().fdTimeout());
        this.node = node;
        this.server = server;
        this.registry = registry;
        this.kinds = kinds;
        this.driver = node.driver(server.name());
        ProcessChildRuntime runtime = new ProcessChildRuntime(
                node.processes(),
                registry,
                kinds,
                (pid, state) -> driver.submit(now -> {
                    server.handedOff(pid, state);
                    return null;
                }));
        call(now -> {
            server.attach(runtime);
            return null;
        });
    }

    public String name() {
        return server.supervisor();
    }

    /** Writes the spec; the child's keeper, on this node or another, starts it. */
    public SupervisorServer.StartResult startChild(ChildSpec spec) {
        boolean known = kinds.contains(spec.kind());
        return call(now -> server.startChild(spec, known));
    }

    /** Removes the child everywhere; its running incarnation is shut down. False when this node knows no such child. */
    public boolean terminateChild(String id) {
        return call(now -> server.terminateChild(id));
    }

    /**
     * Every child, ordered by id, with the node that runs it as this node knows it, and its pid where the registry
     * resolves it here.
     */
    public List<ChildInfo> whichChildren() {
        List<ChildInfo> children = call(now -> server.whichChildren());
        return children.stream()
                .map(child -> child.pid() != null || child.status() != ChildInfo.Status.RUNNING
                        ? child
                        : new ChildInfo(
                                child.id(),
                                child.kind(),
                                child.status(),
                                child.node(),
                                registry.whereis(child.id()),
                                child.token()))
                .toList();
    }

    public SupervisorServer.Counts countChildren() {
        return call(now -> server.countChildren());
    }

    /** The process child {@code id} resolves to on this node (the registry), or null. Never waits. */
    public Pid whereis(String id) {
        return registry.whereis(id);
    }

    /** Sends to child {@code id} wherever it runs; false when its id resolves to no process here. */
    public boolean send(String id, Object message) {
        return registry.send(id, message);
    }

    /** A {@link Servers#call} to child {@code id} wherever it runs. */
    public Object call(String id, Object request, Duration timeout) {
        return registry.call(id, request, timeout);
    }

    /** True when the supervisor is durable and has saved every change to the specs this node knows of. */
    public boolean specsSaved() {
        return call(now -> server.specsSaved());
    }

    /** Subscribes a local process to {@link SupervisorEvent}s of this node's replica. */
    public long subscribe(Pid subscriber) {
        return call(now -> server.subscribe(subscriber));
    }

    /**
     * Moves every child off this node, handing each to its next keeper, and returns once none runs here (or the
     * timeout passed: false). Close the node afterwards; nothing is placed on it meanwhile.
     */
    public boolean leave(Duration timeout) {
        try {
            call(now -> server.leave()).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    public Node node() {
        return node;
    }

    private <R> R call(LongFunction<R> task) {
        try {
            return driver.call(task, CALL_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("supervisor " + name() + " did not answer in " + CALL_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for supervisor " + name(), e);
        }
    }
}
