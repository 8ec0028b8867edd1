package io.cohort.node.netty;

import io.cohort.node.config.NodeConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import javax.net.ssl.SSLException;

/**
 * Builds the TLS contexts of the data plane from PEM files: both sides present a certificate and both require the
 * other's to be trusted (mutual authentication), so a process without a trusted certificate can neither deliver nor
 * receive frames.
 *
 * <p>Host names are not verified: peers are dialled at the IP address they published through the membership layer,
 * and authentication rests on the private trust file (a cluster CA or the members' own certificates), not on DNS.
 */
final class TlsContexts {

    private TlsContexts() {}

    static SslContext server(NodeConfig.Tls tls) throws SSLException {
        return SslContextBuilder.forServer(
                        tls.certificateChain().toFile(), tls.privateKey().toFile())
                .trustManager(tls.trustedCertificates().toFile())
                .clientAuth(ClientAuth.REQUIRE)
                .build();
    }

    static SslContext client(NodeConfig.Tls tls) throws SSLException {
        return SslContextBuilder.forClient()
                .keyManager(tls.certificateChain().toFile(), tls.privateKey().toFile())
                .trustManager(tls.trustedCertificates().toFile())
                .endpointIdentificationAlgorithm(null)
                .build();
    }
}
