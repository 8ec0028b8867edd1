package io.cohort.node.codec;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The codecs a node knows: built-ins for {@code byte[]}, {@link String}, {@link Long}, {@link Integer},
 * {@link Boolean} and Protobuf messages, plus any the application registers. Both ends of a message need the same
 * codec (by tag); register application codecs on every node before sending.
 *
 * <p>Protobuf messages are tagged {@code proto:<full type name>}. Any message can be sent, but a receiver decodes
 * only the types registered with {@link #registerProtobuf}; others are dropped and counted there.
 *
 * <p>Lookup on send tries exact-class matches first (a map, the common case), then each codec's {@link
 * Codec#handles} in registration order, user codecs before built-ins so an application can override them.
 */
public final class Codecs {

    /** Prefix of the tags of Protobuf messages. */
    public static final String PROTOBUF_PREFIX = "proto:";

    /** Codecs by tag, for decoding. */
    private final Map<String, Codec> byTag = new ConcurrentHashMap<>();
    /** User codecs in registration order, consulted before the built-ins on encode. */
    private final List<Codec> userCodecs = new CopyOnWriteArrayList<>();
    /** Built-in codecs by the exact class they encode: the fast path on send. */
    private final Map<Class<?>, Codec> builtIns = new ConcurrentHashMap<>();
    /** Protobuf parsers by full type name. */
    private final Map<String, Parser<? extends Message>> protobufParsers = new ConcurrentHashMap<>();

    public Codecs() {
        builtIn(byte[].class, new Simple("bytes", byte[].class, v -> ((byte[]) v).clone(), b -> b));
        builtIn(
                String.class,
                new Simple(
                        "string",
                        String.class,
                        v -> ((String) v).getBytes(StandardCharsets.UTF_8),
                        b -> new String(b, StandardCharsets.UTF_8)));
        builtIn(
                Long.class,
                new Simple(
                        "long",
                        Long.class,
                        v -> ByteBuffer.allocate(8).putLong((Long) v).array(),
                        b -> {
                            requireLength(b, 8, "long");
                            return ByteBuffer.wrap(b).getLong();
                        }));
        builtIn(
                Integer.class,
                new Simple(
                        "int",
                        Integer.class,
                        v -> ByteBuffer.allocate(4).putInt((Integer) v).array(),
                        b -> {
                            requireLength(b, 4, "int");
                            return ByteBuffer.wrap(b).getInt();
                        }));
        builtIn(
                Boolean.class,
                new Simple("bool", Boolean.class, v -> new byte[] {(byte) (((Boolean) v) ? 1 : 0)}, b -> {
                    requireLength(b, 1, "bool");
                    return b[0] != 0;
                }));
    }

    /**
     * Adds an application codec; it takes precedence over the built-ins for the values it handles.
     *
     * @throws IllegalArgumentException when its tag is taken or starts with {@value #PROTOBUF_PREFIX}
     */
    public Codecs register(Codec codec) {
        Objects.requireNonNull(codec, "codec");
        String tag = Objects.requireNonNull(codec.tag(), "tag");
        if (tag.isEmpty() || tag.startsWith(PROTOBUF_PREFIX)) {
            throw new IllegalArgumentException(
                    "codec tag must be non-empty and not start with '" + PROTOBUF_PREFIX + "': '" + tag + "'");
        }
        if (byTag.putIfAbsent(tag, codec) != null) {
            throw new IllegalArgumentException("a codec tagged '" + tag + "' is already registered");
        }
        userCodecs.add(codec);
        return this;
    }

    /** Lets this node decode Protobuf messages of {@code defaultInstance}'s type. */
    public Codecs registerProtobuf(Message defaultInstance) {
        protobufParsers.put(defaultInstance.getDescriptorForType().getFullName(), defaultInstance.getParserForType());
        return this;
    }

    /**
     * The codec for {@code value}, or empty when none handles it. Protobuf messages always have one (see the class
     * comment).
     */
    public Optional<Codec> codecFor(Object value) {
        for (Codec codec : userCodecs) {
            if (codec.handles(value)) {
                return Optional.of(codec);
            }
        }
        Codec builtIn = builtIns.get(value.getClass());
        if (builtIn != null) {
            return Optional.of(builtIn);
        }
        if (value instanceof Message message) {
            return Optional.of(new ProtobufCodec(message.getDescriptorForType().getFullName()));
        }
        return Optional.empty();
    }

    /**
     * Encodes {@code value} as (tag, bytes).
     *
     * @throws IllegalArgumentException when no codec handles the value's class
     */
    public Encoded encode(Object value) {
        Objects.requireNonNull(value, "value");
        Codec codec = codecFor(value)
                .orElseThrow(
                        () -> new IllegalArgumentException(
                                "no codec for "
                                        + value.getClass().getName()
                                        + ": messages to other nodes need one; register a Codec with the node's "
                                        + "Codecs (Codecs.register), send a Protobuf message, or use byte[], String, Long, Integer or Boolean"));
        return new Encoded(codec.tag(), codec.encode(value));
    }

    /** The value of (tag, bytes), or empty when no codec has that tag. Malformed bytes throw (see {@link Codec}). */
    public Optional<Object> decode(String tag, byte[] bytes) {
        Codec codec = byTag.get(tag);
        if (codec != null) {
            return Optional.of(codec.decode(bytes));
        }
        if (tag.startsWith(PROTOBUF_PREFIX)) {
            Parser<? extends Message> parser = protobufParsers.get(tag.substring(PROTOBUF_PREFIX.length()));
            if (parser != null) {
                try {
                    return Optional.of(parser.parseFrom(bytes));
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("malformed " + tag, e);
                }
            }
        }
        return Optional.empty();
    }

    /** A value's encoding: the tag of its codec and its bytes. */
    public record Encoded(String tag, byte[] bytes) {
        public Encoded {
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(bytes, "bytes");
        }
    }

    private void builtIn(Class<?> type, Codec codec) {
        builtIns.put(type, codec);
        byTag.put(codec.tag(), codec);
    }

    private static void requireLength(byte[] bytes, int length, String what) {
        if (bytes.length != length) {
            throw new IllegalArgumentException(what + " needs " + length + " bytes, got " + bytes.length);
        }
    }

    /** A built-in codec for one exact class. */
    private record Simple(
            String tag,
            Class<?> type,
            java.util.function.Function<Object, byte[]> encoder,
            java.util.function.Function<byte[], Object> decoder)
            implements Codec {
        @Override
        public boolean handles(Object value) {
            return type.isInstance(value);
        }

        @Override
        public byte[] encode(Object value) {
            return encoder.apply(value);
        }

        @Override
        public Object decode(byte[] bytes) {
            return decoder.apply(bytes);
        }
    }

    /** Encodes any Protobuf message; decoding goes through the registered parsers instead. */
    private record ProtobufCodec(String typeName) implements Codec {
        @Override
        public String tag() {
            return PROTOBUF_PREFIX + typeName;
        }

        @Override
        public boolean handles(Object value) {
            return value instanceof Message;
        }

        @Override
        public byte[] encode(Object value) {
            return ((Message) value).toByteArray();
        }

        @Override
        public Object decode(byte[] bytes) {
            throw new UnsupportedOperationException("decoded through the registered parser");
        }
    }
}
