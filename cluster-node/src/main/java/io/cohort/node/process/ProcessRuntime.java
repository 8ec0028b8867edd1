package io.cohort.node.process;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.runtime.Metrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * The lightweight processes of one node: each runs on its own virtual thread with a mailbox, and they link,
 * monitor and exit one another with Erlang's semantics.
 *
 * <p><b>Exit signals.</b> When a process ends with reason R, each linked process receives an exit signal: if it traps
 * exits, as a {@link Signal.Exit} message; otherwise R ends it too, unless R is {@code normal}. An explicit
 * {@code exit(pid, killed)} ends the target whatever it traps, with reason {@code killed}. Monitors get exactly one
 * {@link Signal.Down} each (through the node's {@link ProcessTable}, which components share).
 *
 * <p><b>Ending from outside.</b> A process killed by a signal is dead to everyone at once: its monitors fire, links
 * propagate, its mailbox closes and its sends are dropped. Its thread is interrupted and unwinds with
 * {@link ProcessExitedException} the next time it touches its mailbox; Java cannot stop a thread in a busy loop, so
 * such code only stops running when it next blocks or calls the runtime.
 *
 * <p><b>Remote pids.</b> Sends, links and monitors to pids of other nodes go through a {@link RemoteProcesses} the
 * data plane installs; without one, sends are dropped and counted, and monitors see {@code noconnection}.
 */
public final class ProcessRuntime implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(ProcessRuntime.class.getName());

    private final ProcessTable table;
    private final Map<Long, Proc> processes = new ConcurrentHashMap<>();
    /** Local names (unique per node); an entry goes when its process ends. */
    private final Map<String, Pid> names = new ConcurrentHashMap<>();
    /** One platform thread that only moves due {@link #sendAfter} messages into mailboxes. */
    private final java.util.concurrent.ScheduledThreadPoolExecutor timers;

    private final Metrics.Counter droppedNoRoute;
    private final Metrics.Counter crashed;
    private volatile RemoteProcesses remote;

    public ProcessRuntime(ProcessTable table, Metrics metrics) {
        this.table = table;
        this.droppedNoRoute = metrics.counter("process.send.dropped", "reason", "no_route");
        this.crashed = metrics.counter("process.exit", "reason", "exception");
        metrics.gauge("process.count", table::size);
        this.timers = new java.util.concurrent.ScheduledThreadPoolExecutor(
                1,
                runnable -> Thread.ofPlatform().daemon().name("process-timers").unstarted(runnable));
        this.timers.setRemoveOnCancelPolicy(true);
        // Components signal from the node itself: serial 0 is never a process.
        table.exitSignals((pid, reason) -> exit(new Pid(table.self(), 0), pid, reason));
    }

    public NodeId node() {
        return table.self();
    }

    /** Monotonic time for process-side bookkeeping (supervisor restart windows, call latencies). */
    public long nowNs() {
        return System.nanoTime();
    }

    public ProcessTable table() {
        return table;
    }

    /** Routes to processes on other nodes; installed by the data plane. */
    public void remote(RemoteProcesses router) {
        this.remote = router;
    }

    /** Starts a process that is linked to nothing. */
    public Pid spawn(ProcessBody body) {
        return start(body, null).pid;
    }

    /** Sends from outside any process (Erlang's send from a shell). */
    public void send(Pid to, Object message) {
        Objects.requireNonNull(message, "message");
        if (to.node().equals(table.self())) {
            table.deliver(to, message);
        } else {
            RemoteProcesses router = remote;
            if (router == null) {
                droppedNoRoute.increment();
            } else {
                router.send(to, message);
            }
        }
    }

    /**
     * Sends {@code message} to every pid of {@code pids}, all of one {@code node}: delivered directly when that is
     * this node, otherwise as one transmission that the node fans out to its processes (one frame on the data plane,
     * encoded once). The same message object reaches every local receiver, so it should be immutable.
     */
    public void sendMany(NodeId node, List<Pid> pids, Object message) {
        Objects.requireNonNull(message, "message");
        if (pids.isEmpty()) {
            return;
        }
        if (node.equals(table.self())) {
            for (Pid pid : pids) {
                table.deliver(pid, message);
            }
        } else {
            RemoteProcesses router = remote;
            if (router == null) {
                droppedNoRoute.add(pids.size());
            } else {
                router.sendMany(node, pids, message);
            }
        }
    }

    /** Sends an exit signal from outside any process, as if from {@code from}. */
    public void exit(Pid from, Pid target, ExitReason reason) {
        if (target.node().equals(table.self())) {
            Proc proc = processes.get(target.serial());
            if (proc != null && proc.pid.equals(target)) {
                proc.signal(from, reason, false);
            }
        } else if (remote != null) {
            remote.exit(from, target, reason);
        }
    }

    public boolean isAlive(Pid pid) {
        return table.isAlive(pid);
    }

    /**
     * Gives the live local process {@code pid} the name {@code name} on this node.
     *
     * @return false when the name is taken or the process is not alive here
     */
    public boolean register(String name, Pid pid) {
        Proc proc = local(pid);
        if (proc == null || names.putIfAbsent(name, pid) != null) {
            return false;
        }
        proc.names.add(name);
        if (proc.dead.get()) { // it ended while we registered: undo, as its exit will not see the name
            names.remove(name, pid);
            return false;
        }
        return true;
    }

    /** Removes a name; false when it was not registered. */
    public boolean unregister(String name) {
        Pid pid = names.remove(name);
        if (pid == null) {
            return false;
        }
        Proc proc = local(pid);
        if (proc != null) {
            proc.names.remove(name);
        }
        return true;
    }

    /** The process registered under {@code name} on this node. */
    public Optional<Pid> whereis(String name) {
        return Optional.ofNullable(names.get(name));
    }

    /** Sends to the process registered under {@code name}; dropped when there is none. */
    public void send(String name, Object message) {
        Pid pid = names.get(name);
        if (pid != null) {
            send(pid, message);
        }
    }

    /** The names registered on this node, sorted. */
    public List<String> registeredNames() {
        return names.keySet().stream().sorted().toList();
    }

    /** Sends {@code message} to {@code to} after {@code delay}; cancel the returned handle to take it back. */
    public java.util.concurrent.Future<?> sendAfter(Pid to, Duration delay, Object message) {
        return timers.schedule(() -> send(to, message), delay.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Monitors {@code target} for a watcher that has no process of its own (a caller waiting for a reply): a local
     * target's notice goes to {@code notices}; a remote one's arrives as a {@link Signal.Down} in {@code watcher}'s
     * mailbox.
     */
    long monitorFor(Pid watcher, Pid target, ProcessTable.ExitNotices notices) {
        if (target.node().equals(table.self())) {
            return table.hostFor(notices).monitor(target);
        }
        RemoteProcesses router = remote;
        if (router == null) {
            long ref = table.newMonitorRef();
            notices.exited(target, ref, ExitReason.NOCONNECTION);
            return ref;
        }
        return router.monitor(watcher, target);
    }

    void demonitorFor(Pid watcher, long monitorRef) {
        table.demonitor(monitorRef);
        RemoteProcesses router = remote;
        if (router != null) {
            router.demonitor(watcher, monitorRef);
        }
    }

    /** What the runtime knows of a live local process, or empty. */
    public Optional<ProcessInfo> info(Pid pid) {
        Proc proc = local(pid);
        if (proc == null || proc.dead.get()) {
            return Optional.empty();
        }
        return Optional.of(new ProcessInfo(
                pid,
                List.copyOf(proc.names),
                proc.mailbox.size(),
                proc.trapExits,
                proc.links.stream().sorted().toList(),
                String.valueOf(proc.thread == null ? "starting" : proc.thread.getState())));
    }

    /** The live processes, in start order. */
    public List<Pid> processes() {
        return table.alive();
    }

    /** Messages waiting in a live local process's mailbox, or -1. */
    public int mailboxSize(Pid pid) {
        Proc proc = local(pid);
        return proc == null || proc.dead.get() ? -1 : proc.mailbox.size();
    }

    /**
     * A process on another node linked itself to the local {@code local}: {@code remote} joins its link set, so the
     * local process's end reaches it through {@link RemoteProcesses#linkExit}, like any link of its own.
     *
     * @return null when linked; otherwise how {@code local} ended ({@code noproc} when it is unknown), which the
     *     caller reports to the remote process as the link's exit
     */
    public ExitReason linkFromRemote(Pid local, Pid remote) {
        Proc proc = local(local);
        if (proc == null) {
            return ExitReason.NOPROC;
        }
        synchronized (proc.links) { // atomic with terminate's copy of the links
            if (proc.dead.get()) {
                return proc.exitReason;
            }
            proc.links.add(remote);
            return null;
        }
    }

    /** A process on another node unlinked itself from the local {@code local}. */
    public void unlinkFromRemote(Pid local, Pid remote) {
        Proc proc = local(local);
        if (proc != null) {
            proc.links.remove(remote);
        }
    }

    /** Delivers an exit signal that arrived from another node for a local process. */
    public void exitFromRemote(Pid from, Pid target, ExitReason reason, boolean viaLink) {
        Proc proc = processes.get(target.serial());
        if (proc != null && proc.pid.equals(target)) {
            if (viaLink) {
                proc.unlinkLocally(from);
            }
            proc.signal(from, reason, viaLink);
        }
    }

    /** Kills every process (reason {@code shutdown}) — the node is going away. */
    @Override
    public void close() {
        for (Proc proc : List.copyOf(processes.values())) {
            proc.terminate(ExitReason.SHUTDOWN);
        }
        timers.shutdownNow();
    }

    private Proc start(ProcessBody body, Proc linkedTo) {
        Mailbox mailbox = new Mailbox();
        Pid pid = table.register(mailbox::put);
        Proc proc = new Proc(pid, mailbox);
        processes.put(pid.serial(), proc);
        if (linkedTo != null) {
            proc.links.add(linkedTo.pid);
            linkedTo.links.add(pid);
        }
        proc.thread = Thread.ofVirtual().name("process-" + pid).unstarted(() -> proc.runBody(body));
        proc.thread.start();
        return proc;
    }

    private Proc local(Pid pid) {
        if (!pid.node().equals(table.self())) {
            return null;
        }
        Proc proc = processes.get(pid.serial());
        return proc != null && proc.pid.equals(pid) ? proc : null;
    }

    /** One process: its state and its side of the built-ins. */
    private final class Proc implements ProcessContext {
        final Pid pid;
        final Mailbox mailbox;
        /** Linked pids, local or remote. Guarded by itself. */
        final java.util.Set<Pid> links = ConcurrentHashMap.newKeySet();
        /** Local names this process holds, removed with it. */
        final java.util.Set<String> names = ConcurrentHashMap.newKeySet();

        final AtomicBoolean dead = new AtomicBoolean();
        /** How it ended; set with {@link #dead}, under the links lock. */
        volatile ExitReason exitReason;

        volatile boolean trapExits;
        volatile Thread thread;

        Proc(Pid pid, Mailbox mailbox) {
            this.pid = pid;
            this.mailbox = mailbox;
        }

        void runBody(ProcessBody body) {
            ExitReason reason;
            try {
                body.run(this);
                reason = ExitReason.NORMAL;
            } catch (ExitSignal exit) {
                reason = exit.reason;
            } catch (ProcessExitedException e) {
                return; // already terminated from outside
            } catch (InterruptedException e) {
                reason = dead.get() ? ExitReason.KILLED : ExitReason.Failure.of(e);
            } catch (Exception | Error e) {
                crashed.increment();
                LOG.log(System.Logger.Level.DEBUG, () -> "process " + pid + " crashed", e);
                reason = ExitReason.Failure.of(e);
            }
            terminate(reason);
        }

        /** Ends this process with {@code reason} once; fires monitors and links. */
        void terminate(ExitReason reason) {
            List<Pid> linked;
            synchronized (links) { // a remote link arriving now is either in the copy or told our reason
                if (dead.get()) {
                    return;
                }
                exitReason = reason;
                dead.set(true);
                linked = new ArrayList<>(links);
                links.clear();
            }
            mailbox.close();
            for (String name : names) {
                ProcessRuntime.this.names.remove(name, pid);
            }
            table.exited(pid, reason);
            for (Pid other : linked) {
                Proc peer = local(other);
                if (peer != null) {
                    peer.links.remove(pid);
                    peer.signal(pid, reason, true);
                } else if (!other.node().equals(table.self()) && remote != null) {
                    remote.linkExit(pid, other, reason);
                }
            }
            // Findable (as dead, with its reason) until its link exits are out, so a remote link racing this exit
            // reports the same reason, never a premature noproc.
            processes.remove(pid.serial());
            Thread current = thread;
            if (current != null && current != Thread.currentThread()) {
                current.interrupt();
            }
        }

        /** An exit signal from {@code from}: trapped as a message, ignored, or fatal. */
        void signal(Pid from, ExitReason reason, boolean viaLink) {
            if (dead.get()) {
                return;
            }
            if (!viaLink && reason instanceof ExitReason.Killed) {
                terminate(ExitReason.KILLED);
            } else if (trapExits) {
                mailbox.put(new Signal.Exit(from, reason));
            } else if (!(reason instanceof ExitReason.Normal)) {
                terminate(reason);
            }
        }

        void unlinkLocally(Pid other) {
            links.remove(other);
        }

        private void checkAlive() {
            if (dead.get()) {
                throw new ProcessExitedException();
            }
        }

        @Override
        public Pid self() {
            return pid;
        }

        @Override
        public ProcessRuntime runtime() {
            return ProcessRuntime.this;
        }

        @Override
        public Object receive() throws InterruptedException {
            return mailbox.take(message -> true, Long.MAX_VALUE);
        }

        @Override
        public Optional<Object> receive(Duration timeout) throws InterruptedException {
            return Optional.ofNullable(mailbox.take(message -> true, timeout.toNanos()));
        }

        @Override
        public <T> Optional<T> receive(Class<T> type, Predicate<? super T> filter, Duration timeout)
                throws InterruptedException {
            Object message = mailbox.take(m -> type.isInstance(m) && filter.test(type.cast(m)), timeout.toNanos());
            return Optional.ofNullable(type.cast(message));
        }

        @Override
        public void send(Pid to, Object message) {
            checkAlive();
            ProcessRuntime.this.send(to, message);
        }

        @Override
        public Pid spawn(ProcessBody body) {
            checkAlive();
            return start(body, null).pid;
        }

        @Override
        public Pid spawnLink(ProcessBody body) {
            checkAlive();
            return start(body, this).pid;
        }

        @Override
        public void link(Pid other) {
            checkAlive();
            if (other.equals(pid)) {
                return;
            }
            Proc peer = local(other);
            if (peer != null) {
                links.add(other);
                peer.links.add(pid);
                if (peer.dead.get() && links.remove(other)) {
                    signal(other, ExitReason.NOPROC, true); // it died while we linked
                }
            } else if (!other.node().equals(table.self()) && remote != null) {
                links.add(other);
                remote.link(pid, other);
            } else {
                signal(other, ExitReason.NOPROC, true);
            }
        }

        @Override
        public void unlink(Pid other) {
            checkAlive();
            links.remove(other);
            Proc peer = local(other);
            if (peer != null) {
                peer.links.remove(pid);
            } else if (!other.node().equals(table.self()) && remote != null) {
                remote.unlink(pid, other);
            }
        }

        @Override
        public long monitor(Pid target) {
            checkAlive();
            if (target.node().equals(table.self())) {
                return table.hostFor((down, ref, reason) -> mailbox.put(new Signal.Down(ref, down, reason)))
                        .monitor(target);
            }
            RemoteProcesses router = remote;
            if (router == null) {
                long ref = table.newMonitorRef();
                mailbox.put(new Signal.Down(ref, target, ExitReason.NOCONNECTION));
                return ref;
            }
            return router.monitor(pid, target);
        }

        @Override
        public void demonitor(long monitorRef, boolean flush) {
            checkAlive();
            table.demonitor(monitorRef);
            RemoteProcesses router = remote;
            if (router != null) {
                router.demonitor(pid, monitorRef);
            }
            if (flush) {
                mailbox.removeIf(m -> m instanceof Signal.Down down && down.monitorRef() == monitorRef);
            }
        }

        @Override
        public void trapExits(boolean trap) {
            trapExits = trap;
        }

        @Override
        public void exit(Pid target, ExitReason reason) {
            checkAlive();
            if (target.equals(pid)) {
                signal(pid, reason, false);
                checkAlive();
                return;
            }
            ProcessRuntime.this.exit(pid, target, reason);
        }

        @Override
        public void exit(ExitReason reason) {
            throw new ExitSignal(reason);
        }

        @Override
        public int mailboxSize() {
            return mailbox.size();
        }
    }

    /** Unwinds a process that called {@code exit(reason)} on itself. */
    private static final class ExitSignal extends RuntimeException {
        final ExitReason reason;

        ExitSignal(ExitReason reason) {
            super(null, null, false, false);
            this.reason = reason;
        }
    }
}
