package io.cohort.chaos.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.chaos.control.wire.Pong;
import io.cohort.chaos.control.wire.Request;
import io.cohort.chaos.control.wire.Response;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The control channel on loopback: answers, errors, and the three outcomes of a call (answer, not sent, unknown). */
class ControlChannelTest {

    private final ControlServer server = new ControlServer();
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    private InetSocketAddress start() throws Exception {
        server.serve(
                Request.OpCase.PING,
                request -> Response.newBuilder()
                        .setPong(Pong.newBuilder().setNode("n1#7").build()));
        server.serve(Request.OpCase.READ_VIEW, request -> {
            release.await();
            return ControlServer.error("failed", "released");
        });
        server.serve(Request.OpCase.SPAWN, request -> {
            throw new IllegalArgumentException("no such count");
        });
        int port = server.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @Test
    void callsAreAnsweredAndErrorsComeBackAsErrors() throws Exception {
        InetSocketAddress address = start();
        try (ControlClient client = new ControlClient(() -> address, Duration.ofSeconds(2))) {
            assertThat(client.ping(Duration.ofSeconds(2)).getNode()).isEqualTo("n1#7");
            assertThatThrownBy(() -> client.spawn(1, Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(
                            ControlClient.RemoteError.class,
                            e -> assertThat(e.code()).isEqualTo("bad_request"));
            assertThatThrownBy(() -> client.pgRead("chaos", Duration.ofSeconds(2)))
                    .isInstanceOfSatisfying(
                            ControlClient.RemoteError.class,
                            e -> assertThat(e.code()).isEqualTo("unsupported"));
            assertThat(client.ping(Duration.ofSeconds(2)).getNode()).isEqualTo("n1#7");
        }
    }

    @Test
    void noAnswerInTimeIsUnknownAndTheNextCallReconnects() throws Exception {
        InetSocketAddress address = start();
        try (ControlClient client = new ControlClient(() -> address, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> client.view(Duration.ofMillis(200)))
                    .isInstanceOfSatisfying(
                            ControlClient.CallException.class,
                            e -> assertThat(e.outcome()).isEqualTo(ControlClient.Outcome.UNKNOWN));
            release.countDown();
            assertThat(client.ping(Duration.ofSeconds(2)).getNode()).isEqualTo("n1#7");
        }
    }

    @Test
    void aNodeThatCannotBeReachedMeansTheCallWasNotSent() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        InetSocketAddress nowhere = new InetSocketAddress(InetAddress.getLoopbackAddress(), closedPort);
        try (ControlClient client = new ControlClient(() -> nowhere, Duration.ofSeconds(2))) {
            assertThatThrownBy(() -> client.ping(Duration.ofSeconds(1)))
                    .isInstanceOfSatisfying(
                            ControlClient.CallException.class,
                            e -> assertThat(e.outcome()).isEqualTo(ControlClient.Outcome.NOT_SENT));
        }
    }
}
