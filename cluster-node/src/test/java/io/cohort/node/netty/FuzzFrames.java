package io.cohort.node.netty;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.process.ExitReason;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.Demonitor;
import io.cohort.node.wire.Down;
import io.cohort.node.wire.ExitSignal;
import io.cohort.node.wire.Link;
import io.cohort.node.wire.LinkExit;
import io.cohort.node.wire.Monitor;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.Unlink;

/** Valid frames of every kind, as seeds for mutation. */
final class FuzzFrames {

    private FuzzFrames() {}

    static DataFrame sample(int index, NodeId self, NodeId peer) {
        WireMessages wire = new WireMessages(new io.cohort.node.codec.Codecs());
        var local = WireMessages.pid(new Pid(self, 1 + Math.floorMod(index, 4)));
        var remote = WireMessages.pid(new Pid(peer, 7));
        var reason = WireMessages.reason(new ExitReason.Failure("x.Y", "boom"));
        DataFrame.Builder frame = DataFrame.newBuilder().setVersion(Frames.VERSION);
        switch (Math.floorMod(index, 11)) {
            case 0 -> frame.setSend(Send.newBuilder().setTo(local).setMessage(wire.encode("hello")));
            case 1 ->
                frame.setExitSignal(
                        ExitSignal.newBuilder().setFrom(remote).setTo(local).setReason(reason));
            case 2 -> frame.setLink(Link.newBuilder().setFrom(remote).setTo(local));
            case 3 -> frame.setUnlink(Unlink.newBuilder().setFrom(remote).setTo(local));
            case 4 ->
                frame.setLinkExit(
                        LinkExit.newBuilder().setFrom(remote).setTo(local).setReason(reason));
            case 5 ->
                frame.setMonitor(
                        Monitor.newBuilder().setWatcher(remote).setTarget(local).setRef(index));
            case 6 ->
                frame.setDemonitor(Demonitor.newBuilder().setWatcher(remote).setRef(index));
            case 7 ->
                frame.setDown(Down.newBuilder()
                        .setWatcher(local)
                        .setRef(index)
                        .setTarget(remote)
                        .setReason(reason));
            case 8 ->
                frame.setSendMany(io.cohort.node.wire.SendMany.newBuilder()
                        .setTo(WireMessages.nodeId(self))
                        .addSerials(1)
                        .addSerials(2)
                        .setMessage(wire.encode("to many")));
            case 9 -> frame.setSend(Send.newBuilder().setTo(local).setMessage(wire.encode(42L)));
            // The hot frame, which the decoder reads by hand (UserSend): addressed by serial alone.
            default ->
                frame.setSend(Send.newBuilder()
                        .setToSerial(1 + Math.floorMod(index, 4))
                        .setMessage(wire.encode(new byte[] {1, 2, 3})));
        }
        return frame.build();
    }
}
