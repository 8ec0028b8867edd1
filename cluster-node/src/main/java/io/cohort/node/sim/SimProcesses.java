package io.cohort.node.sim;

import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.process.Signal;
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
    private final ProcessTable table;
    /** What each live process has received, in order. */
    private final Map<Long, List<Object>> mailboxes = new TreeMap<>();
    /** The live processes that trap exits: an exit signal lands in their mailbox instead of ending them. */
    private final java.util.Set<Long> trapping = new java.util.TreeSet<>();

    SimProcesses(SimNode node) {
        this.node = node;
        this.table = new ProcessTable(node.id());
        table.exitSignals(this::signal);
    }

    /** Makes a live process trap exit signals (as {@code process_flag(trap_exit, true)}), or stop trapping. */
    public void trapExits(Pid pid, boolean trap) {
        if (!table.isAlive(pid)) {
            return;
        }
        if (trap) {
            trapping.add(pid.serial());
        } else {
            trapping.remove(pid.serial());
        }
    }

    /**
     * An exit signal from the node (a component's {@link io.cohort.node.runtime.ProcessHost#exit}): a trapping
     * process gets a {@link Signal.Exit} message, any other ends; {@code killed} ends it regardless.
     */
    private void signal(Pid pid, ExitReason reason) {
        if (!table.isAlive(pid)) {
            return;
        }
        if (reason instanceof ExitReason.Killed) {
            exit(pid, ExitReason.KILLED);
        } else if (trapping.contains(pid.serial())) {
            mailboxes.get(pid.serial()).add(new Signal.Exit(new Pid(node.id(), 0), reason));
        } else if (!(reason instanceof ExitReason.Normal)) {
            exit(pid, reason);
        }
    }

    /** Starts a process on this node and returns its pid. */
    public Pid spawn() {
        List<Object> mailbox = new ArrayList<>();
        Pid pid = table.register(mailbox::add);
        mailboxes.put(pid.serial(), mailbox);
        return pid;
    }

    /** Ends a live local process with {@code reason}, notifying its monitors. Ending a dead pid does nothing. */
    public void exit(Pid pid, ExitReason reason) {
        if (table.isAlive(pid)) {
            mailboxes.remove(pid.serial());
            trapping.remove(pid.serial());
            table.exited(pid, reason);
        }
    }

    /** What the live process {@code pid} has received so far (empty for a dead or foreign pid). */
    public List<Object> mailbox(Pid pid) {
        List<Object> mailbox = table.isAlive(pid) ? mailboxes.get(pid.serial()) : null;
        return mailbox == null ? List.of() : List.copyOf(mailbox);
    }

    /** The live local pids, in spawn order. */
    public List<Pid> alive() {
        return table.alive();
    }

    public boolean isAlive(Pid pid) {
        return table.isAlive(pid);
    }

    /** The process host as {@code component} sees it: its monitors notify that component through the node. */
    ProcessHost hostFor(Component component) {
        return table.hostFor((pid, ref, reason) -> node.notifyExit(component, pid, ref, reason));
    }
}
