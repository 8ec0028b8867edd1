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
 * <p><b>Links.</b> A link between a local and a remote process is in the local process's own link set on each node
 * (our side's link call, or {@code linkFromRemote} for a Link frame), and in {@link #links}. When the local process
 * ends, the runtime calls {@link #linkExit}, which sends LinkExit; an incoming LinkExit becomes
 * {@code exitFromRemote}. A link is a set membership: linking twice, or from both ends, is one link and one exit.
 * Removing the key from {@link #links} is what entitles a path to act, so an end is reported once.
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
    /** Every link between one of our processes and a remote one, whichever end made it: (ours, remote). */
    private final Set<LinkKey> links = ConcurrentHashMap.newKeySet();

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
        links.add(key);
        DataFrame frame = frame(DataFrame.newBuilder()
                .setLink(Link.newBuilder().setFrom(pid(local)).setTo(pid(remote))));
        if (!sink.sendControl(remote.node(), frame) && links.remove(key)) {
            runtime.exitFromRemote(remote, local, ExitReason.NOCONNECTION, true);
        }
    }

    void unlink(Pid local, Pid remote) {
        links.remove(new LinkKey(local, remote));
        sink.sendControl(
                remote.node(),
                frame(DataFrame.newBuilder()
                        .setUnlink(Unlink.newBuilder().setFrom(pid(local)).setTo(pid(remote)))));
    }

    /** Our {@code local} ended with {@code why} while linked to {@code remote}. */
    void linkExit(Pid local, Pid remote, ExitReason why) {
        if (links.remove(new LinkKey(local, remote))) {
            sendLinkExit(local, remote, why);
        }
    }

    void onLink(Link request) {
        Pid remote = pid(request.getFrom());
        Pid local = pid(request.getTo());
        LinkKey key = new LinkKey(local, remote);
        links.add(key); // before the runtime sees it, so an exit racing this link finds the key and reports once
        ExitReason gone = runtime.linkFromRemote(local, remote);
        if (gone != null && links.remove(key)) {
            sendLinkExit(local, remote, gone); // ended before the link: its real reason, or noproc
        }
    }

    void onUnlink(Unlink request) {
        Pid remote = pid(request.getFrom());
        Pid local = pid(request.getTo());
        links.remove(new LinkKey(local, remote));
        runtime.unlinkFromRemote(local, remote);
    }

    void onLinkExit(LinkExit notice) {
        Pid remote = pid(notice.getFrom());
        Pid local = pid(notice.getTo());
        if (links.remove(new LinkKey(local, remote))) {
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
        for (LinkKey key : List.copyOf(links)) {
            if (key.remote.node().equals(peer) && links.remove(key)) {
                runtime.exitFromRemote(key.remote, key.local, ExitReason.NOCONNECTION, true);
            }
        }
    }

    /** Entries held, for tests and gauges. */
    int size() {
        return outMonitors.size() + inMonitors.size() + links.size();
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
