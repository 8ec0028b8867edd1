package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.config.DiscoveryKind;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.config.Seed;
import java.util.List;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.Discovery;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;

/** The reviewed stack has the documented shape for every option (built, never connected). */
class MembershipStackTest {

    private static NodeConfig.Builder base() {
        return NodeConfig.builder().nodeName("n").seeds(List.of(new Seed("127.0.0.1", 7800)));
    }

    private static List<String> names(MembershipStack.Built built) {
        return built.protocols().stream().map(Protocol::getName).toList();
    }

    @Test
    void defaultStack() throws Exception {
        MembershipStack.Built built = MembershipStack.build(base().build(), false, NoMetrics.INSTANCE, null);
        assertThat(names(built))
                .containsExactly(
                        "TCP",
                        "TCPPING",
                        "MERGE3",
                        "FD_ALL3",
                        "VERIFY_SUSPECT2",
                        "PromptFdSock",
                        "NAKACK2",
                        "UNICAST3",
                        "STABLE",
                        "GMS",
                        "UFC",
                        "FRAG4");
        assertThat(built.faults()).isNull();
        assertThat(((Discovery) built.protocols().get(1)).numDiscoveryRuns()).isEqualTo(3);
        FD_ALL3 fd = (FD_ALL3) built.protocols().get(3);
        assertThat(fd.getTimeout()).isEqualTo(3000);
        assertThat(fd.getInterval()).isEqualTo(1000);
        assertThat(((VERIFY_SUSPECT2) built.protocols().get(4)).getTimeout()).isEqualTo(250);
        // FD_SOCK2 underneath, under FD_SOCK2's protocol id: its headers are FD_SOCK2's on the wire.
        assertThat(built.protocols().get(5))
                .isInstanceOf(FD_SOCK2.class)
                .extracting(Protocol::getId)
                .isEqualTo(ClassConfigurator.getProtocolId(FD_SOCK2.class));
    }

    @Test
    void secretAndFaultInjectionAddTheirLayers() throws Exception {
        NodeConfig config = base().sharedSecret("0123456789abcdef0123").build();
        MembershipStack.Built built = MembershipStack.build(config, true, NoMetrics.INSTANCE, null);
        assertThat(names(built))
                .containsExactly(
                        "TCP",
                        "DISCARD",
                        "SecretEncryption",
                        "SERIALIZE",
                        "TCPPING",
                        "MERGE3",
                        "FD_ALL3",
                        "VERIFY_SUSPECT2",
                        "PromptFdSock",
                        "NAKACK2",
                        "UNICAST3",
                        "STABLE",
                        "AUTH",
                        "GMS",
                        "UFC",
                        "FRAG4");
        assertThat(built.faults()).isNotNull();
    }

    @Test
    void otherDiscoveryKinds() throws Exception {
        NodeConfig dns = base().discovery(new NodeConfig.Discovery(
                        DiscoveryKind.DNS_PING, List.of(), "cohort.svc", "srv", null, null, null, null, null))
                .build();
        MembershipStack.Built dnsStack = MembershipStack.build(dns, false, NoMetrics.INSTANCE, null);
        assertThat(names(dnsStack)).contains("DNS_PING");
        assertThat(((Discovery) dnsStack.protocols().get(1)).numDiscoveryRuns()).isEqualTo(3);
        NodeConfig kube = base().discovery(new NodeConfig.Discovery(
                        DiscoveryKind.KUBE_PING, List.of(), null, null, "prod", "app=cohort", null, null, null))
                .build();
        MembershipStack.Built kubeStack = MembershipStack.build(kube, false, NoMetrics.INSTANCE, null);
        assertThat(names(kubeStack)).contains("KUBE_PING");
        assertThat(((Discovery) kubeStack.protocols().get(1)).numDiscoveryRuns())
                .isEqualTo(3);
        NodeConfig jdbc = base().discovery(new NodeConfig.Discovery(
                        DiscoveryKind.JDBC_PING2, List.of(), null, null, null, null, "jdbc:nodriver:x", "u", "p"))
                .build();
        assertThatThrownBy(() -> MembershipStack.build(jdbc, false, NoMetrics.INSTANCE, null))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("jdbc:nodriver:x");
    }
}
