package io.cohort.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The persistent member list against a plain ArrayList model, and old versions staying as they were. */
class MemberListTest {

    private static final NodeId NODE = new NodeId("n", 1);

    /** An operation: append k pids (k = 1 or more), remove the first or every occurrence of one. */
    record Step(int kind, int serial, int count) {}

    @Provide
    Arbitrary<List<Step>> steps() {
        // Few distinct serials so removals hit, many steps so lists cross several chunks.
        return Arbitraries.integers()
                .between(0, 9)
                .flatMap(kind -> Arbitraries.integers()
                        .between(0, 12)
                        .flatMap(serial ->
                                Arbitraries.integers().between(1, 150).map(count -> new Step(kind, serial, count))))
                .list()
                .ofMaxSize(120);
    }

    @Property(tries = 300)
    void behavesAsAListAndEveryVersionStaysAsItWas(@ForAll("steps") List<Step> steps) {
        MemberList list = MemberList.EMPTY;
        List<Pid> model = new ArrayList<>();
        List<MemberList> versions = new ArrayList<>();
        List<List<Pid>> snapshots = new ArrayList<>();
        for (Step step : steps) {
            Pid pid = new Pid(NODE, step.serial());
            if (step.kind() < 5) {
                list = list.append(pid);
                model.add(pid);
            } else if (step.kind() < 7) {
                List<Pid> many = Collections.nCopies(step.count(), pid);
                list = list.appendAll(many);
                model.addAll(many);
            } else if (step.kind() == 7) {
                // Remove one occurrence each of a few pids at once, against the model doing it one by one.
                List<Pid> batch = List.of(pid, new Pid(NODE, (step.serial() + 1) % 13), pid);
                List<Pid> removed = new ArrayList<>();
                list = list.removeEachOnce(batch, removed);
                List<Pid> expectedRemoved = new ArrayList<>();
                for (Pid each : batch) {
                    if (model.remove(each)) {
                        expectedRemoved.add(each);
                    }
                }
                assertThat(removed).containsExactlyElementsOf(expectedRemoved);
            } else if (step.kind() < 9) {
                MemberList before = list;
                list = list.removeFirst(pid);
                assertThat(list != before).isEqualTo(model.remove(pid));
            } else {
                MemberList before = list;
                list = list.removeEvery(pid);
                assertThat(list != before).isEqualTo(model.removeIf(pid::equals));
            }
            assertThat(list).containsExactlyElementsOf(model);
            assertThat(list.size()).isEqualTo(model.size());
            versions.add(list);
            snapshots.add(List.copyOf(model));
        }
        for (int i = 0; i < versions.size(); i++) {
            assertThat(versions.get(i)).as("version %d", i).containsExactlyElementsOf(snapshots.get(i));
        }
    }

    @Example
    void isImmutableAndBoundsChecked() {
        MemberList list = MemberList.EMPTY.append(new Pid(NODE, 1));
        assertThatThrownBy(() -> list.add(new Pid(NODE, 2))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> list.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> list.get(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(list).isEqualTo(List.of(new Pid(NODE, 1)));
    }

    @Example
    void aConcatenationReadsItsPartsInOrder() {
        MemberList a = MemberList.EMPTY.appendAll(pids(0, 70));
        MemberList b = MemberList.EMPTY.appendAll(pids(100, 3));
        ConcatList all = new ConcatList(List.of(a, b, MemberList.EMPTY.append(new Pid(NODE, 500))));

        List<Pid> expected = new ArrayList<>(pids(0, 70));
        expected.addAll(pids(100, 3));
        expected.add(new Pid(NODE, 500));
        assertThat(all).containsExactlyElementsOf(expected);
        assertThat(all.get(72)).isEqualTo(new Pid(NODE, 102));
        assertThatThrownBy(() -> all.get(74)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static List<Pid> pids(int first, int count) {
        List<Pid> pids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            pids.add(new Pid(NODE, first + i));
        }
        return pids;
    }
}
