package io.cohort.node.netty;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.ExitSignal;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.SendMany;
import io.cohort.node.wire.WireNodeId;
import io.cohort.node.wire.WirePid;

/**
 * Acts on the frames an admitted peer sends: deliveries into mailboxes, exit signals, and the link and monitor
 * protocol (in {@link RemoteWatches}). A frame about a process of another incarnation than ours, or claiming to come
 * from a process of another node than the connection's, is dropped and counted: nothing of a previous life of this
 * node is resurrected, and a peer cannot speak for a third node.
 */
final class InboundFrames {

    private final ProcessRuntime runtime;
    private final RemoteWatches watches;
    private final WireMessages wire;
    private final DataPlaneCounters counters;
    private final RateLimitedLog log;
    private final NodeId self;

    InboundFrames(
            ProcessRuntime runtime,
            RemoteWatches watches,
            WireMessages wire,
            DataPlaneCounters counters,
            RateLimitedLog log) {
        this.runtime = runtime;
        this.watches = watches;
        this.wire = wire;
        this.counters = counters;
        this.log = log;
        this.self = runtime.node();
    }

    /** Handles {@code frame} from {@code from}; malformed content throws, and the caller counts it. */
    void dispatch(NodeId from, DataFrame frame) {
        // An if-chain, not a switch on the case enum: forbiddenapis runs on JDK 17 (see NodeConfig.Discovery).
        DataFrame.KindCase kind = frame.getKindCase();
        if (kind == DataFrame.KindCase.SEND) {
            onSend(frame.getSend());
        } else if (kind == DataFrame.KindCase.SEND_MANY) {
            onSendMany(frame.getSendMany());
        } else if (kind == DataFrame.KindCase.EXIT_SIGNAL) {
            ExitSignal exit = frame.getExitSignal();
            if (ours(exit.getTo()) && sentBy(from, exit.getFrom())) {
                runtime.exitFromRemote(
                        WireMessages.pid(exit.getFrom()),
                        WireMessages.pid(exit.getTo()),
                        WireMessages.reason(exit.getReason()),
                        exit.getViaLink());
            }
        } else if (kind == DataFrame.KindCase.LINK) {
            if (ours(frame.getLink().getTo()) && sentBy(from, frame.getLink().getFrom())) {
                watches.onLink(frame.getLink());
            }
        } else if (kind == DataFrame.KindCase.UNLINK) {
            if (ours(frame.getUnlink().getTo())
                    && sentBy(from, frame.getUnlink().getFrom())) {
                watches.onUnlink(frame.getUnlink());
            }
        } else if (kind == DataFrame.KindCase.LINK_EXIT) {
            if (ours(frame.getLinkExit().getTo())
                    && sentBy(from, frame.getLinkExit().getFrom())) {
                watches.onLinkExit(frame.getLinkExit());
            }
        } else if (kind == DataFrame.KindCase.MONITOR) {
            if (ours(frame.getMonitor().getTarget())
                    && sentBy(from, frame.getMonitor().getWatcher())) {
                watches.onMonitor(frame.getMonitor());
            }
        } else if (kind == DataFrame.KindCase.DEMONITOR) {
            if (sentBy(from, frame.getDemonitor().getWatcher())) {
                watches.onDemonitor(frame.getDemonitor());
            }
        } else if (kind == DataFrame.KindCase.DOWN) {
            if (ours(frame.getDown().getWatcher())) {
                watches.onDown(from, frame.getDown());
            }
        } else {
            // Hello again, HelloAck on an inbound connection, or a kind from a newer version.
            counters.droppedUnexpected.increment();
        }
    }

    private void onSend(Send send) {
        // Addressed by serial alone, the frame is for this incarnation: the connection was admitted for it.
        Pid to = send.hasTo() ? null : new Pid(self, send.getToSerial());
        if (to == null) {
            if (!ours(send.getTo())) {
                return;
            }
            to = WireMessages.pid(send.getTo());
        }
        Object message;
        try {
            message = wire.decode(send.getMessage());
        } catch (WireMessages.UnknownTagException e) {
            droppedUnknownTag(to, e);
            return;
        }
        // A dead pid drops it silently, as Erlang's send does.
        runtime.send(to, message);
    }

    /** The hot path of {@link #onSend}: a user value for one of our processes, decoded by {@link UserSend}. */
    void onUserSend(UserSend.Inbound send) {
        Pid to = new Pid(self, send.toSerial());
        Object message;
        try {
            message = wire.value(send.tag(), send.data());
        } catch (WireMessages.UnknownTagException e) {
            droppedUnknownTag(to, e);
            return;
        }
        runtime.send(to, message);
    }

    private void droppedUnknownTag(Pid to, WireMessages.UnknownTagException e) {
        counters.droppedUnknownTag.increment();
        log.warn("tag", "dropped a message for " + to + ": " + e.getMessage() + " (register the codec on every node)");
    }

    private void onSendMany(SendMany many) {
        if (!ours(many.getTo())) {
            return;
        }
        Object message;
        try {
            message = wire.decode(many.getMessage());
        } catch (WireMessages.UnknownTagException e) {
            counters.droppedUnknownTag.increment();
            log.warn(
                    "tag",
                    "dropped a message for " + many.getSerialsCount() + " processes: " + e.getMessage()
                            + " (register the codec on every node)");
            return;
        }
        for (int i = 0; i < many.getSerialsCount(); i++) {
            runtime.send(new Pid(self, many.getSerials(i)), message);
        }
    }

    private boolean ours(WireNodeId node) {
        if (node.getName().equals(self.name()) && node.getIncarnation() == self.incarnation()) {
            return true;
        }
        counters.droppedForeignIncarnation.increment();
        log.warn(
                "incarnation", "dropped a frame for " + node.getName() + "#" + node.getIncarnation() + ", not " + self);
        return false;
    }

    private boolean ours(WirePid pid) {
        if (pid.getNode().equals(self.name()) && pid.getIncarnation() == self.incarnation()) {
            return true;
        }
        counters.droppedForeignIncarnation.increment();
        log.warn("incarnation", "dropped a frame for " + pid.getNode() + "#" + pid.getIncarnation() + ", not " + self);
        return false;
    }

    private boolean sentBy(NodeId from, WirePid pid) {
        Pid sender = WireMessages.pid(pid);
        if (sender.node().equals(from)) {
            return true;
        }
        counters.droppedUnexpected.increment();
        log.warn("spoof", "dropped a frame from " + from + " on behalf of " + sender);
        return false;
    }
}
