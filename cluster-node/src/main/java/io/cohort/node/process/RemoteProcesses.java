package io.cohort.node.process;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import java.util.List;

/**
 * How a node's process runtime reaches processes on other nodes: the data plane implements it. Every method is
 * asynchronous and never throws for remote conditions (an unreachable node shows up as {@code noconnection}).
 */
public interface RemoteProcesses {

    void send(Pid to, Object message);

    /**
     * Sends one {@code message} to several processes of one remote {@code node}, as one transmission where the data
     * plane can (one frame, encoded once, fanned out by the receiving node). Every pid must be of {@code node}. Order
     * per receiving process is the order of the sender's other sends to it.
     */
    default void sendMany(NodeId node, List<Pid> pids, Object message) {
        for (Pid pid : pids) {
            send(pid, message);
        }
    }

    /** An exit signal from {@code from} to the remote {@code target} (Erlang's exit/2). */
    void exit(Pid from, Pid target, ExitReason reason);

    void link(Pid local, Pid remote);

    void unlink(Pid local, Pid remote);

    /** The local {@code from}, linked to the remote {@code to}, ended with {@code reason}. */
    void linkExit(Pid from, Pid to, ExitReason reason);

    /** Monitors a remote process for the local {@code watcher}; returns the reference its Down will carry. */
    long monitor(Pid watcher, Pid target);

    void demonitor(Pid watcher, long monitorRef);
}
