package io.cohort.crdt;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** {@link KeyedTable} against a HashMap, through puts and removals that grow, shrink and wrap the table. */
class KeyedTablePropertiesTest {

    record Item(String key, long counter) implements ORMap.Element {}

    @Property
    void behavesLikeAHashMap(@ForAll @Size(max = 400) List<@IntRange(min = -60, max = 60) Integer> ops) {
        KeyedTable<Item> table = new KeyedTable<>();
        Map<String, Item> model = new HashMap<>();
        long counter = 0;
        for (int op : ops) {
            String key = "k" + Math.abs(op);
            if (op >= 0) {
                Item item = new Item(key, ++counter);
                assertThat(table.put(item)).isEqualTo(model.put(key, item));
            } else {
                assertThat(table.remove(key)).isEqualTo(model.remove(key));
            }
            assertThat(table.size()).isEqualTo(model.size());
        }
        for (int k = 0; k <= 60; k++) {
            assertThat(table.get("k" + k)).isEqualTo(model.get("k" + k));
        }
        assertThat(table.values()).containsExactlyInAnyOrderElementsOf(model.values());
    }
}
