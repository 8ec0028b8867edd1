package io.cohort.chaos.container;

import io.cohort.chaos.check.NodeSnapshot;
import io.cohort.chaos.check.RegistrySnapshot;
import io.cohort.chaos.check.SupervisorSnapshot;
import io.cohort.chaos.control.wire.GroupView;
import io.cohort.chaos.control.wire.PgSnapshot;
import io.cohort.chaos.control.wire.RegSnapshot;
import io.cohort.chaos.control.wire.SupSnapshot;
import io.cohort.chaos.control.wire.View;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Turns what a node answers on the control channel into the checkers' snapshots. */
final class Snapshots {

    private Snapshots() {}

    static NodeSnapshot pg(String name, View view, PgSnapshot pg) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        Map<String, List<String>> local = new LinkedHashMap<>();
        for (GroupView group : pg.getGroupsList()) {
            members.put(group.getGroup(), group.getMembersList());
            if (group.getLocalMembersCount() > 0) {
                local.put(group.getGroup(), group.getLocalMembersList());
            }
        }
        Map<String, Long> monitors = new LinkedHashMap<>();
        pg.getMonitorsList().forEach(count -> monitors.put(count.getPid(), count.getMessages()));
        return new NodeSnapshot(
                name, view.getNode(), view.getViewId(), view.getMembersList(), members, local, monitors);
    }

    static RegistrySnapshot registry(String name, String self, RegSnapshot registry) {
        Map<String, String> owners = new LinkedHashMap<>();
        registry.getOwnersList().forEach(owner -> owners.put(owner.getName(), owner.getPid()));
        return new RegistrySnapshot(
                name,
                self,
                owners,
                registry.getProcessesList().stream()
                        .map(p -> new RegistrySnapshot.Holder(
                                p.getPid(), p.getName(), p.getAlive(), p.getConflictExits(), p.getEndReason()))
                        .toList(),
                registry.getConflictsList().stream()
                        .map(c -> new RegistrySnapshot.Conflict(c.getName(), c.getWinner(), c.getLoser()))
                        .toList());
    }

    static SupervisorSnapshot supervisor(String name, String self, SupSnapshot supervisor) {
        return new SupervisorSnapshot(
                name,
                self,
                supervisor.getChildrenList().stream()
                        .map(c -> new SupervisorSnapshot.Child(
                                c.getId(),
                                c.getStatus(),
                                c.getNode(),
                                c.getPid(),
                                c.getToken(),
                                c.getCallPid(),
                                c.getCallError()))
                        .toList(),
                supervisor.getRunningList().stream()
                        .map(r -> new SupervisorSnapshot.Running(r.getId(), r.getPid(), r.getToken(), r.getMessages()))
                        .toList());
    }
}
