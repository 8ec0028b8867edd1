package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.Address;
import org.jgroups.EmptyMessage;
import org.jgroups.protocols.AUTH;
import org.junit.jupiter.api.Test;

/** The join proof: valid only with the same key, cluster and sender address; refusals are reported. */
class HmacAuthTokenTest {

    private static final SharedSecret KEYS = SharedSecret.derive("a shared secret of length", "cluster-one");
    private final AtomicInteger rejections = new AtomicInteger();
    private final Address joiner = IdentityAddress.create(new NodeId("joiner", 1), Map.of());

    private HmacAuthToken local(SecretKeySpec key, String cluster, Address self) {
        HmacAuthToken token = new HmacAuthToken(key, cluster, rejections::incrementAndGet);
        AUTH auth = new AUTH();
        auth.setAddress(self);
        token.setAuth(auth);
        return token;
    }

    private static HmacAuthToken overTheWire(HmacAuthToken sent) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        sent.writeTo(new DataOutputStream(bytes));
        assertThat(bytes.size()).isEqualTo(sent.size());
        HmacAuthToken received = new HmacAuthToken();
        received.readFrom(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        return received;
    }

    @Test
    void sameSecretAndClusterAuthenticates() throws IOException {
        HmacAuthToken received = overTheWire(local(KEYS.authenticationKey(), "cluster-one", joiner));
        HmacAuthToken coordinator = local(KEYS.authenticationKey(), "cluster-one", null);
        assertThat(coordinator.authenticate(received, new EmptyMessage().setSrc(joiner)))
                .isTrue();
        assertThat(rejections).hasValue(0);
    }

    @Test
    void wrongSecretIsRefusedAndReported() throws IOException {
        SharedSecret other = SharedSecret.derive("another secret of length", "cluster-one");
        HmacAuthToken received = overTheWire(local(other.authenticationKey(), "cluster-one", joiner));
        HmacAuthToken coordinator = local(KEYS.authenticationKey(), "cluster-one", null);
        assertThat(coordinator.authenticate(received, new EmptyMessage().setSrc(joiner)))
                .isFalse();
        assertThat(rejections).hasValue(1);
    }

    @Test
    void proofIsBoundToTheSenderAddressAndCluster() throws IOException {
        HmacAuthToken received = overTheWire(local(KEYS.authenticationKey(), "cluster-one", joiner));
        Address impostor = IdentityAddress.create(new NodeId("impostor", 1), Map.of());
        assertThat(local(KEYS.authenticationKey(), "cluster-one", null)
                        .authenticate(received, new EmptyMessage().setSrc(impostor)))
                .isFalse();
        assertThat(local(KEYS.authenticationKey(), "cluster-two", null)
                        .authenticate(received, new EmptyMessage().setSrc(joiner)))
                .isFalse();
        assertThat(rejections).hasValue(2);
    }

    @Test
    void loopedBackMessagesCarryTheLocalTokenItself() {
        HmacAuthToken self = local(KEYS.authenticationKey(), "cluster-one", joiner);
        assertThat(self.authenticate(self, new EmptyMessage().setSrc(joiner))).isTrue();
        Address other = IdentityAddress.create(new NodeId("other", 1), Map.of());
        assertThat(self.authenticate(self, new EmptyMessage().setSrc(other))).isFalse();
    }

    @Test
    void derivedKeysDependOnTheClusterName() {
        SharedSecret otherCluster = SharedSecret.derive("a shared secret of length", "cluster-two");
        assertThat(otherCluster.encryptionKey().getEncoded())
                .isNotEqualTo(KEYS.encryptionKey().getEncoded());
        assertThat(KEYS.encryptionKey().getEncoded())
                .isNotEqualTo(KEYS.authenticationKey().getEncoded());
        assertThat(KEYS.encryptionKey().getEncoded()).hasSize(32);
    }
}
