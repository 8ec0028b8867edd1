package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable view of several immutable lists one after another: a group's members on every node, made from the
 * local list and each peer's without copying any of them. {@code get} walks the parts (one per node with members).
 */
final class ConcatList extends AbstractList<Pid> implements RandomAccess {

    private final List<Pid>[] parts;
    private final int size;

    @SuppressWarnings("unchecked")
    ConcatList(List<List<Pid>> parts) {
        this.parts = parts.toArray(new List[0]);
        int total = 0;
        for (List<Pid> part : this.parts) {
            total += part.size();
        }
        this.size = total;
    }

    @Override
    public Pid get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + ", size " + size);
        }
        int at = index;
        for (List<Pid> part : parts) {
            if (at < part.size()) {
                return part.get(at);
            }
            at -= part.size();
        }
        throw new IllegalStateException("unreachable: index " + index + " within size " + size);
    }

    @Override
    public int size() {
        return size;
    }
}
