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

    private record Notice(Pid pid, long ref, ExitReason reason) {}

    @Test
    void everyExitNoticeCarriesThePidAndReferenceOfItsOwnMonitor() {
        ProcessTable table = new ProcessTable(new NodeId("n", 1));
        List<Notice> first = new ArrayList<>();
        List<Notice> second = new ArrayList<>();
        ProcessHost one = table.hostFor((pid, ref, reason) -> first.add(new Notice(pid, ref, reason)));
        ProcessHost two = table.hostFor((pid, ref, reason) -> second.add(new Notice(pid, ref, reason)));
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
        List<Notice> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).hasSize(expected.size() - cancelled.size());
        for (Notice notice : all) {
            assertThat(notice.pid()).as("pid of monitor %s", notice.ref()).isEqualTo(expected.get(notice.ref()));
            assertThat(cancelled).doesNotContain(notice.ref());
        }
        assertThat(all.stream().map(Notice::ref).distinct().count()).isEqualTo(all.size());
        assertThat(first).hasSize(2000);
        assertThat(table.size()).isZero();
    }

    @Test
    void aMonitorOfADeadPidFiresNoprocOnceAndTheTableForgetsDemonitors() {
        ProcessTable table = new ProcessTable(new NodeId("n", 1));
        List<Notice> notices = new ArrayList<>();
        ProcessHost host = table.hostFor((pid, ref, reason) -> notices.add(new Notice(pid, ref, reason)));
        Pid pid = table.register(message -> {});
        table.exited(pid, ExitReason.KILLED);
        long ref = host.monitor(pid);
        assertThat(notices).containsExactly(new Notice(pid, ref, ExitReason.NOPROC));
        Pid live = table.register(message -> {});
        host.demonitor(host.monitor(live));
        host.demonitor(12345); // unknown: ignored
        table.exited(live, ExitReason.NORMAL);
        assertThat(notices).hasSize(1);
    }
}
