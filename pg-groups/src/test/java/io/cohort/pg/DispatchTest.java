package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class DispatchTest {

    private static final NodeId A = new NodeId("a", 1);
    private static final NodeId B = new NodeId("b", 7);

    private static List<Pid> pids(int count) {
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pids.add(new Pid(i % 2 == 0 ? A : B, 100 + i));
        }
        return pids;
    }

    private static GroupMembers group(List<Pid> all) {
        return new GroupMembers(List.copyOf(all), List.of(), Map.of());
    }

    @Test
    void byKeyPicksTheSameMemberWhateverOrderNodesKnowThemIn() {
        List<Pid> members = pids(20);
        List<Pid> shuffled = new ArrayList<>(members);
        Collections.reverse(shuffled);
        Collections.rotate(shuffled, 7);
        for (int key = 0; key < 500; key++) {
            Dispatch byKey = Dispatch.byKey("key-" + key);
            assertThat(byKey.pick(group(shuffled), 0)).isEqualTo(byKey.pick(group(members), 0));
        }
    }

    @Test
    void byKeyMovesOnlyTheKeysOfAMemberThatLeft() {
        List<Pid> members = pids(10);
        Pid leaving = members.get(4);
        List<Pid> remaining = new ArrayList<>(members);
        remaining.remove(leaving);
        Map<Pid, Integer> keysPerMember = new HashMap<>();
        for (int key = 0; key < 2000; key++) {
            Pid before = Dispatch.byKey(key).pick(group(members), 0);
            Pid after = Dispatch.byKey(key).pick(group(remaining), 0);
            keysPerMember.merge(before, 1, Integer::sum);
            if (!before.equals(leaving)) {
                assertThat(after).as("key %s", key).isEqualTo(before);
            }
        }
        // Spread: every member owns some keys, none more than three times its fair share.
        assertThat(keysPerMember).hasSize(10);
        assertThat(keysPerMember.values()).allMatch(count -> count > 0 && count < 600);
    }

    @Test
    void roundRobinVisitsEveryMemberInTurn() {
        List<Pid> members = pids(5);
        GroupMembers group = group(members);
        List<Pid> picked = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            picked.add(Dispatch.roundRobin().pick(group, 0));
        }
        assertThat(picked).isEqualTo(concat(members, members));
    }

    @Test
    void randomIsRoughlyUniform() {
        List<Pid> members = pids(10);
        GroupMembers group = group(members);
        SplittableRandom bits = new SplittableRandom(42);
        Map<Pid, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            counts.merge(Dispatch.random().pick(group, bits.nextLong()), 1, Integer::sum);
        }
        assertThat(counts).hasSize(10);
        assertThat(counts.values()).allMatch(count -> count > 800 && count < 1200);
    }

    private static List<Pid> concat(List<Pid> first, List<Pid> second) {
        List<Pid> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
