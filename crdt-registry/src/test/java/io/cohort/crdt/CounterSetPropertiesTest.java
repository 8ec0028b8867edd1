package io.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** {@link CounterSet} against a plain sorted set of the same counters. */
class CounterSetPropertiesTest {

    static CounterSet of(List<Long> counters) {
        CounterSet set = new CounterSet();
        counters.forEach(set::add);
        return set;
    }

    @Property
    void holdsExactlyWhatWasAdded(@ForAll @Size(max = 80) List<@LongRange(min = 1, max = 60) Long> counters) {
        CounterSet set = of(counters);
        TreeSet<Long> model = new TreeSet<>(counters);
        for (long c = 0; c <= 62; c++) {
            assertThat(set.contains(c)).as("contains %d", c).isEqualTo(model.contains(c));
        }
        assertThat(set.count()).isEqualTo(model.size());
        assertThat(set.max()).isEqualTo(model.isEmpty() ? 0 : model.last());
        for (int i = 0; i + 1 < set.rangeCount(); i++) {
            assertThat(set.hi(i) + 1).as("ranges stay apart").isLessThan(set.lo(i + 1));
        }
    }

    @Property
    void orderOfAdditionDoesNotMatter(@ForAll @Size(max = 80) List<@LongRange(min = 1, max = 60) Long> counters) {
        List<Long> reversed = new java.util.ArrayList<>(counters);
        java.util.Collections.reverse(reversed);
        assertThat(of(counters)).isEqualTo(of(reversed));
    }

    @Property
    void minusIntersectAndAddAllMatchSetAlgebra(
            @ForAll @Size(max = 60) List<@LongRange(min = 1, max = 50) Long> a,
            @ForAll @Size(max = 60) List<@LongRange(min = 1, max = 50) Long> b) {
        TreeSet<Long> minus = new TreeSet<>(a);
        minus.removeAll(b);
        TreeSet<Long> both = new TreeSet<>(a);
        both.retainAll(b);
        TreeSet<Long> union = new TreeSet<>(a);
        union.addAll(b);
        assertThat(of(a).minus(of(b))).isEqualTo(of(List.copyOf(minus)));
        assertThat(of(a).intersect(of(b))).isEqualTo(of(List.copyOf(both)));
        CounterSet united = of(a);
        united.addAll(of(b));
        assertThat(united).isEqualTo(of(List.copyOf(union)));
    }
}
