package io.cohort.node.process;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.runtime.ProcessHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The table of a node's live local processes as protocol components see them: who is alive, delivery into a
 * mailbox, and exactly one exit notice per monitor. The process runtime (or the simulator) registers each process
 * when it starts and reports its exit; a component monitors through the {@link ProcessHost} {@link #hostFor} gives
 * it, whose notices go to that component's own inbox.
 *
 * <p>One lock guards the table: on a real node, calls come from component threads and process threads alike, and
 * each is short. Notices are handed out after the lock is released. Iteration is in serial order, so the simulator
 * stays deterministic.
 */
public final class ProcessTable {

    /** Where a monitoring component's exit notices go. */
    @FunctionalInterface
    public interface ExitNotices {
        void exited(Pid pid, long monitorRef, ExitReason reason);
    }

    /** Sends an exit signal to a local process; installed by whoever runs the processes (runtime or simulator). */
    @FunctionalInterface
    public interface ExitSignals {
        void exit(Pid pid, ExitReason reason);
    }

    private final NodeId self;
    /** How {@link ProcessHost#exit} reaches a process; until one is installed, such signals are ignored. */
    private volatile ExitSignals exitSignals = (pid, reason) -> {};
    /** Live processes by serial, with the mailbox each delivers into. */
    private final Map<Long, Consumer<Object>> mailboxes = new TreeMap<>();
    /** Monitor reference -> the monitored serial and where its notice goes. */
    private final Map<Long, Monitor> monitors = new TreeMap<>();
    /**
     * Monitored serial -> its monitors' references, so an exit finds its monitors without a scan: a Long for one
     * monitor (the common case), a TreeSet of them, in order, for several.
     */
    private final Map<Long, Object> monitorsBySerial = new java.util.HashMap<>();

    private long nextSerial = 1;
    private long nextMonitorRef = 1;

    public ProcessTable(NodeId self) {
        this.self = self;
    }

    public NodeId self() {
        return self;
    }

    /** Installs how components' exit signals reach processes (the process runtime or the simulator does this). */
    public void exitSignals(ExitSignals signals) {
        this.exitSignals = java.util.Objects.requireNonNull(signals);
    }

    /** Registers a new process whose mailbox is {@code mailbox}, and returns its pid. */
    public synchronized Pid register(Consumer<Object> mailbox) {
        long serial = nextSerial++;
        mailboxes.put(serial, mailbox);
        return new Pid(self, serial);
    }

    /** Records that {@code pid} ended and notifies its monitors; later calls for the same pid do nothing. */
    public void exited(Pid pid, ExitReason reason) {
        List<Map.Entry<Long, Monitor>> fired = new ArrayList<>();
        synchronized (this) {
            if (!isLocal(pid) || mailboxes.remove(pid.serial()) == null) {
                return;
            }
            for (Long ref : refs(monitorsBySerial.remove(pid.serial()))) {
                fired.add(Map.entry(ref, monitors.remove(ref)));
            }
        }
        for (Map.Entry<Long, Monitor> entry : fired) {
            entry.getValue().notices.exited(pid, entry.getKey(), reason);
        }
    }

    public synchronized boolean isAlive(Pid pid) {
        return isLocal(pid) && mailboxes.containsKey(pid.serial());
    }

    /** The live local pids, in start order. */
    public synchronized List<Pid> alive() {
        return mailboxes.keySet().stream().map(serial -> new Pid(self, serial)).toList();
    }

    /** Cancels a monitor; no notice is delivered for it afterwards. Unknown references are ignored. */
    public synchronized void demonitor(long monitorRef) {
        Monitor monitor = monitors.remove(monitorRef);
        if (monitor != null) {
            monitorsBySerial.computeIfPresent(monitor.serial, (serial, held) -> {
                if (held instanceof Long) {
                    return null;
                }
                @SuppressWarnings("unchecked")
                java.util.TreeSet<Long> set = (java.util.TreeSet<Long>) held;
                set.remove(monitorRef);
                return set.size() == 1 ? set.first() : set;
            });
        }
    }

    @SuppressWarnings("unchecked")
    private static Iterable<Long> refs(Object held) {
        if (held == null) {
            return List.of();
        }
        return held instanceof Long ref ? List.of(ref) : (java.util.TreeSet<Long>) held;
    }

    /** A fresh monitor reference, for monitors kept elsewhere (remote ones), unique on this node. */
    public synchronized long newMonitorRef() {
        return nextMonitorRef++;
    }

    public synchronized int size() {
        return mailboxes.size();
    }

    /** Puts {@code message} into a live local process's mailbox; dropped silently otherwise (Erlang's send). */
    public void deliver(Pid pid, Object message) {
        Consumer<Object> mailbox;
        synchronized (this) {
            mailbox = isLocal(pid) ? mailboxes.get(pid.serial()) : null;
        }
        if (mailbox != null) {
            mailbox.accept(message);
        }
    }

    /** The process host as one component sees it: its monitors' notices go to {@code notices}. */
    public ProcessHost hostFor(ExitNotices notices) {
        return new ProcessHost() {
            @Override
            public boolean isAlive(Pid pid) {
                return ProcessTable.this.isAlive(pid);
            }

            @Override
            public void deliver(Pid pid, Object message) {
                ProcessTable.this.deliver(pid, message);
            }

            @Override
            public long monitor(Pid pid) {
                long ref;
                boolean alive;
                synchronized (ProcessTable.this) {
                    ref = nextMonitorRef++;
                    alive = ProcessTable.this.isAlive(pid);
                    if (alive) {
                        monitors.put(ref, new Monitor(pid.serial(), notices));
                        monitorsBySerial.merge(pid.serial(), ref, (held, added) -> {
                            java.util.TreeSet<Long> set = new java.util.TreeSet<>();
                            refs(held).forEach(set::add);
                            set.add((Long) added);
                            return set;
                        });
                    }
                }
                if (!alive) {
                    notices.exited(pid, ref, ExitReason.NOPROC);
                }
                return ref;
            }

            @Override
            public void demonitor(long monitorRef) {
                ProcessTable.this.demonitor(monitorRef);
            }

            @Override
            public void exit(Pid pid, ExitReason reason) {
                if (isLocal(pid)) {
                    exitSignals.exit(pid, reason);
                }
            }
        };
    }

    private boolean isLocal(Pid pid) {
        return pid.node().equals(self);
    }

    private record Monitor(long serial, ExitNotices notices) {}
}
