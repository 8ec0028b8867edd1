package io.cohort.node.jgroups;

import io.cohort.node.NodeId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jgroups.Address;
import org.jgroups.util.ExtendedUUID;

/**
 * Puts a node's identity into its JGroups address, and reads it back.
 *
 * <p>Every JGroups view lists member addresses, and every message carries its sender's address. Making that address
 * an {@link ExtendedUUID} that holds the {@link NodeId} (name and incarnation) and the published attributes means any
 * member can turn a view into {@code NodeId}s, and attribute a message, with nothing but what JGroups already carries:
 * no extra exchange, no race between "saw the view" and "learnt who that is". The UUID part stays random, so two
 * lives of one name are two addresses.
 *
 * <p>Limits come from ExtendedUUID: at most 255 entries, values at most 255 bytes. Attributes are meant to be small
 * (a data-plane host and port); larger ones are refused when the control plane is built.
 */
final class IdentityAddress {

    static final String NAME_KEY = "cohort.n";
    static final String INCARNATION_KEY = "cohort.i";
    static final String ATTRIBUTE_PREFIX = "cohort.a.";
    static final int MAX_ATTRIBUTES = 32;
    static final int MAX_VALUE_BYTES = 255;

    /** What a member put into its address. */
    record Identity(NodeId node, Map<String, String> attributes) {
        Identity {
            attributes = Map.copyOf(attributes);
        }
    }

    private IdentityAddress() {}

    /** Fails fast on attributes that cannot travel in an address (a programming error of the caller). */
    static void checkAttributes(Map<String, String> attributes) {
        if (attributes.size() > MAX_ATTRIBUTES) {
            throw new IllegalArgumentException(
                    "at most " + MAX_ATTRIBUTES + " attributes travel with the address, got " + attributes.size());
        }
        attributes.forEach((key, value) -> {
            if (key.isEmpty() || bytes(ATTRIBUTE_PREFIX + key).length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "attribute key must be 1.." + (MAX_VALUE_BYTES - 9) + " bytes: '" + key + "'");
            }
            if (bytes(value).length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException(
                        "attribute '" + key + "' is longer than " + MAX_VALUE_BYTES + " bytes in UTF-8");
            }
        });
    }

    /** A fresh random address carrying {@code node} and {@code attributes}. */
    static ExtendedUUID create(NodeId node, Map<String, String> attributes) {
        checkAttributes(attributes);
        ExtendedUUID address = ExtendedUUID.randomUUID(node.toString());
        address.put(NAME_KEY, bytes(node.name()));
        address.put(
                INCARNATION_KEY,
                ByteBuffer.allocate(Long.BYTES).putLong(node.incarnation()).array());
        new TreeMap<>(attributes).forEach((key, value) -> address.put(ATTRIBUTE_PREFIX + key, bytes(value)));
        return address;
    }

    /**
     * The identity in {@code address}, or empty when it is not a Cohort address (another JGroups application on the
     * same cluster name) or its entries are malformed. Never throws: addresses come from the network.
     */
    static Optional<Identity> decode(Address address) {
        if (!(address instanceof ExtendedUUID uuid)) {
            return Optional.empty();
        }
        byte[] name = uuid.get(NAME_KEY);
        byte[] incarnation = uuid.get(INCARNATION_KEY);
        if (name == null || incarnation == null || incarnation.length != Long.BYTES) {
            return Optional.empty();
        }
        NodeId node;
        try {
            node = new NodeId(
                    new String(name, StandardCharsets.UTF_8),
                    ByteBuffer.wrap(incarnation).getLong());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Map<String, String> attributes = new TreeMap<>(new EntryView(uuid).attributes());
        return Optional.of(new Identity(node, attributes));
    }

    /**
     * ExtendedUUID offers lookups by key but no iteration; its entry arrays are protected, so a copy made through
     * this subclass can list them. Copying costs a few array references per decoded address.
     */
    private static final class EntryView extends ExtendedUUID {
        EntryView(ExtendedUUID source) {
            super(source);
        }

        Map<String, String> attributes() {
            Map<String, String> out = new TreeMap<>();
            if (keys == null) {
                return out;
            }
            for (int i = 0; i < keys.length; i++) {
                if (keys[i] == null || values[i] == null) {
                    continue;
                }
                String key = new String(keys[i], StandardCharsets.UTF_8);
                if (key.startsWith(ATTRIBUTE_PREFIX) && out.size() < MAX_ATTRIBUTES) {
                    out.put(key.substring(ATTRIBUTE_PREFIX.length()), new String(values[i], StandardCharsets.UTF_8));
                }
            }
            return out;
        }
    }

    /** A readable name for log lines: the NodeId when the address carries one (ExtendedUUID prints raw bytes). */
    static String describe(Address address) {
        return decode(address).map(identity -> identity.node().toString()).orElse(String.valueOf(address));
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
