package io.cohort.node.netty;

import static io.cohort.node.netty.DataPlaneCluster.BOUND;
import static io.cohort.node.netty.DataPlaneCluster.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.config.NodeConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-plane connections with mutual TLS: members holding certificates the others trust exchange messages; a node
 * whose certificate nobody trusts is in the membership view but cannot deliver a single message.
 */
class TlsTest {

    @TempDir
    Path dir;

    /** A self-signed certificate and key made with the JDK's keytool, written as PEM files. */
    private record Identity(Path certificate, Path key) {}

    private Identity identity(String name) throws Exception {
        Path store = dir.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        name,
                        "-keyalg",
                        "EC",
                        "-groupname",
                        "secp256r1",
                        "-dname",
                        "CN=" + name,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        store.toString(),
                        "-storepass",
                        "changeit",
                        "-ext",
                        "SAN=ip:127.0.0.1,dns:localhost")
                .redirectErrorStream(true)
                .start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(output).isZero();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(store)) {
            keyStore.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) keyStore.getKey(name, "changeit".toCharArray());
        Certificate certificate = keyStore.getCertificate(name);
        Path certFile = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(certFile, pem("CERTIFICATE", certificate.getEncoded()));
        Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
        return new Identity(certFile, keyFile);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private Path trustFile(String name, Identity... trusted) throws IOException {
        List<String> pems = new ArrayList<>();
        for (Identity identity : trusted) {
            pems.add(Files.readString(identity.certificate()));
        }
        Path file = dir.resolve(name + "-trust.pem");
        Files.writeString(file, String.join("", pems));
        return file;
    }

    @Test
    void membersWithTrustedCertificatesTalkAndAnUntrustedNodeCannotDeliver() throws Exception {
        Identity first = identity("n0");
        Identity second = identity("n1");
        Identity stranger = identity("n2");
        Path membersTrust = trustFile("members", first, second);
        // The stranger trusts everyone, so only the members' refusal of its certificate stops it.
        Path strangerTrust = trustFile("stranger", first, second, stranger);
        AtomicInteger index = new AtomicInteger();
        List<Identity> identities = List.of(first, second, stranger);
        try (DataPlaneCluster cluster = new DataPlaneCluster("tls", 3)) {
            List<Node> nodes = cluster.startAll(config -> {
                int i = index.getAndIncrement();
                Identity id = identities.get(i);
                return config.tls(
                        new NodeConfig.Tls(id.certificate(), id.key(), i == 2 ? strangerTrust : membersTrust));
            });
            Node a = nodes.get(0);
            Node b = nodes.get(1);
            Node untrusted = nodes.get(2);

            BlockingQueue<Object> got = new LinkedBlockingQueue<>();
            Pid receiver = b.processes().spawn(ctx -> {
                while (true) {
                    got.add(ctx.receive());
                }
            });
            a.processes().send(receiver, "over-tls");
            assertThat(got.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("over-tls");

            long refusedBefore = counter(b, "data.connections.closed", "reason", "tls");
            untrusted.processes().send(receiver, "from-the-stranger");
            await().atMost(BOUND).until(() -> counter(b, "data.connections.closed", "reason", "tls") > refusedBefore);
            // A further message from a member goes through while the stranger's never arrives.
            a.processes().send(receiver, "after");
            assertThat(got.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("after");
            assertThat(got).isEmpty();
        }
    }
}
