package io.cohort.pg;

import io.cohort.node.Pid;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.RandomAccess;

/**
 * An immutable list of pids that shares its storage with the version it was made from, so a join publishes a new
 * version of its group without copying the group: elements sit in chunks of {@value #CHUNK}, all full but the last;
 * appending copies the last chunk and the array of chunk references, about {@code CHUNK + size / CHUNK} references
 * instead of {@code size}. Removal copies the list (a leave is rarer than a join, as in Erlang's pg).
 *
 * <p>Readers get these lists as they are: {@code get} is two array reads, and nothing can change them.
 */
final class MemberList extends AbstractList<Pid> implements RandomAccess {

    static final int CHUNK = 64;
    private static final int SHIFT = 6;

    static final MemberList EMPTY = new MemberList(new Pid[0][], 0);

    /** Chunk {@code i} holds elements {@code [i * CHUNK, i * CHUNK + chunks[i].length)}; only the last is short. */
    private final Pid[][] chunks;

    private final int size;

    private MemberList(Pid[][] chunks, int size) {
        this.chunks = chunks;
        this.size = size;
    }

    static MemberList of(List<Pid> pids) {
        return pids instanceof MemberList list ? list : EMPTY.appendAll(pids);
    }

    @Override
    public Pid get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + ", size " + size);
        }
        return chunks[index >>> SHIFT][index & (CHUNK - 1)];
    }

    @Override
    public int size() {
        return size;
    }

    /** This list with {@code pid} at the end. */
    MemberList append(Pid pid) {
        Pid[][] next;
        if ((size & (CHUNK - 1)) == 0) {
            next = Arrays.copyOf(chunks, chunks.length + 1);
            next[chunks.length] = new Pid[] {pid};
        } else {
            next = chunks.clone();
            Pid[] last = chunks[chunks.length - 1];
            Pid[] grown = Arrays.copyOf(last, last.length + 1);
            grown[last.length] = pid;
            next[chunks.length - 1] = grown;
        }
        return new MemberList(next, size + 1);
    }

    /**
     * This list with {@code pids} at the end, in their order: the last chunk is topped up and new chunks are added;
     * the full chunks are shared.
     */
    MemberList appendAll(List<Pid> pids) {
        if (pids.isEmpty()) {
            return this;
        }
        int total = size + pids.size();
        int fullChunks = size >>> SHIFT; // chunks of this list that stay as they are
        Pid[][] next = Arrays.copyOf(chunks, (total + CHUNK - 1) >>> SHIFT);
        int from = 0; // next element of pids to place
        for (int c = fullChunks; c < next.length; c++) {
            int start = c << SHIFT;
            int length = Math.min(CHUNK, total - start);
            Pid[] chunk = c < chunks.length ? Arrays.copyOf(chunks[c], length) : new Pid[length];
            for (int i = c < chunks.length ? chunks[c].length : 0; i < length; i++) {
                chunk[i] = pids.get(from++);
            }
            next[c] = chunk;
        }
        return new MemberList(next, total);
    }

    /** The index of the first occurrence of {@code pid}, scanning the chunks directly; -1 when absent. */
    private int firstIndexOf(Pid pid) {
        int base = 0;
        for (Pid[] chunk : chunks) {
            for (int i = 0; i < chunk.length; i++) {
                if (chunk[i].equals(pid)) {
                    return base + i;
                }
            }
            base += chunk.length;
        }
        return -1;
    }

    @Override
    public int indexOf(Object o) {
        return o instanceof Pid pid ? firstIndexOf(pid) : -1;
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    /** This list without the first occurrence of {@code pid}; this very list when {@code pid} is not in it. */
    MemberList removeFirst(Pid pid) {
        int at = firstIndexOf(pid);
        if (at < 0) {
            return this;
        }
        Pid[] all = new Pid[size];
        copyInto(all);
        System.arraycopy(all, at + 1, all, at, size - at - 1);
        return fromArray(all, size - 1);
    }

    /**
     * This list without one occurrence (the first) of each of {@code pids}, in one pass whatever their number: the same
     * as calling {@link #removeFirst} for each in turn. {@code removed} receives, in the order of {@code pids}, each pid
     * that had an occurrence to remove.
     */
    MemberList removeEachOnce(List<Pid> pids, List<Pid> removed) {
        if (pids.size() == 1) {
            MemberList without = removeFirst(pids.get(0));
            if (without != this) {
                removed.add(pids.get(0));
            }
            return without;
        }
        java.util.Map<Pid, int[]> wanted = new java.util.HashMap<>();
        for (Pid pid : pids) {
            wanted.computeIfAbsent(pid, p -> new int[1])[0]++;
        }
        java.util.Map<Pid, int[]> taken = new java.util.HashMap<>();
        Pid[] kept = new Pid[size];
        int n = 0;
        for (Pid[] chunk : chunks) {
            for (Pid candidate : chunk) {
                int[] left = wanted.get(candidate);
                if (left != null && left[0] > 0) {
                    left[0]--;
                    taken.computeIfAbsent(candidate, p -> new int[1])[0]++;
                } else {
                    kept[n++] = candidate;
                }
            }
        }
        if (n == size) {
            return this;
        }
        for (Pid pid : pids) {
            int[] count = taken.get(pid);
            if (count != null && count[0] > 0) {
                count[0]--;
                removed.add(pid);
            }
        }
        return fromArray(kept, n);
    }

    /** This list without any occurrence of {@code pid}; this very list when {@code pid} is not in it. */
    MemberList removeEvery(Pid pid) {
        if (firstIndexOf(pid) < 0) {
            return this;
        }
        Pid[] kept = new Pid[size];
        int n = 0;
        for (Pid[] chunk : chunks) {
            for (Pid candidate : chunk) {
                if (!candidate.equals(pid)) {
                    kept[n++] = candidate;
                }
            }
        }
        return fromArray(kept, n);
    }

    private void copyInto(Pid[] target) {
        int at = 0;
        for (Pid[] chunk : chunks) {
            System.arraycopy(chunk, 0, target, at, chunk.length);
            at += chunk.length;
        }
    }

    private static MemberList fromArray(Pid[] all, int size) {
        if (size == 0) {
            return EMPTY;
        }
        Pid[][] chunks = new Pid[(size + CHUNK - 1) >>> SHIFT][];
        for (int i = 0; i < chunks.length; i++) {
            int from = i << SHIFT;
            chunks[i] = Arrays.copyOfRange(all, from, Math.min(size, from + CHUNK));
        }
        return new MemberList(chunks, size);
    }
}
