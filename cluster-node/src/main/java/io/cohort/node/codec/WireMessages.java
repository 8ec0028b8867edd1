package io.cohort.node.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ServerContext;
import io.cohort.node.process.ServerMessage;
import io.cohort.node.process.Signal;
import io.cohort.node.wire.Payload;
import io.cohort.node.wire.WireExitReason;
import io.cohort.node.wire.WireMessage;
import io.cohort.node.wire.WireNodeId;
import io.cohort.node.wire.WirePid;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps what processes send each other to the data plane's Protobuf messages and back: pids, exit reasons, the system
 * messages that must cross nodes ({@link ServerMessage.Call}, {@code Cast}, {@code Reply}, {@code Stop},
 * {@link Signal.Down}, {@link Signal.Exit}) as dedicated messages, and user values through {@link Codecs}.
 *
 * <p>Encoding fails fast with {@link IllegalArgumentException} (the sender made a mistake: no codec). Decoding throws
 * {@link UnknownTagException} for a payload no codec here understands and any other runtime exception for malformed
 * content; the transport counts both and drops the message.
 */
public final class WireMessages {

    private final Codecs codecs;
    /** The UTF-8 bytes of each tag encoded so far (a handful: one per codec). */
    private final Map<String, ByteString> tagBytes = new ConcurrentHashMap<>();

    public WireMessages(Codecs codecs) {
        this.codecs = Objects.requireNonNull(codecs, "codecs");
    }

    public Codecs codecs() {
        return codecs;
    }

    /** A payload tag no codec on this node knows. */
    public static final class UnknownTagException extends RuntimeException {
        public UnknownTagException(String tag) {
            super("no codec for tag '" + tag + "'", null, false, false);
        }
    }

    // --- messages ---------------------------------------------------------------------------------------------

    /**
     * The wire form of {@code message}.
     *
     * @throws IllegalArgumentException when a user value has no codec
     */
    public WireMessage encode(Object message) {
        WireMessage.Builder wire = WireMessage.newBuilder();
        if (message instanceof ServerMessage.Call call) {
            wire.setCall(WireMessage.CallMsg.newBuilder()
                    .setReplyTo(pid(call.from().replyTo()))
                    .setRef(call.from().ref())
                    .setRequest(payload(call.request())));
        } else if (message instanceof ServerMessage.Cast cast) {
            wire.setCast(WireMessage.CastMsg.newBuilder().setMessage(payload(cast.message())));
        } else if (message instanceof ServerMessage.Reply reply) {
            wire.setReply(WireMessage.ReplyMsg.newBuilder().setRef(reply.ref()).setValue(payload(reply.value())));
        } else if (message instanceof ServerMessage.Stop stop) {
            wire.setStop(WireMessage.StopMsg.newBuilder().setReason(reason(stop.reason())));
        } else if (message instanceof Signal.Down down) {
            wire.setDown(WireMessage.DownMsg.newBuilder()
                    .setRef(down.monitorRef())
                    .setPid(pid(down.pid()))
                    .setReason(reason(down.reason())));
        } else if (message instanceof Signal.Exit exit) {
            wire.setExit(
                    WireMessage.ExitMsg.newBuilder().setFrom(pid(exit.from())).setReason(reason(exit.reason())));
        } else if (message instanceof ServerMessage) {
            // GetState and Trace carry local objects (a trace sink) and are node-local by design.
            throw new IllegalArgumentException(
                    message.getClass().getName() + " is node-local and cannot be sent to another node");
        } else {
            wire.setUser(payload(message));
        }
        return wire.build();
    }

    /** The message {@code wire} carries. */
    public Object decode(WireMessage wire) {
        // An if-chain, not a switch on the case enum: forbiddenapis runs on JDK 17 (see NodeConfig.Discovery).
        WireMessage.KindCase kind = wire.getKindCase();
        if (kind == WireMessage.KindCase.USER) {
            return value(wire.getUser());
        } else if (kind == WireMessage.KindCase.CALL) {
            WireMessage.CallMsg call = wire.getCall();
            return new ServerMessage.Call(
                    new ServerContext.From(pid(call.getReplyTo()), call.getRef()), value(call.getRequest()));
        } else if (kind == WireMessage.KindCase.CAST) {
            return new ServerMessage.Cast(value(wire.getCast().getMessage()));
        } else if (kind == WireMessage.KindCase.REPLY) {
            return new ServerMessage.Reply(
                    wire.getReply().getRef(), value(wire.getReply().getValue()));
        } else if (kind == WireMessage.KindCase.STOP) {
            return new ServerMessage.Stop(reason(wire.getStop().getReason()));
        } else if (kind == WireMessage.KindCase.DOWN) {
            WireMessage.DownMsg down = wire.getDown();
            return new Signal.Down(down.getRef(), pid(down.getPid()), reason(down.getReason()));
        } else if (kind == WireMessage.KindCase.EXIT) {
            return new Signal.Exit(
                    pid(wire.getExit().getFrom()), reason(wire.getExit().getReason()));
        }
        throw new IllegalArgumentException("message without content (or from a newer version): " + kind);
    }

