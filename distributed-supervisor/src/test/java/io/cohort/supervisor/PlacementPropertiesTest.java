package io.cohort.supervisor;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** Placement is a pure function every node evaluates alike; rendezvous hashing moves only what it must. */
class PlacementPropertiesTest {

    private static List<NodeId> members(int count, long incarnation) {
        List<NodeId> members = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            members.add(new NodeId("node-" + i, incarnation + i));
        }
        return members;
    }

    private static List<Placement> strategies(long seed) {
        return List.of(
                Placement.rendezvous(), Placement.uniform(), Placement.randomWithSeed(seed), Placement.leastLoaded());
    }

    @Property(tries = 200)
    void everyStrategyPicksAMemberAndTheSameOneEveryTime(
            @ForAll @IntRange(min = 1, max = 12) int count, @ForAll long seed, @ForAll("ids") String id) {
        List<NodeId> members = members(count, 1);
        for (Placement placement : strategies(seed)) {
            NodeId owner = placement.owner(id, "", members);
            assertThat(members).contains(owner);
            assertThat(placement.owner(id, "", List.copyOf(members))).isEqualTo(owner);
        }
    }

    @Property(tries = 100)
    void rendezvousMovesOnlyTheLostMembersChildrenWhenOneLeaves(
            @ForAll @IntRange(min = 2, max = 10) int count, @ForAll @IntRange(min = 0, max = 9) int leaver) {
        List<NodeId> before = members(count, 1);
        NodeId gone = before.get(leaver % count);
        List<NodeId> after = new ArrayList<>(before);
        after.remove(gone);
        for (int i = 0; i < 500; i++) {
            String id = "child-" + i;
            NodeId was = Placement.rendezvous().owner(id, "", before);
            NodeId now = Placement.rendezvous().owner(id, "", after);
            if (!was.equals(gone)) {
                assertThat(now).as(id).isEqualTo(was);
            }
        }
    }

    @Property(tries = 100)
    void rendezvousMovesChildrenOnlyToAJoiningMemberAndSpreadsThem(@ForAll @IntRange(min = 1, max = 9) int count) {
        List<NodeId> before = members(count, 1);
        List<NodeId> after = new ArrayList<>(before);
        NodeId joiner = new NodeId("joiner", 7);
        after.add(joiner);
        Map<NodeId, Integer> load = new HashMap<>();
        for (int i = 0; i < 2000; i++) {
            String id = "child-" + i;
            NodeId was = Placement.rendezvous().owner(id, "", before);
            NodeId now = Placement.rendezvous().owner(id, "", after);
            if (!now.equals(was)) {
                assertThat(now).isEqualTo(joiner);
            }
            load.merge(now, 1, Integer::sum);
        }
        int fair = 2000 / after.size();
        assertThat(load.values()).allSatisfy(n -> assertThat(n).isBetween(fair / 2, fair * 2));
    }

    @Property(tries = 100)
    void aRestartedNodeGetsItsChildrenBack(
            @ForAll @IntRange(min = 2, max = 8) int count, @ForAll @LongRange(min = 2, max = 1000) long later) {
        List<NodeId> before = members(count, 1);
        List<NodeId> after = new ArrayList<>(before);
        after.set(0, new NodeId(before.get(0).name(), before.get(0).incarnation() + later));
        for (int i = 0; i < 200; i++) {
            String id = "child-" + i;
            assertThat(Placement.rendezvous().owner(id, "", after).name())
                    .isEqualTo(Placement.rendezvous().owner(id, "", before).name());
        }
    }

    @Property(tries = 100)
    void aQuorumIsAStrictMajorityOfTheReferenceByName(
            @ForAll @IntRange(min = 1, max = 9) int referenceSize, @ForAll @IntRange(min = 0, max = 9) int present) {
        List<NodeId> reference = members(referenceSize, 1);
        Set<String> names = new java.util.TreeSet<>();
        reference.forEach(member -> names.add(member.name()));
        List<NodeId> view = new ArrayList<>(reference.subList(0, Math.min(present, referenceSize)));
        view.add(new NodeId("newcomer", 1)); // joiners outside the reference do not count
        assertThat(Placement.rendezvous().hasQuorum(view, names))
                .isEqualTo(Math.min(present, referenceSize) * 2 > referenceSize);
    }

    @Property(tries = 50)
    void leastLoadedFollowsItsHintWhileThatMemberIsEligible(@ForAll @IntRange(min = 2, max = 8) int count) {
        List<NodeId> members = members(count, 1);
        Placement placement = Placement.leastLoaded();
        String hint = placement.hint("x", members, member -> member.equals(members.get(count - 1)) ? 0 : 5);
        assertThat(hint).isEqualTo(members.get(count - 1).name());
        assertThat(placement.owner("x", hint, members)).isEqualTo(members.get(count - 1));
        assertThat(members.subList(0, count - 1)).contains(placement.owner("x", hint, members.subList(0, count - 1)));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> ids() {
        return net.jqwik.api.Arbitraries.strings().ofMinLength(1).ofMaxLength(40);
    }
}
