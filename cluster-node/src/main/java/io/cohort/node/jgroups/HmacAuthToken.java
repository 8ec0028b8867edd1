package io.cohort.node.jgroups;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.Message;
import org.jgroups.auth.AuthToken;
import org.jgroups.util.UUID;
import org.jgroups.util.Util;

/**
 * Proves to the coordinator (and back to the joiner) that the sender of a join or merge request knows the cluster's
 * shared secret, without sending the secret.
 *
 * <p>The token is {@code HMAC-SHA256(authKey, "cohort-auth/1" | cluster | sender UUID | issuedAtMs)}: it binds the
 * proof to one cluster and to the sender's own address, so a token cannot be lifted onto another address, and a stale
 * one (older than {@link #MAX_AGE_MS}) is refused. The receiver recomputes the MAC with its own key and compares in
 * constant time ({@link MessageDigest#isEqual}). The key is derived from the secret ({@link SharedSecret}); the
 * secret itself never travels.
 *
 * <p>JGroups' AUTH protocol creates the receiving copy reflectively, so this class is public with a public no-argument
 * constructor; such a copy carries only the wire fields and never authenticates anything itself.
 */
public final class HmacAuthToken extends AuthToken {

    /** Tokens older (or further in the future, for skewed clocks) than this are refused: a bound on replay. */
    static final long MAX_AGE_MS = 5 * 60 * 1000L;

    /** Registered with JGroups' ClassConfigurator so the wire carries this number, not a class name. */
    static final short MAGIC_NUMBER = 3117;

    private static final byte WIRE_VERSION = 1;
    private static final int MAC_BYTES = 32;

    // Local (authenticating) side only.
    private final SecretKeySpec key;
    private final String clusterName;
    private final Runnable onRejected;

    // Wire fields, set when a received token is read.
    private byte version;
    private Address claimedSender;
    private long issuedAtMs;
    private byte[] mac = new byte[0];

    /** For JGroups' reflective creation of received tokens. */
    public HmacAuthToken() {
        this(null, null, () -> {});
    }

    HmacAuthToken(SecretKeySpec key, String clusterName, Runnable onRejected) {
        this.key = key;
        this.clusterName = clusterName;
        this.onRejected = onRejected;
    }

    @Override
    public String getName() {
        return HmacAuthToken.class.getName();
    }

    @Override
    public int size() {
        Address self = auth != null ? auth.getAddress() : claimedSender;
        return 1 + Util.size(self) + Long.BYTES + 1 + MAC_BYTES;
    }

    /** Writes a fresh proof for this node's current address; called each time a join or merge message is sent. */
    @Override
    public void writeTo(DataOutput out) throws IOException {
        if (key == null || auth == null) {
            throw new IOException("only the local token of a running channel can be sent");
        }
        Address self = auth.getAddress();
        long now = System.currentTimeMillis();
        out.writeByte(WIRE_VERSION);
        Util.writeAddress(self, out);
        out.writeLong(now);
        byte[] proof = mac(key, clusterName, self, now);
        out.writeByte(proof.length);
        out.write(proof);
    }

    @Override
    public void readFrom(DataInput in) throws IOException {
        version = in.readByte();
        try {
            claimedSender = Util.readAddress(in);
        } catch (ClassNotFoundException e) {
            throw new IOException("unknown address type in auth token", e);
        }
        issuedAtMs = in.readLong();
        int length = in.readUnsignedByte();
        if (length != MAC_BYTES) {
            throw new IOException("auth token MAC must be " + MAC_BYTES + " bytes, got " + length);
        }
        mac = new byte[length];
        in.readFully(mac);
    }

    @Override
    public boolean authenticate(AuthToken token, Message msg) {
        if (token == this && auth != null && Objects.equals(msg.getSrc(), auth.getAddress())) {
            // A message to ourselves (the merge leader also sends MERGE_REQ to itself) is looped back without being
            // serialized, so its header holds this very instance, never written: it never left the process.
            return true;
        }
        boolean valid = key != null
                && token instanceof HmacAuthToken other
                && other.version == WIRE_VERSION
                && other.claimedSender != null
                && other.claimedSender.equals(msg.getSrc())
                && Math.abs(System.currentTimeMillis() - other.issuedAtMs) <= MAX_AGE_MS
                && MessageDigest.isEqual(mac(key, clusterName, other.claimedSender, other.issuedAtMs), other.mac);
        if (!valid) {
            onRejected.run();
        }
        return valid;
    }

    private static byte[] mac(SecretKeySpec key, String clusterName, Address sender, long issuedAtMs) {
        if (!(sender instanceof UUID uuid)) {
            // Only UUID addresses (ours are ExtendedUUIDs) have a stable binary identity to bind the proof to.
            return new byte[MAC_BYTES];
        }
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(key);
            hmac.update("cohort-auth/1".getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(clusterName.getBytes(StandardCharsets.UTF_8));
            hmac.update((byte) 0);
            hmac.update(ByteBuffer.allocate(3 * Long.BYTES)
                    .putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits())
                    .putLong(issuedAtMs)
                    .array());
            return hmac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "HmacAuthToken[" + claimedSender + "]";
    }
}
