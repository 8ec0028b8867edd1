package io.cohort.node.jgroups;

import io.cohort.node.runtime.Metrics;
import java.util.Iterator;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Message;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.util.MessageBatch;

/**
 * JGroups' SYM_ENCRYPT with a key derived from the shared secret and counters for what it refuses.
 *
 * <p>SYM_ENCRYPT drops a message that has no encryption header (a node without the secret) or whose key version
 * differs from ours while its sender is not in our view (a node with another secret) and only logs it. Cohort counts
 * both ({@code membership.security.dropped}, tagged by reason) so a misconfigured or hostile node shows up in metrics.
 * Nothing else changes: the wire format is SYM_ENCRYPT's own, under its protocol id.
 *
 * <p>SYM_ENCRYPT itself still logs each refusal at ERROR under this class's logger name; JGroups' logging
 * bridge has no level above ERROR, so operators who expect hostile traffic should turn that logger off and rely on
 * the counters and Cohort's rate-limited warning.
 *
 * <p>Cipher: {@code AES/CBC/PKCS5Padding}, 256-bit key, a fresh random 16-byte IV per message. An authenticated mode
 * (GCM) would be preferable, but JGroups 5.5's {@code Encrypt} initialises every cipher with an
 * {@code IvParameterSpec}, which the JDK's GCM refuses; integrity of joins therefore rests on AUTH
 * ({@link HmacAuthToken}). See docs/membership.md.
 */
final class SecretEncryption extends SYM_ENCRYPT {

    private final Metrics.Counter missingHeader;
    private final Metrics.Counter foreignKey;
    private final Metrics.Counter undecryptable;
    private final RateLimitedLog log;

    SecretEncryption(SecretKeySpec key, Metrics metrics, RateLimitedLog log) {
        // Same header id as SYM_ENCRYPT, so the wire is SYM_ENCRYPT's and peers need no registration of this class.
        this.id = ClassConfigurator.getProtocolId(SYM_ENCRYPT.class);
        symAlgorithm("AES/CBC/PKCS5Padding");
        symIvLength(16);
        symKeylength(256);
        setSecretKey(key);
        this.missingHeader = metrics.counter("membership.security.dropped", "reason", "unencrypted");
        this.foreignKey = metrics.counter("membership.security.dropped", "reason", "foreign_key");
        this.undecryptable = metrics.counter("membership.security.dropped", "reason", "undecryptable");
        this.log = log;
    }

    @Override
    public Object up(Message msg) {
        if (msg.getHeader(id) == null) {
            refused(missingHeader, "unencrypted", msg);
        }
        return super.up(msg);
    }

    @Override
    public void up(MessageBatch batch) {
        for (Iterator<Message> it = batch.iterator(); it.hasNext(); ) {
            Message msg = it.next();
            if (msg.getHeader(id) == null) {
                refused(missingHeader, "unencrypted", msg);
            }
        }
        super.up(batch);
    }

    @Override
    protected Message decrypt(Cipher cipher, Message msg) throws Exception {
        Message plain;
        try {
            plain = super.decrypt(cipher, msg);
        } catch (Exception e) {
            refused(undecryptable, "undecryptable", msg);
            throw e;
        }
        if (plain == null) {
            refused(foreignKey, "encrypted with another key", msg);
        }
        return plain;
    }

    private void refused(Metrics.Counter counter, String why, Message msg) {
        counter.increment();
        log.warn(
                "security." + why,
                () -> "dropped a message from " + IdentityAddress.describe(msg.getSrc()) + " that was " + why
                        + ": a node without the cluster's shared secret is trying to talk to it");
    }
}
