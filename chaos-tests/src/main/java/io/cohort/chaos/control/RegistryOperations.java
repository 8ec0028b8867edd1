package io.cohort.chaos.control;

import io.cohort.chaos.control.wire.ConflictSeen;
import io.cohort.chaos.control.wire.Done;
import io.cohort.chaos.control.wire.NameOwner;
import io.cohort.chaos.control.wire.RegLookedUp;
import io.cohort.chaos.control.wire.RegProcess;
import io.cohort.chaos.control.wire.RegRegistered;
import io.cohort.chaos.control.wire.RegSnapshot;
import io.cohort.chaos.control.wire.RegUnregistered;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.Signal;
import io.cohort.registry.ConflictPolicy;
import io.cohort.registry.RegisterResult;
import io.cohort.registry.Registration;
import io.cohort.registry.Registry;
import io.cohort.registry.RegistryEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Registry operations on the control channel, over the registry {@value #REGISTRY} of the node.
 *
 * <p>Each {@code RegRegister} spawns a fresh process for the name and registers it, so every registry process holds
 * at most one name and lives exactly while it should hold it: refused, it ends at once; unregistered through the
 * channel, it is ended too. Registry processes trap exits, so a lost conflict's {@code name_conflict} exit signal (the
 * loser notification of {@link ConflictPolicy#EXIT}) is counted before the process ends with that reason. A
 * subscriber records every {@link RegistryEvent.ConflictResolved} this node sees. {@code RegRead} reports all of it:
 * the names that resolve here, every registry process of this life (alive or how it ended, notifications received),
 * and the conflicts seen — what the registry checkers judge.
 *
 * <p>Planted bug {@value #BUG_SKIP_CONFLICT_RESOLUTION} (harness self-tests only; see {@link ContainerNode}): the
 * registry runs with a conflict policy that does nothing, so the node of a losing registration skips its part of
 * conflict resolution — the losing process is neither ended nor told, and goes on as if it held the name.
 */
public final class RegistryOperations {

    /** The registry the workload uses. */
    public static final String REGISTRY = "chaos";

    public static final String BUG_SKIP_CONFLICT_RESOLUTION = "registry-skip-conflict-resolution";

    /** Bugs this class can plant. */
    public static final List<String> BUGS = List.of(BUG_SKIP_CONFLICT_RESOLUTION);

    /** Registry processes remembered per life; beyond it the oldest ended ones are forgotten. */
    static final int PROCESSES_KEPT = 20_000;

    /** How long a new registry process may take to begin trapping exits. */
    static final Duration HOLDER_START_BOUND = Duration.ofSeconds(5);

    /** Conflict events remembered per life; beyond it new ones are dropped (and the read says so by its size). */
    static final int CONFLICTS_KEPT = 20_000;

    private final Node node;
    private final Registry registry;
    /** Every registry process of this life, in spawn order. Guarded by this. */
    private final Map<Pid, Holder> processes = new LinkedHashMap<>();
    /** The process holding each name this node registered, while it holds it. Guarded by this. */
    private final Map<String, Pid> holders = new TreeMap<>();
    /**
     * Held across a registry write and the {@link #holders} update that goes with it, so a register and an unregister
     * of one name from two workers never leave a holder that holds nothing (the registry's own writes are serial).
     */
    private final Object writes = new Object();
    /** ConflictResolved events seen here, in order. Guarded by this. */
    private final List<ConflictSeen> conflicts = new ArrayList<>();

    /** What the channel knows of one registry process. */
    private static final class Holder {
        final String name;
        int conflictExits;
        String endReason = "";

        Holder(String name) {
            this.name = name;
        }
    }

    public RegistryOperations(Node node, Registry registry) {
        this.node = node;
        this.registry = registry;
    }

    /** The conflict policy the node's registry runs with: {@link ConflictPolicy#EXIT}, or none under the bug. */
    public static ConflictPolicy conflictPolicy(String bug) {
        return bug.equals(BUG_SKIP_CONFLICT_RESOLUTION) ? (conflict, host) -> {} : ConflictPolicy.EXIT;
    }

    /** Subscribes the conflict recorder and registers the operations with {@code server}. */
    public void registerWith(ControlServer server) {
        Pid recorder = node.processes().spawn(self -> {
            while (true) {
                if (self.receive() instanceof RegistryEvent.ConflictResolved event) {
                    record(event);
                }
            }
        });
        registry.subscribe(recorder);
        server.serve(Request.OpCase.REG_REGISTER, this::register);
        server.serve(Request.OpCase.REG_UNREGISTER, this::unregister);
        server.serve(Request.OpCase.REG_LOOKUP, request -> {
            Pid pid = registry.whereis(request.getRegLookup().getName());
            return Response.newBuilder()
                    .setRegLookedUp(RegLookedUp.newBuilder()
                            .setPid(pid == null ? "" : pid.toString())
                            .build());
        });
        server.serve(Request.OpCase.REG_EXIT, this::kill);
        server.serve(Request.OpCase.REG_READ, request -> Response.newBuilder().setRegSnapshot(read()));
    }

    private synchronized void record(RegistryEvent.ConflictResolved event) {
        if (conflicts.size() < CONFLICTS_KEPT) {
            conflicts.add(ConflictSeen.newBuilder()
                    .setName(event.name())
                    .setWinner(event.winner().toString())
                    .setLoser(event.loser().toString())
                    .build());
        }
    }

    private Response.Builder register(Request request) throws InterruptedException, TimeoutException {
        String name = request.getRegRegister().getName();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a registration needs a name");
        }
        Pid pid = spawnHolder(name);
        RegisterResult result;
        synchronized (writes) {
            try {
                result = registry.register(name, pid);
            } catch (RuntimeException e) {
                // The write may still happen later: end the process, so the registry drops whatever it did with it.
                end(pid, "register-failed", ExitReason.SHUTDOWN);
                throw e;
            }
            if (result instanceof RegisterResult.Registered) {
                synchronized (this) {
                    holders.put(name, pid);
                }
            }
        }
        RegRegistered.Builder out = RegRegistered.newBuilder().setPid(pid.toString());
        if (result instanceof RegisterResult.Registered) {
            out.setRegistered(true).setOwner(pid.toString());
        } else {
            Pid owner = result instanceof RegisterResult.Taken taken ? taken.owner() : null;
            end(pid, "refused", ExitReason.SHUTDOWN);
            out.setRegistered(false).setOwner(owner == null ? "" : owner.toString());
        }
        return Response.newBuilder().setRegRegistered(out);
    }

    private Response.Builder unregister(Request request) {
        String name = request.getRegUnregister().getName();
        boolean removed;
        Pid holder;
        synchronized (writes) {
            removed = registry.unregister(name);
            synchronized (this) {
                holder = removed ? holders.remove(name) : null;
            }
        }
        if (holder != null) {
            end(holder, "unregistered", ExitReason.SHUTDOWN);
        }
        return Response.newBuilder()
                .setRegUnregistered(RegUnregistered.newBuilder()
                        .setRemoved(removed)
                        .setPid(holder == null ? "" : holder.toString())
                        .build());
    }

    /**
     * Ends a registry process the channel is done with, recording why first. Never with {@code normal}: a process
     * that has not yet begun to trap exits ignores a normal exit signal, and would live on holding nothing.
     */
    private void end(Pid pid, String why, ExitReason reason) {
        synchronized (this) {
            Holder holder = processes.get(pid);
            if (holder != null && holder.endReason.isEmpty()) {
                holder.endReason = why;
            }
        }
        node.processes().exit(pid, pid, reason);
    }

    /** Kills a live registry process of this node (untrappable), recording why first. */
    private Response.Builder kill(Request request) throws ControlServer.NoProcessException {
        Pid pid = Pid.parse(request.getRegExit().getPid());
        synchronized (this) {
            Holder holder = processes.get(pid);
            if (holder == null || !node.processes().isAlive(pid)) {
                throw new ControlServer.NoProcessException("no live registry process " + pid + " on " + node.self());
            }
            holders.remove(holder.name, pid);
        }
        end(pid, "killed", ExitReason.KILLED);
        return Response.newBuilder().setDone(Done.getDefaultInstance());
    }

    /**
     * Spawns the process for one registration and returns once it traps exits: a {@code name_conflict} signal that
     * arrived before would end it uncounted (a conflict found in the instant after registering is not rare).
     */
    private Pid spawnHolder(String name) throws InterruptedException, TimeoutException {
        CompletableFuture<Void> trapping = new CompletableFuture<>();
        Pid pid = node.processes().spawn(self -> {
            self.trapExits(true);
            trapping.complete(null);
            while (true) {
                if (self.receive() instanceof Signal.Exit exit) {
                    ended(self.self(), exit.reason());
                    self.exit(exit.reason());
                }
            }
        });
        synchronized (this) {
            if (processes.size() >= PROCESSES_KEPT) {
                processes
                        .entrySet()
                        .removeIf(entry -> !entry.getValue().endReason.isEmpty());
            }
            processes.put(pid, new Holder(name));
        }
        try {
            trapping.get(HOLDER_START_BOUND.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("registry process " + pid + " failed to start", e.getCause());
        } catch (TimeoutException e) {
            end(pid, "start-timeout", ExitReason.KILLED);
            throw e;
        }
        return pid;
    }

    private synchronized void ended(Pid pid, ExitReason reason) {
        Holder holder = processes.get(pid);
        if (holder == null) {
            return;
        }
        if (reason.equals(ConflictPolicy.NAME_CONFLICT)) {
            holder.conflictExits++;
        }
        if (holder.endReason.isEmpty()) {
            holder.endReason = reason.toString();
        }
        holders.remove(holder.name, pid);
    }

    private RegSnapshot read() {
        RegSnapshot.Builder out = RegSnapshot.newBuilder();
        for (Registration registration : registry.select(r -> true)) {
            out.addOwners(NameOwner.newBuilder()
                    .setName(registration.name())
                    .setPid(registration.pid().toString())
                    .build());
        }
        synchronized (this) {
            processes.forEach((pid, holder) -> {
                boolean alive = node.processes().isAlive(pid);
                out.addProcesses(RegProcess.newBuilder()
                        .setPid(pid.toString())
                        .setName(holder.name)
                        .setAlive(alive)
                        .setConflictExits(holder.conflictExits)
                        .setEndReason(alive ? "" : holder.endReason.isEmpty() ? "unknown" : holder.endReason)
                        .build());
            });
            out.addAllConflicts(conflicts);
        }
        return out.build();
    }
}
