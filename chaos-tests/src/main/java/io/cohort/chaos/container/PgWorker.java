package io.cohort.chaos.container;

import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.history.History;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * One workload worker: drives one node's process groups through its own control connection, one operation at a time,
 * recording each in the history. It spawns idle processes, joins them to groups, leaves, kills them (their
 * memberships must go with them), publishes to groups and reads the scope. Its choices come from its own seeded
 * random, so a seed replays the same intentions (the outcomes depend on the faults' timing).
 *
 * <p>After a call with no answer it asks the node who it is before going on; a new incarnation means the node
 * restarted, so the processes it knew are gone and it starts afresh.
 */
final class PgWorker extends OpWorker {

    static final String SCOPE = "chaos";
    static final List<String> GROUPS = List.of("g0", "g1", "g2", "g3");
    /** Processes a worker keeps at most. */
    static final int PROCESSES_MAX = 16;

    private final List<String> pids = new ArrayList<>();
    /** (group, pid) memberships this worker believes it holds, with repetition. */
    private final List<String[]> joined = new ArrayList<>();

    PgWorker(String name, ClusterNode node, long seed, History history, LongSupplier nowNs, long endNs, int rate) {
        super(name, node, seed, history, nowNs, endNs, rate);
    }

    @Override
    void restarted(String incarnation) {
        pids.removeIf(pid -> !pid.startsWith("<" + incarnation + "."));
        joined.removeIf(entry -> !entry[1].startsWith("<" + incarnation + "."));
    }

    @Override
    void step() {
        double roll = random.nextDouble();
        String group = GROUPS.get(random.nextInt(GROUPS.size()));
        if (pids.size() < 2 || (roll < 0.08 && pids.size() < PROCESSES_MAX)) {
            spawn();
        } else if (roll < 0.45) {
            join(group, pids.get(random.nextInt(pids.size())));
        } else if (roll < 0.70) {
            if (joined.isEmpty() || random.nextInt(10) == 0) {
                leave(group, pids.get(random.nextInt(pids.size())));
            } else {
                String[] entry = joined.get(random.nextInt(joined.size()));
                leave(entry[0], entry[1]);
            }
        } else if (roll < 0.76) {
            exit(pids.get(random.nextInt(pids.size())));
        } else if (roll < 0.92) {
            publish(group);
        } else {
            read();
        }
    }

    private void spawn() {
        long invoke = invoke("spawn", "1");
        try {
            List<String> spawned = client.spawn(1, CALL_TIMEOUT);
            pids.addAll(spawned);
            ok(invoke, String.join(" ", spawned));
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void join(String group, String pid) {
        long invoke = invoke("join", group + " " + pid);
        try {
            client.pgJoin(SCOPE, group, List.of(pid), CALL_TIMEOUT);
            joined.add(new String[] {group, pid});
            ok(invoke, "");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
            forgetIfGone(e, pid);
        }
    }

    private void leave(String group, String pid) {
        long invoke = invoke("leave", group + " " + pid);
        try {
            boolean left = client.pgLeave(SCOPE, group, List.of(pid), CALL_TIMEOUT);
            for (int i = 0; i < joined.size(); i++) {
                if (joined.get(i)[0].equals(group) && joined.get(i)[1].equals(pid)) {
                    joined.remove(i);
                    break;
                }
            }
            ok(invoke, left ? "left" : "not_joined");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
            forgetIfGone(e, pid);
        }
    }

    private void exit(String pid) {
        long invoke = invoke("exit", pid);
        try {
            client.exit(pid, CALL_TIMEOUT);
            forget(pid);
            ok(invoke, "");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
            forgetIfGone(e, pid);
        }
    }

    private void publish(String group) {
        long invoke = invoke("publish", group);
        try {
            int sent = client.pgPublish(
                    SCOPE, group, name.getBytes(java.nio.charset.StandardCharsets.UTF_8), CALL_TIMEOUT);
            ok(invoke, "sent=" + sent);
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void read() {
        long invoke = invoke("read", SCOPE);
        try {
            var snapshot = client.pgRead(SCOPE, CALL_TIMEOUT);
            ok(invoke, "groups=" + snapshot.getGroupsCount());
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void forgetIfGone(ControlClient.RemoteError e, String pid) {
        if (e.code().equals("noproc")) {
            forget(pid);
        }
    }

    private void forget(String pid) {
        pids.remove(pid);
        joined.removeIf(entry -> entry[1].equals(pid));
    }
}
