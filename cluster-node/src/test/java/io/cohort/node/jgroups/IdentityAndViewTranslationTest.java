package io.cohort.node.jgroups;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.ViewId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jgroups.Address;
import org.jgroups.MergeView;
import org.jgroups.View;
import org.jgroups.util.ExtendedUUID;
import org.jgroups.util.UUID;
import org.jgroups.util.Util;
import org.junit.jupiter.api.Test;

/** The pure parts of the JGroups mapping: identities in addresses and views in Cohort's terms. */
class IdentityAndViewTranslationTest {

    private static final NodeId A = new NodeId("a", 100);
    private static final NodeId B = new NodeId("b", 200);
    private static final NodeId C = new NodeId("c", 300);

    @Test
    void identityAndAttributesSurviveTheWire() throws Exception {
        ExtendedUUID address = IdentityAddress.create(A, Map.of("data.host", "10.0.0.1", "data.port", "7000"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Util.writeAddress(address, new DataOutputStream(bytes));
        Address read = Util.readAddress(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));

        assertThat(read).isEqualTo(address);
        IdentityAddress.Identity identity = IdentityAddress.decode(read).orElseThrow();
        assertThat(identity.node()).isEqualTo(A);
        assertThat(identity.attributes()).isEqualTo(Map.of("data.host", "10.0.0.1", "data.port", "7000"));
        assertThat(IdentityAddress.describe(read)).isEqualTo("a#100");
    }

    @Test
    void twoLivesOfOneNameAreTwoAddresses() {
        assertThat(IdentityAddress.create(A, Map.of())).isNotEqualTo(IdentityAddress.create(A, Map.of()));
    }

    @Test
    void addressesWithoutACohortIdentityDecodeToNothing() {
        assertThat(IdentityAddress.decode(UUID.randomUUID())).isEmpty();
        assertThat(IdentityAddress.decode(ExtendedUUID.randomUUID())).isEmpty();
        ExtendedUUID badName = ExtendedUUID.randomUUID();
        badName.put(IdentityAddress.NAME_KEY, "no spaces allowed".getBytes());
        badName.put(IdentityAddress.INCARNATION_KEY, new byte[8]);
        assertThat(IdentityAddress.decode(badName)).isEmpty();
        assertThat(IdentityAddress.decode(null)).isEmpty();
    }

    @Test
    void attributesThatCannotTravelAreRefusedUpFront() {
        assertThatThrownBy(() -> IdentityAddress.checkAttributes(Map.of("big", "x".repeat(256))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("255 bytes");
        Map<String, String> many = new java.util.HashMap<>();
        for (int i = 0; i < 33; i++) {
            many.put("k" + i, "v");
        }
        assertThatThrownBy(() -> IdentityAddress.checkAttributes(many)).hasMessageContaining("at most 32");
    }

    @Test
    void viewKeepsOrderCreatorAndId() {
        Address a = IdentityAddress.create(A, Map.of());
        Address b = IdentityAddress.create(B, Map.of("data.port", "1"));
        ViewTranslation translated = ViewTranslation.of(new View(a, 7, List.of(a, b)), foreign -> {});

        assertThat(translated.view()).isEqualTo(MembershipView.of(new ViewId(A, 7), List.of(A, B)));
        assertThat(translated.byNode()).containsEntry(B, b);
        assertThat(translated.byAddress().get(b).attributes()).containsEntry("data.port", "1");
    }

    @Test
    void mergeViewCarriesItsSubgroups() {
        Address a = IdentityAddress.create(A, Map.of());
        Address b = IdentityAddress.create(B, Map.of());
        Address c = IdentityAddress.create(C, Map.of());
        View left = new View(a, 4, List.of(a, b));
        View right = new View(c, 3, List.of(c));
        MergeView merged = new MergeView(a, 5, List.of(a, b, c), List.of(left, right));

        MembershipView view = ViewTranslation.of(merged, foreign -> {}).view();
        assertThat(view.isMerge()).isTrue();
        assertThat(view.id()).isEqualTo(new ViewId(A, 5));
        assertThat(view.members()).containsExactly(A, B, C);
        assertThat(view.subgroups()).containsExactly(List.of(A, B), List.of(C));
        assertThat(view.mergedPeersOf(C)).containsExactly(A, B);
    }

    @Test
    void foreignMembersAreLeftOutAndReported() {
        Address a = IdentityAddress.create(A, Map.of());
        Address stranger = UUID.randomUUID();
        List<Address> reported = new ArrayList<>();
        MembershipView view = ViewTranslation.of(new View(a, 2, List.of(a, stranger)), reported::add)
                .view();
        assertThat(view.members()).containsExactly(A);
        assertThat(reported).containsExactly(stranger);
    }
}
