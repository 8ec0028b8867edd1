package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.NodeId;
import io.cohort.node.jgroups.TestNodes.Node;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may join: only nodes of the same cluster name, and when a shared secret is set only nodes that know it.
 * "Never" is observed for a bounded window longer than MERGE3's maximum interval (3 s), the time in which a
 * reachable outsider would have been merged.
 */
class SecurityTest {

    private static final Duration BOUND = Duration.ofSeconds(15);
    private static final Duration NEVER_WINDOW = Duration.ofSeconds(4);
    private static final String SECRET = "correct horse battery staple";

    private final TestNodes nodes = new TestNodes("secure-test", 4);

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        nodes.close();
    }

    @Test
    void nodeOfAnotherClusterNameNeverEntersTheView() throws Exception {
        Node a = nodes.start("a", 0);
        Node b = nodes.start("b", 1);
        await().atMost(BOUND).until(() -> a.view().size() == 2 && b.view().size() == 2);
        Node stranger = nodes.start("stranger", 2, cfg -> cfg.clusterName("other-cluster"), false);

        assertNeverSeenTogether(List.of(a, b), stranger);
        assertThat(stranger.view().members()).containsExactly(stranger.id());
    }

    @Test
    void nodeWithAWrongSecretNeverJoinsAndNothingItSendsIsDelivered() throws Exception {
        Node a = nodes.start("a", 0, cfg -> cfg.sharedSecret(SECRET), false);
        Node b = nodes.start("b", 1, cfg -> cfg.sharedSecret(SECRET), false);
        await().atMost(BOUND).until(() -> a.view().size() == 2 && b.view().size() == 2);

        Node wrong = nodes.start("wrong", 2, cfg -> cfg.sharedSecret("not the secret at all"), false);
        wrong.plane.send(a.id(), "pg:default", "let me in".getBytes(StandardCharsets.UTF_8));

        assertNeverSeenTogether(List.of(a, b), wrong);
        assertThat(wrong.view().members()).containsExactly(wrong.id());
        assertThat(a.messages).isEmpty();
        assertThat(b.messages).isEmpty();
        assertThat(wrong.counter("membership.messages.dropped", "direction", "out", "reason", "not_in_view"))
                .isEqualTo(1);
        // Everything it put on the wire (discovery, heartbeats, merge announcements) was refused and counted.
        assertThat(a.counter("membership.security.dropped", "reason", "foreign_key")
                        + b.counter("membership.security.dropped", "reason", "foreign_key"))
                .isPositive();
    }

    /**
     * The node without a secret runs in its own JVM. The secured stack encrypts whole messages (SERIALIZE under
     * SYM_ENCRYPT), so the cluster's traffic reaches that node as opaque payloads without discovery headers: it must
     * neither join nor fall over (before SERIALIZE it parsed ciphertext as discovery data and ran out of memory).
     */
    @Test
    void nodeWithoutTheSecretNeverJoinsAndItsTrafficIsRefused() throws Exception {
        Node a = nodes.start("a", 0, cfg -> cfg.sharedSecret(SECRET), false);
        Node b = nodes.start("b", 1, cfg -> cfg.sharedSecret(SECRET), false);
        await().atMost(BOUND).until(() -> a.view().size() == 2 && b.view().size() == 2);

        try (ChildProcesses children = new ChildProcesses(nodes, "secure-test", dir)) {
            children.start("none", 3, null);
            await().atMost(BOUND)
                    .until(() -> a.counter("membership.security.dropped", "reason", "unencrypted")
                                    + b.counter("membership.security.dropped", "reason", "unencrypted")
                            > 0);
            await().during(NEVER_WINDOW)
                    .atMost(NEVER_WINDOW.plusSeconds(2))
                    .until(() -> a.view().size() == 2 && b.view().size() == 2);
            assertThat(children.output("none").lines().filter(line -> line.startsWith("VIEW ")))
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line).doesNotContain(a.id().toString(), b.id().toString()));
            assertThat(children.output("none")).doesNotContain("OutOfMemoryError");
        }
        assertThat(a.views)
                .allMatch(v -> v.members().stream().noneMatch(m -> m.name().equals("none")));
        assertThat(b.views)
                .allMatch(v -> v.members().stream().noneMatch(m -> m.name().equals("none")));
        assertThat(a.messages).isEmpty();
        assertThat(b.messages).isEmpty();
    }

    @Test
    void nodeWithTheRightSecretJoinsAndExchangesMessages() throws Exception {
        Node a = nodes.start("a", 0, cfg -> cfg.sharedSecret(SECRET), false);
        Node b = nodes.start("b", 1, cfg -> cfg.sharedSecret(SECRET), false);
        Node c = nodes.start("c", 2, cfg -> cfg.sharedSecret(SECRET), false);
        await().atMost(BOUND)
                .until(() -> List.of(a, b, c).stream().allMatch(n -> n.view().size() == 3));

        c.plane.send(a.id(), "pg:default", "hello".getBytes(StandardCharsets.UTF_8));
        await().atMost(BOUND).until(() -> !a.messages.isEmpty());
        assertThat(a.messages).singleElement().satisfies(m -> {
            assertThat(m.from()).isEqualTo(c.id());
            assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("hello");
        });
        assertThat(a.plane.attributes(c.id())).containsEntry("data.port", "9002");
        assertThat(a.counter("membership.security.dropped")).isZero();
    }

    private static void assertNeverSeenTogether(List<Node> members, Node outsider) {
        NodeId outsiderId = outsider.id();
        await().during(NEVER_WINDOW)
                .atMost(NEVER_WINDOW.plusSeconds(2))
                .until(() -> members.stream().noneMatch(m -> m.view().contains(outsiderId))
                        && members.stream().noneMatch(m -> outsider.view().contains(m.id())));
        for (Node member : members) {
            assertThat(member.views).noneMatch(v -> v.contains(outsiderId));
        }
    }
}
