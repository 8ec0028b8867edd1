package io.cohort.chaos.container;

import io.cohort.chaos.control.ControlClient;
import io.cohort.chaos.control.wire.RegRegistered;
import io.cohort.chaos.control.wire.RegUnregistered;
import io.cohort.chaos.history.History;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * One registry workload worker: registers names from a small shared pool on its node (so nodes on both sides of a
 * partition bind the same name, and conflicts happen on every heal), unregisters them, kills their processes and looks
 * names up. Operations: {@code register name} (ok {@code registered <pid>} or {@code taken <pid> <owner>}),
 * {@code unregister name} (ok {@code removed <pid>} or {@code none}), {@code reg-exit pid}, {@code lookup name}.
 */
final class RegistryWorker extends OpWorker {

    /** The names every worker draws from: few, so registrations collide. */
    static final List<String> NAMES = List.of("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7");

    /** Names this worker's registrations hold on its node, as far as it knows: name -> pid. */
    private final Map<String, String> held = new TreeMap<>();

    RegistryWorker(
            String name, ClusterNode node, long seed, History history, LongSupplier nowNs, long endNs, int rate) {
        super(name, node, seed, history, nowNs, endNs, rate);
    }

    @Override
    void restarted(String incarnation) {
        held.values().removeIf(pid -> !pid.startsWith("<" + incarnation + "."));
    }

    @Override
    void step() {
        double roll = random.nextDouble();
        String name = NAMES.get(random.nextInt(NAMES.size()));
        if (roll < 0.45) {
            register(name);
        } else if (roll < 0.60) {
            unregister(held.isEmpty() || random.nextInt(4) == 0 ? name : pick());
        } else if (roll < 0.68 && !held.isEmpty()) {
            exit(pick());
        } else {
            lookup(name);
        }
    }

    private String pick() {
        List<String> names = List.copyOf(held.keySet());
        return names.get(random.nextInt(names.size()));
    }

    private void register(String name) {
        long invoke = invoke("register", name);
        try {
            RegRegistered result = client.regRegister(name, CALL_TIMEOUT);
            if (result.getRegistered()) {
                held.put(name, result.getPid());
                ok(invoke, "registered " + result.getPid());
            } else {
                ok(invoke, "taken " + result.getPid() + " " + result.getOwner());
            }
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void unregister(String name) {
        long invoke = invoke("unregister", name);
        try {
            RegUnregistered result = client.regUnregister(name, CALL_TIMEOUT);
            held.remove(name);
            ok(invoke, result.getRemoved() ? "removed " + result.getPid() : "none");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }

    private void exit(String name) {
        String pid = held.get(name);
        long invoke = invoke("reg-exit", pid);
        try {
            client.regExit(pid, CALL_TIMEOUT);
            held.remove(name);
            ok(invoke, "");
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
            if (e.code().equals("noproc")) {
                held.remove(name); // it lost a conflict, or another worker unregistered the name
            }
        }
    }

    private void lookup(String name) {
        long invoke = invoke("lookup", name);
        try {
            String pid = client.regLookup(name, CALL_TIMEOUT);
            ok(invoke, pid.isEmpty() ? "none" : pid);
        } catch (ControlClient.CallException e) {
            failed(invoke, e);
        } catch (ControlClient.RemoteError e) {
            refused(invoke, e);
        }
    }
}
