package io.cohort.node.sim;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.runtime.Component;
import io.cohort.node.runtime.ProcessHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The local processes of one simulated node: stand-ins a test spawns and ends, each with a mailbox it can inspect.
 * Exit notices reach monitoring components as events of the node, ordered with its other events.
 */
public final class SimProcesses {

    private final SimNode node;
    /** Live processes and what each has received, in order. */
    private final Map<Long, List<Object>> mailboxes = new TreeMap<>();
    /** Monitor reference -> (monitored serial, monitoring component). */
    private final Map<Long, Monitor> monitors = new TreeMap<>();

    private long nextSerial = 1;
    private long nextMonitorRef = 1;

    SimProcesses(SimNode node) {
        this.node = node;
    }

    /** Starts a process on this node and returns its pid. */
    public Pid spawn() {
        long serial = nextSerial++;
        mailboxes.put(serial, new ArrayList<>());
        return new Pid(node.id(), serial);
    }

    /** Ends a live local process with {@code reason}, notifying its monitors. Ending a dead pid does nothing. */
    public void exit(Pid pid, ExitReason reason) {
        if (!isLocal(pid) || mailboxes.remove(pid.serial()) == null) {
            return;
        }
        List<Long> fired = new ArrayList<>();
        for (Map.Entry<Long, Monitor> entry : monitors.entrySet()) {
            if (entry.getValue().serial == pid.serial()) {
                fired.add(entry.getKey());
            }
        }
        for (long ref : fired) {
            Monitor monitor = monitors.remove(ref);
            node.notifyExit(monitor.component, pid, ref, reason);
        }
    }

    /** What the live process {@code pid} has received so far (empty for a dead or foreign pid). */
    public List<Object> mailbox(Pid pid) {
        List<Object> mailbox = isLocal(pid) ? mailboxes.get(pid.serial()) : null;
        return mailbox == null ? List.of() : List.copyOf(mailbox);
    }

    /** The live local pids, in spawn order. */
    public List<Pid> alive() {
        return mailboxes.keySet().stream()
                .map(serial -> new Pid(node.id(), serial))
                .toList();
    }

    public boolean isAlive(Pid pid) {
        return isLocal(pid) && mailboxes.containsKey(pid.serial());
    }

    public void deliver(Pid pid, Object message) {
        List<Object> mailbox = isLocal(pid) ? mailboxes.get(pid.serial()) : null;
        if (mailbox != null) {
            mailbox.add(message);
        }
    }

    /** The process host as {@code component} sees it: its monitors notify that component. */
    ProcessHost hostFor(Component component) {
        return new ProcessHost() {
            @Override
            public boolean isAlive(Pid pid) {
                return SimProcesses.this.isAlive(pid);
            }

            @Override
            public void deliver(Pid pid, Object message) {
                SimProcesses.this.deliver(pid, message);
            }

            @Override
            public long monitor(Pid pid) {
                return SimProcesses.this.monitor(pid, component);
            }

            @Override
            public void demonitor(long monitorRef) {
                monitors.remove(monitorRef);
            }
        };
    }

    private long monitor(Pid pid, Component component) {
        long ref = nextMonitorRef++;
        if (isAlive(pid)) {
            monitors.put(ref, new Monitor(pid.serial(), component));
        } else {
            node.notifyExit(component, pid, ref, ExitReason.NOPROC);
        }
        return ref;
    }

    private boolean isLocal(Pid pid) {
        NodeId owner = pid.node();
        return owner.equals(node.id());
    }

    private record Monitor(long serial, Component component) {}
}
