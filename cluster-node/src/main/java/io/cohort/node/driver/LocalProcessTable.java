package io.cohort.node.driver;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.ProcessHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The table of a real node's live local processes, as protocol components see it: who is alive, delivery into a
 * mailbox, and exit notices routed into the monitoring component's inbox. The process runtime registers each process
 * here when it starts and reports its exit; components monitor through {@link #hostFor}.
 *
 * <p>Thread-safe by one lock: calls come from component threads and process threads alike, and each is short.
 */
public final class LocalProcessTable {

    private final NodeId self;
    private final Map<Long, Consumer<Object>> mailboxes = new HashMap<>();
    private final Map<Long, Monitor> monitors = new HashMap<>();
    private long nextSerial = 1;
    private long nextMonitorRef = 1;

    public LocalProcessTable(NodeId self) {
        this.self = self;
    }

    public NodeId self() {
        return self;
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
            for (Map.Entry<Long, Monitor> entry : monitors.entrySet()) {
                if (entry.getValue().serial == pid.serial()) {
                    fired.add(entry);
                }
            }
            fired.forEach(entry -> monitors.remove(entry.getKey()));
        }
        for (Map.Entry<Long, Monitor> entry : fired) {
            entry.getValue().driver.deliverExit(pid, entry.getKey(), reason);
        }
    }

    public synchronized boolean isAlive(Pid pid) {
        return isLocal(pid) && mailboxes.containsKey(pid.serial());
    }

    public synchronized int size() {
        return mailboxes.size();
    }

    void deliver(Pid pid, Object message) {
        Consumer<Object> mailbox;
        synchronized (this) {
            mailbox = isLocal(pid) ? mailboxes.get(pid.serial()) : null;
        }
        if (mailbox != null) {
            mailbox.accept(message);
        }
    }

    ProcessHost hostFor(ComponentDriver driver) {
        return new ProcessHost() {
            @Override
            public boolean isAlive(Pid pid) {
                return LocalProcessTable.this.isAlive(pid);
            }

            @Override
            public void deliver(Pid pid, Object message) {
                LocalProcessTable.this.deliver(pid, message);
            }

            @Override
            public long monitor(Pid pid) {
                long ref;
                boolean alive;
                synchronized (LocalProcessTable.this) {
                    ref = nextMonitorRef++;
                    alive = isAlive(pid);
                    if (alive) {
                        monitors.put(ref, new Monitor(pid.serial(), driver));
                    }
                }
                if (!alive) {
                    driver.deliverExit(pid, ref, ExitReason.NOPROC);
                }
                return ref;
            }

            @Override
            public void demonitor(long monitorRef) {
                synchronized (LocalProcessTable.this) {
                    monitors.remove(monitorRef);
                }
            }
        };
    }

    private boolean isLocal(Pid pid) {
        return pid.node().equals(self);
    }

    private record Monitor(long serial, ComponentDriver driver) {}
}
