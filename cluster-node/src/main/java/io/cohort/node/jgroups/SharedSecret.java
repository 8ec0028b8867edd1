package io.cohort.node.jgroups;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two keys a cluster's shared secret stands for: one for encrypting traffic (AES-256) and one for authenticating
 * joins (HMAC-SHA256).
 *
 * <p>Both come from one PBKDF2-HMAC-SHA256 derivation of the secret, salted with the cluster name so the same secret
 * gives unrelated keys in two clusters, and stretched so a captured message does not make guessing a weak secret
 * cheap. Splitting one output into two halves keeps the keys independent: learning one reveals nothing of the other.
 * The secret itself never leaves the node; only ciphertext and MACs made with the derived keys travel.
 */
final class SharedSecret {

    /** Slows a brute-force guess down; about 50-100 ms once per node start. */
    static final int ITERATIONS = 120_000;

    private static final String SALT_PREFIX = "cohort/membership/v1/";

    private final SecretKeySpec encryptionKey;
    private final SecretKeySpec authenticationKey;

    private SharedSecret(SecretKeySpec encryptionKey, SecretKeySpec authenticationKey) {
        this.encryptionKey = encryptionKey;
        this.authenticationKey = authenticationKey;
    }

    static SharedSecret derive(String secret, String clusterName) {
        char[] password = secret.toCharArray();
        byte[] salt = (SALT_PREFIX + clusterName).getBytes(StandardCharsets.UTF_8);
        PBEKeySpec spec = new PBEKeySpec(password, salt, ITERATIONS, 512);
        byte[] material = null;
        try {
            material = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256")
                    .generateSecret(spec)
                    .getEncoded();
            return new SharedSecret(
                    new SecretKeySpec(material, 0, 32, "AES"), new SecretKeySpec(material, 32, 32, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM lacks PBKDF2WithHmacSHA256, which every JDK ships", e);
        } finally {
            spec.clearPassword();
            Arrays.fill(password, '\0');
            if (material != null) {
                Arrays.fill(material, (byte) 0);
            }
        }
    }

    SecretKeySpec encryptionKey() {
        return encryptionKey;
    }

    SecretKeySpec authenticationKey() {
        return authenticationKey;
    }
}
