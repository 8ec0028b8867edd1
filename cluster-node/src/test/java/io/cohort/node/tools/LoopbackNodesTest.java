package io.cohort.node.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackNodesTest {

    @Test
    void reservedPortsAreFreeDistinctAndBelowTheEphemeralRange() throws Exception {
        assumeTrue(LoopbackNodes.ephemeralRangeStart() >= 2048, "an ephemeral range with room below it");
        List<Integer> ports = LoopbackNodes.reservePorts(8);

        assertThat(ports).hasSize(8).doesNotHaveDuplicates();
        assertThat(ports).allMatch(port -> port >= 1024 && port < LoopbackNodes.ephemeralRangeStart());
        Set<Integer> used = new HashSet<>();
        for (int port : ports) {
            for (int derived : List.of(port, port + 100, port + 101, port + 102, port + 103)) {
                assertThat(used.add(derived))
                        .as("port %d (from %d) is also another reserved port's", derived, port)
                        .isTrue();
            }
        }
        List<ServerSocket> bound = new ArrayList<>();
        try {
            for (int port : ports) {
                ServerSocket socket = new ServerSocket();
                bound.add(socket);
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)); // throws if taken
            }
        } finally {
            for (ServerSocket socket : bound) {
                socket.close();
            }
        }
    }

    @Test
    void anEphemeralBindNeverLandsOnAReservedPort() throws Exception {
        // Where the ephemeral range starts too low for a window below it, reservePorts falls back to the kernel's.
        assumeTrue(LoopbackNodes.ephemeralRangeStart() >= 2048, "an ephemeral range with room below it");
        Set<Integer> reserved = new HashSet<>(LoopbackNodes.reservePorts(4));
        for (int i = 0; i < 200; i++) {
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                assertThat(reserved).doesNotContain(socket.getLocalPort());
            }
        }
    }
}
