package io.cohort.node.codec;

/**
 * Turns one kind of user value into bytes and back, so it can travel to a process on another node. Java native
 * serialization is never used: every type that crosses nodes has a codec, registered with {@link Codecs}.
 *
 * <p>A codec is identified on the wire by its {@link #tag}; the receiving node must have a codec with the same tag,
 * or the message is dropped and counted there. Implementations must be thread-safe and stateless.
 */
public interface Codec {

    /** The name of this codec on the wire, unique within a {@link Codecs} registry (e.g. {@code "orders.Order"}). */
    String tag();

    /** True when this codec can encode {@code value}. */
    boolean handles(Object value);

    /**
     * The bytes of {@code value}; only called when {@link #handles} said yes. The runtime takes the returned array
     * over without copying it: return a fresh array, never one the codec or the value keeps and may change later.
     */
    byte[] encode(Object value);

    /**
     * The value {@code bytes} encode. The array is the codec's own (the runtime never reads it again), so the value
     * may keep it.
     *
     * @throws IllegalArgumentException (or any runtime exception) when the bytes are not a valid encoding; the data
     *     plane drops and counts such a message
     */
    Object decode(byte[] bytes);
}
