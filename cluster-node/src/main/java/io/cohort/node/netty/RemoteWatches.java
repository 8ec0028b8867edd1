package io.cohort.node.netty;

import static io.cohort.node.codec.WireMessages.pid;
import static io.cohort.node.codec.WireMessages.reason;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.ProcessTable;
import io.cohort.node.process.Signal;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Demonitor;
import io.cohort.node.wire.Down;
import io.cohort.node.wire.Link;
import io.cohort.node.wire.LinkExit;
import io.cohort.node.wire.Monitor;
import io.cohort.node.wire.Unlink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Monitors and links between processes of different nodes: the bookkeeping on both ends, and what happens when a
 * node leaves the view.
 *
 * <p><b>Monitors.</b> The watcher's node keeps {@code ref → (watcher, target)} and sends Monitor; the target's node
 * monitors the target locally and keeps {@code (watcher, ref) → local monitor}, answering with Down when the target
 * ends ({@code noproc} at once if it is already gone). Whoever removes an entry from its map is the one that acts,
 * so a Down racing a demonitor or a node's departure is delivered at most once.
 *
 * <p><b>Links.</b> A link a local process makes to a remote one is in the local process's own link set (the runtime
 * calls {@link #linkExit} when it ends) and in {@link #outLinks}; the other node, receiving Link, watches its local
 * process with a monitor ({@link #inLinks}) and sends LinkExit when it ends, since the runtime has no hook to add a
 * remote pid to a process's link set from outside. Incoming LinkExit becomes {@code exitFromRemote}.
 *
 * <p><b>Node loss.</b> When a peer leaves the view every monitor of a process there fires {@code noconnection}, and
 * every link with a process there delivers an exit signal {@code noconnection}.
 *
 * <p><b>Threads.</b> Calls come from process threads and event loops; the maps are concurrent and every action is
 * decided by an atomic remove.
 */
final class RemoteWatches {

    /** How frames leave this node; false when the frame could not be queued (peer unreachable or queue full). */
    interface FrameSink {
        boolean sendControl(NodeId to, DataFrame frame);
    }

    private record OutMonitor(Pid watcher, Pid target) {}

    private record InKey(Pid watcher, long ref) {}

    private record LinkKey(Pid local, Pid remote) {}

    /** A local monitor on behalf of a remote watcher; {@code localRef} is set right after it is created. */
    private static final class LocalWatch {
        volatile long localRef;
    }

    private final ProcessRuntime runtime;
    private final ProcessTable table;
    private final FrameSink sink;

    /** Our processes' monitors of remote processes, by the reference their Down carries. */
    private final Map<Long, OutMonitor> outMonitors = new ConcurrentHashMap<>();
    /** Remote watchers' monitors of our processes. */
    private final Map<InKey, LocalWatch> inMonitors = new ConcurrentHashMap<>();
    /** Links our processes made to remote ones. */
    private final Set<LinkKey> outLinks = ConcurrentHashMap.newKeySet();
    /** Links remote processes made to ours, keyed (our process, remote process). */
    private final Map<LinkKey, LocalWatch> inLinks = new ConcurrentHashMap<>();

    RemoteWatches(ProcessRuntime runtime, FrameSink sink) {
        this.runtime = runtime;
        this.table = runtime.table();
        this.sink = sink;
    }

    // --- watcher side of monitors ------------------------------------------------------------------------------

    long monitor(Pid watcher, Pid target) {
        long ref = table.newMonitorRef();
        outMonitors.put(ref, new OutMonitor(watcher, target));
        DataFrame frame = frame(DataFrame.newBuilder()
                .setMonitor(Monitor.newBuilder()
                        .setWatcher(pid(watcher))
                        .setTarget(pid(target))
                        .setRef(ref)));
        if (!sink.sendControl(target.node(), frame) && outMonitors.remove(ref) != null) {
            table.deliver(watcher, new Signal.Down(ref, target, ExitReason.NOCONNECTION));
        }
        return ref;
    }

    void demonitor(Pid watcher, long ref) {
        OutMonitor monitor = outMonitors.get(ref);
        // Local monitors come through here too (the runtime tells us of every demonitor): not ours, ignore.
        if (monitor == null || !monitor.watcher.equals(watcher) || !outMonitors.remove(ref, monitor)) {
            return;
        }
        sink.sendControl(
                monitor.target.node(),
                frame(DataFrame.newBuilder()
                        .setDemonitor(
                                Demonitor.newBuilder().setWatcher(pid(watcher)).setRef(ref))));
    }

    void onDown(NodeId from, Down down) {
        Pid watcher = pid(down.getWatcher());
        OutMonitor monitor = outMonitors.get(down.getRef());
        if (monitor == null
                || !monitor.watcher.equals(watcher)
                || !monitor.target.node().equals(from)) {
            return; // demonitored meanwhile, or a Down we never asked this node for
        }
        if (outMonitors.remove(down.getRef(), monitor)) {
            table.deliver(watcher, new Signal.Down(down.getRef(), monitor.target, reason(down.getReason())));
        }
    }

    // --- target side of monitors -------------------------------------------------------------------------------

    void onMonitor(Monitor request) {
        Pid watcher = pid(request.getWatcher());
        Pid target = pid(request.getTarget());
        long ref = request.getRef();
        InKey key = new InKey(watcher, ref);
        LocalWatch watch = new LocalWatch();
        inMonitors.put(key, watch);
        watch.localRef = table.hostFor((pid, localRef, why) -> {
                    if (inMonitors.remove(key, watch)) {
                        sink.sendControl(
                                watcher.node(),
                                frame(DataFrame.newBuilder()
                                        .setDown(Down.newBuilder()
                                                .setWatcher(pid(watcher))
                                                .setRef(ref)
                                                .setTarget(pid(target))
                                                .setReason(reason(why)))));
                    }
                })
                .monitor(target);
    }

    void onDemonitor(Demonitor request) {
        LocalWatch watch = inMonitors.remove(new InKey(pid(request.getWatcher()), request.getRef()));
        if (watch != null) {
            table.demonitor(watch.localRef);
        }
    }

    // --- links ---------------------------------------------------------------------------------------------------

    void link(Pid local, Pid remote) {
        LinkKey key = new LinkKey(local, remote);
        outLinks.add(key);
        DataFrame frame = frame(DataFrame.newBuilder()
                .setLink(Link.newBuilder().setFrom(pid(local)).setTo(pid(remote))));
        if (!sink.sendControl(remote.node(), frame) && outLinks.remove(key)) {
            runtime.exitFromRemote(remote, local, ExitReason.NOCONNECTION, true);
        }
    }

    void unlink(Pid local, Pid remote) {
        outLinks.remove(new LinkKey(local, remote));
        LocalWatch watch = inLinks.remove(new LinkKey(local, remote));
        if (watch != null) {
            table.demonitor(watch.localRef);
        }
        sink.sendControl(
                remote.node(),
                frame(DataFrame.newBuilder()
                        .setUnlink(Unlink.newBuilder().setFrom(pid(local)).setTo(pid(remote)))));
    }

    /** Our {@code local} ended with {@code why} while linked (by its own link call) to {@code remote}. */
    void linkExit(Pid local, Pid remote, ExitReason why) {
        outLinks.remove(new LinkKey(local, remote));
        sendLinkExit(local, remote, why);
    }

    void onLink(Link request) {
        Pid remote = pid(request.getFrom());
        Pid local = pid(request.getTo());
        LinkKey key = new LinkKey(local, remote);
        LocalWatch watch = new LocalWatch();
        if (inLinks.putIfAbsent(key, watch) != null) {
            return; // linked already: a link is a set membership, not a count
        }
        watch.localRef = table.hostFor((pid, localRef, why) -> {
                    // When our process also linked itself, its own exit reports the end (linkExit): once is enough.
                    if (inLinks.remove(key, watch) && !outLinks.contains(key)) {
                        sendLinkExit(local, remote, why);
                    }
                })
                .monitor(local);
    }

    void onUnlink(Unlink request) {
        LocalWatch watch = inLinks.remove(new LinkKey(pid(request.getTo()), pid(request.getFrom())));
        if (watch != null) {
            table.demonitor(watch.localRef);
        }
    }

    void onLinkExit(LinkExit notice) {
        Pid remote = pid(notice.getFrom());
        Pid local = pid(notice.getTo());
        LinkKey key = new LinkKey(local, remote);
        boolean known = outLinks.remove(key);
        LocalWatch watch = inLinks.remove(key);
        if (watch != null) {
            table.demonitor(watch.localRef);
            known = true;
        }
        if (known) {
            runtime.exitFromRemote(remote, local, reason(notice.getReason()), true);
        }
    }

    // --- node loss -----------------------------------------------------------------------------------------------

    /** {@code peer} left the view: fire {@code noconnection} for everything that depended on it. */
    void nodeDown(NodeId peer) {
        for (Map.Entry<Long, OutMonitor> entry : List.copyOf(outMonitors.entrySet())) {
            OutMonitor monitor = entry.getValue();
            if (monitor.target.node().equals(peer) && outMonitors.remove(entry.getKey(), monitor)) {
                table.deliver(
                        monitor.watcher, new Signal.Down(entry.getKey(), monitor.target, ExitReason.NOCONNECTION));
            }
        }
        for (Map.Entry<InKey, LocalWatch> entry : List.copyOf(inMonitors.entrySet())) {
            if (entry.getKey().watcher.node().equals(peer) && inMonitors.remove(entry.getKey(), entry.getValue())) {
                table.demonitor(entry.getValue().localRef);
            }
        }
        List<LinkKey> broken = new ArrayList<>();
        for (LinkKey key : List.copyOf(outLinks)) {
            if (key.remote.node().equals(peer) && outLinks.remove(key)) {
                broken.add(key);
            }
        }
        for (Map.Entry<LinkKey, LocalWatch> entry : List.copyOf(inLinks.entrySet())) {
            if (entry.getKey().remote.node().equals(peer) && inLinks.remove(entry.getKey(), entry.getValue())) {
                table.demonitor(entry.getValue().localRef);
                if (!broken.contains(entry.getKey())) {
                    broken.add(entry.getKey());
                }
            }
        }
        for (LinkKey key : broken) {
            runtime.exitFromRemote(key.remote, key.local, ExitReason.NOCONNECTION, true);
        }
    }

    /** Entries held, for tests and gauges. */
    int size() {
        return outMonitors.size() + inMonitors.size() + outLinks.size() + inLinks.size();
    }

    private void sendLinkExit(Pid local, Pid remote, ExitReason why) {
        sink.sendControl(
                remote.node(),
                frame(DataFrame.newBuilder()
                        .setLinkExit(LinkExit.newBuilder()
                                .setFrom(pid(local))
                                .setTo(pid(remote))
                                .setReason(reason(why)))));
    }

    private static DataFrame frame(DataFrame.Builder builder) {
        return builder.setVersion(Frames.VERSION).build();
    }
}