    /** A user value's payload; null travels as the empty tag (a server may reply null). */
    public Payload payload(Object value) {
        if (value == null) {
            return Payload.getDefaultInstance();
        }
        // The codec's array is ours from here on (see Codec#encode), so it is wrapped rather than copied.
        EncodedUser encoded = encodeUser(value);
        return Payload.newBuilder()
                .setTagBytes(encoded.tag())
                .setData(UnsafeByteOperations.unsafeWrap(encoded.bytes()))
                .build();
    }

    /** The user value of {@code payload}. */
    public Object value(Payload payload) {
        if (payload.getTag().isEmpty()) {
            return null;
        }
        return value(payload.getTag(), payload.getData().toByteArray());
    }

    /**
     * The user value of {@code bytes} encoded by the codec tagged {@code tag}; the array goes to the codec.
     *
     * @throws UnknownTagException when no codec here has that tag
     */
    public Object value(String tag, byte[] bytes) {
        return codecs.decode(tag, bytes).orElseThrow(() -> new UnknownTagException(tag));
    }

    /**
     * True when {@code message} travels as a plain user payload (not a system message, not null): the data plane's
     * hot path encodes those frames itself, with {@link #encodeUser}.
     */
    public static boolean isUserValue(Object message) {
        return message != null && !(message instanceof ServerMessage) && !(message instanceof Signal);
    }

    /** A user value's codec tag (as UTF-8 bytes, computed once per tag) and encoding, for {@link #isUserValue}. */
    public EncodedUser encodeUser(Object value) {
        Codecs.Encoded encoded = codecs.encode(value);
        return new EncodedUser(tagBytes.computeIfAbsent(encoded.tag(), ByteString::copyFromUtf8), encoded.bytes());
    }

    /** What {@link #encodeUser} returns; the array is the codec's fresh output. */
    public record EncodedUser(ByteString tag, byte[] bytes) {}

    // --- identities -------------------------------------------------------------------------------------------

    public static WirePid pid(Pid pid) {
        return WirePid.newBuilder()
                .setNode(pid.node().name())
                .setIncarnation(pid.node().incarnation())
                .setSerial(pid.serial())
                .build();
    }

    /** @throws IllegalArgumentException when the fields do not make a valid pid */
    public static Pid pid(WirePid wire) {
        return new Pid(new NodeId(wire.getNode(), wire.getIncarnation()), wire.getSerial());
    }

    public static WireNodeId nodeId(NodeId id) {
        return WireNodeId.newBuilder()
                .setName(id.name())
                .setIncarnation(id.incarnation())
                .build();
    }

    /** @throws IllegalArgumentException when the fields do not make a valid node id */
    public static NodeId nodeId(WireNodeId wire) {
        return new NodeId(wire.getName(), wire.getIncarnation());
    }

    // --- exit reasons -----------------------------------------------------------------------------------------

    public static WireExitReason reason(ExitReason reason) {
        WireExitReason.Builder wire = WireExitReason.newBuilder();
        if (reason instanceof ExitReason.Normal) {
            wire.setNormal(true);
        } else if (reason instanceof ExitReason.Shutdown) {
            wire.setShutdown(true);
        } else if (reason instanceof ExitReason.Killed) {
            wire.setKilled(true);
        } else if (reason instanceof ExitReason.NoProc) {
            wire.setNoproc(true);
        } else if (reason instanceof ExitReason.NoConnection) {
            wire.setNoconnection(true);
        } else if (reason instanceof ExitReason.Failure failure) {
            wire.setFailure(WireExitReason.Failure.newBuilder()
                    .setExceptionClass(failure.exceptionClass())
                    .setMessage(String.valueOf(failure.message())));
        } else if (reason instanceof ExitReason.Custom custom) {
            wire.setCustom(custom.reason());
        } else {
            throw new IllegalArgumentException("unknown exit reason " + reason);
        }
        return wire.build();
    }

    /** The reason {@code wire} names; an empty or newer one reads as a custom reason rather than failing. */
    public static ExitReason reason(WireExitReason wire) {
        WireExitReason.KindCase kind = wire.getKindCase();
        if (kind == WireExitReason.KindCase.NORMAL) {
            return ExitReason.NORMAL;
        } else if (kind == WireExitReason.KindCase.SHUTDOWN) {
            return ExitReason.SHUTDOWN;
        } else if (kind == WireExitReason.KindCase.KILLED) {
            return ExitReason.KILLED;
        } else if (kind == WireExitReason.KindCase.NOPROC) {
            return ExitReason.NOPROC;
        } else if (kind == WireExitReason.KindCase.NOCONNECTION) {
            return ExitReason.NOCONNECTION;
        } else if (kind == WireExitReason.KindCase.FAILURE) {
            return new ExitReason.Failure(
                    wire.getFailure().getExceptionClass(), wire.getFailure().getMessage());
        } else if (kind == WireExitReason.KindCase.CUSTOM) {
            return new ExitReason.Custom(wire.getCustom());
        }
        // A reason kind added by a newer version: still an abnormal end, so links and supervisors react to it.
        return new ExitReason.Custom("unknown");
    }
}
