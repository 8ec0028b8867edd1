package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.runtime.ProcessHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessTableTest {

    private record Notice(Pid pid, long ref) {}

    /**
     * Regression: the exit of a process whose monitor sits in the middle of the table (a tree node with two
     * children) reported another monitor's reference and silently dropped that other monitor.
     */
    @Test
    void everyMonitorFiresOnceWithItsOwnReferenceWhateverTheTableShape() {
        ProcessTable table = new ProcessTable(new NodeId("n", 1));
        List<Notice> notices = new ArrayList<>();
        ProcessHost host = table.hostFor((pid, ref, reason) -> notices.add(new Notice(pid, ref)));
        List<Pid> pids = new ArrayList<>();
        List<Long> refs = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            Pid pid = table.register(message -> {});
            pids.add(pid);
            refs.add(host.monitor(pid));
        }
        for (int i : new int[] {3, 7, 1, 12, 0, 15, 8, 4, 2, 5, 6, 9, 10, 11, 13, 14}) {
            table.exited(pids.get(i), ExitReason.KILLED);
            assertThat(notices.get(notices.size() - 1)).isEqualTo(new Notice(pids.get(i), refs.get(i)));
        }
        assertThat(notices).hasSize(16);
    }

    private record ReasonedNotice(Pid pid, long ref, ExitReason reason) {}

    @Test
    void everyExitNoticeCarriesThePidAndReferenceOfItsOwnMonitor() {
        ProcessTable table = new ProcessTable(new NodeId("n", 1));
        List<ReasonedNotice> first = new ArrayList<>();
        List<ReasonedNotice> second = new ArrayList<>();
        ProcessHost one = table.hostFor((pid, ref, reason) -> first.add(new ReasonedNotice(pid, ref, reason)));
        ProcessHost two = table.hostFor((pid, ref, reason) -> second.add(new ReasonedNotice(pid, ref, reason)));
        List<Pid> pids = new ArrayList<>();
        Map<Long, Pid> expected = new HashMap<>();
        Set<Long> cancelled = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            Pid pid = table.register(message -> {});
            pids.add(pid);
            expected.put(one.monitor(pid), pid);
            long ref = two.monitor(pid);
            expected.put(ref, pid);
            if (i % 3 == 0) {
                two.demonitor(ref);
                cancelled.add(ref);
            }
        }
        // Exits in an order unrelated to the monitors' (a TreeMap entry read after removal gave the wrong pairs).
        for (int stride : new int[] {7, 3, 1}) {
            for (int i = pids.size() - 1; i >= 0; i -= stride) {
                table.exited(pids.get(i), ExitReason.NORMAL);
            }
        }
        List<ReasonedNotice> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).hasSize(expected.size() - cancelled.size());
        for (ReasonedNotice notice : all) {
            assertThat(notice.pid()).as("pid of monitor %s", notice.ref()).isEqualTo(expected.get(notice.ref()));
            assertThat(cancelled).doesNotContain(notice.ref());
        }
        assertThat(all.stream().map(ReasonedNotice::ref).distinct().count()).isEqualTo(all.size());
        assertThat(first).hasSize(2000);
        assertThat(table.size()).isZero();
    }

    @Test
    void aMonitorOfADeadPidFiresNoprocOnceAndTheTableForgetsDemonitors() {
        ProcessTable table = new ProcessTable(new NodeId("n", 1));
        List<ReasonedNotice> notices = new ArrayList<>();
        ProcessHost host = table.hostFor((pid, ref, reason) -> notices.add(new ReasonedNotice(pid, ref, reason)));
        Pid pid = table.register(message -> {});
        table.exited(pid, ExitReason.KILLED);
        long ref = host.monitor(pid);
        assertThat(notices).containsExactly(new ReasonedNotice(pid, ref, ExitReason.NOPROC));
        Pid live = table.register(message -> {});
        host.demonitor(host.monitor(live));
        host.demonitor(12345); // unknown: ignored
        table.exited(live, ExitReason.NORMAL);
        assertThat(notices).hasSize(1);
    }
}
