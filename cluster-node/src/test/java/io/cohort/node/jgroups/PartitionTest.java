package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.jgroups.TestNodes.Node;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A partition injected with DISCARD splits the view in two; healing it yields a MergeView on every node. */
class PartitionTest {

    /** fdTimeout (3 s) + verification + view install for the split; MERGE3 (1-3 s) + merge for the heal. */
    private static final Duration BOUND = Duration.ofSeconds(20);

    private final TestNodes nodes = new TestNodes("partition-test", 3);

    @AfterEach
    void stop() {
        nodes.close();
    }

    /** Also with a shared secret: merge requests and responses then pass AUTH and encryption. */
    @ParameterizedTest(name = "secret={0}")
    @ValueSource(booleans = {false, true})
    void partitionSplitsTheViewAndHealingMergesItWithSubgroups(boolean secret) throws Exception {
        UnaryOperator<NodeConfig.Builder> config =
                secret ? cfg -> cfg.sharedSecret("partition test shared secret") : UnaryOperator.identity();
        Node a = nodes.start("a", 0, config, true);
        Node b = nodes.start("b", 1, config, true);
        Node c = nodes.start("c", 2, config, true);
        List<Node> all = List.of(a, b, c);
        await().atMost(BOUND).until(() -> all.stream().allMatch(n -> n.view().size() == 3));

        long splitStartNs = System.nanoTime();
        a.plane.isolateFrom(List.of(c.id()));
        b.plane.isolateFrom(List.of(c.id()));
        c.plane.isolateFrom(List.of(a.id(), b.id()));
        await().atMost(BOUND)
                .until(() -> a.view().members().equals(List.of(a.id(), b.id()))
                        && b.view().members().equals(List.of(a.id(), b.id()))
                        && c.view().members().equals(List.of(c.id())));
        long splitMs = (System.nanoTime() - splitStartNs) / 1_000_000;

        int viewsBeforeHeal = a.views.size();
        int viewsBeforeHealC = c.views.size();
        long healStartNs = System.nanoTime();
        for (Node node : all) {
            node.plane.heal();
        }
        await().atMost(BOUND).until(() -> all.stream().allMatch(n -> n.view().size() == 3));
        long healMs = (System.nanoTime() - healStartNs) / 1_000_000;
        System.out.printf(
                "partition (secret=%s): split seen after %d ms, merged %d ms after heal%n", secret, splitMs, healMs);

        Set<Set<NodeId>> expectedSides = Set.of(Set.of(a.id(), b.id()), Set.of(c.id()));
        for (Node node : all) {
            MembershipView merged = node.view();
            assertThat(merged.isMerge()).as("%s installed a merge view", node).isTrue();
            assertThat(merged.members()).containsExactlyInAnyOrder(a.id(), b.id(), c.id());
            Set<Set<NodeId>> sides = new HashSet<>();
            merged.subgroups().forEach(side -> sides.add(Set.copyOf(side)));
            assertThat(sides).isEqualTo(expectedSides);
        }
        assertThat(a.view().mergedPeersOf(a.id())).containsExactly(c.id());
        assertThat(c.view().mergedPeersOf(c.id())).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(a.views.size()).isGreaterThan(viewsBeforeHeal);
        assertThat(c.views.size()).isGreaterThan(viewsBeforeHealC);
        assertThat(a.view().id()).isEqualTo(c.view().id());
        assertThat(a.counter("membership.security.dropped")).isZero();
    }
}
