package io.cohort.node.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.runtime.ProcessHost;
import java.util.ArrayList;
import java.util.List;
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
}
