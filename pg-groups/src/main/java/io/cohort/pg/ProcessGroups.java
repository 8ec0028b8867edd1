package io.cohort.pg;

import io.cohort.node.Node;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.driver.ComponentDriver;
import io.cohort.node.process.ProcessRuntime;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Erlang's {@code pg} for one scope on a running node. Joins, leaves and subscriptions go through the scope's single
 * writer (and wait for it: the back-pressure); reads never do — {@link #members} and {@link #localMembers} read an
 * immutable snapshot without locks or copies.
 *
 * <pre>{@code
 * PgScope chat = new PgScope("chat");
 * Node node = Node.builder(config).component(chat).start();
 * ProcessGroups groups = new ProcessGroups(node, chat);
 * groups.join("room:42", pid);
 * groups.members("room:42");      // every member the node knows of, on every node
 * groups.publish("room:42", "hi"); // to every member: one frame per remote node
 * }</pre>
 *
 * <p><b>Fan-out.</b> {@link #publish} reaches the members this node knows of when it is called: local members directly,
 * and each remote node with members through one frame, encoded once, that the node delivers to its members. Like
 * Erlang's {@code [Pid ! Msg || Pid <- pg:get_members(G)]}, a member that joined elsewhere but is not yet known here
 * misses it, and a member that has just left may still get it. The same message object reaches every local member,
 * so messages should be immutable.
 */
public final class ProcessGroups {

    /** How long a write waits for the scope's writer before it fails. */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private final PgScope scope;
    private final ComponentDriver writer;
    private final ProcessRuntime processes;
    private final NodeId self;
    /** State of the pseudo-random sequence behind {@link Dispatch#random()} (SplitMix64's). */
    private final AtomicLong randomState;

    /** Binds to {@code scope}, which must be one of {@code node}'s components. */
    public ProcessGroups(Node node, PgScope scope) {
        this.scope = scope;
        this.writer = node.driver(scope.name());
        this.processes = node.processes();
        this.self = node.self();
        this.randomState = new AtomicLong(Dispatch.mix(self.hashCode() * 31L + self.incarnation()));
    }

    public String scope() {
        return scope.scope();
    }

    /** Adds local processes to {@code group}; a pid listed twice joins twice (and must leave twice). */
    public void join(String group, Pid... pids) {
        List<Pid> list = List.of(pids);
        write(now -> {
            scope.join(group, list);
            return null;
        });
    }

    /** Removes one membership of each; {@link LeaveResult#NOT_JOINED} when none of them was a member. */
    public LeaveResult leave(String group, Pid... pids) {
        List<Pid> list = List.of(pids);
        return write(now -> scope.leave(group, list));
    }

    /** Every member of {@code group} on every node this node knows of. Lock-free; no network. */
    public List<Pid> members(String group) {
        return scope.members(group);
    }

    /** The members of {@code group} on this node. Lock-free. */
    public List<Pid> localMembers(String group) {
        return scope.localMembers(group);
    }

    /**
     * Sends {@code message} to every member of {@code group} (once per join): local members directly, each remote node
     * with members one frame. Never blocks on the scope's writer.
     *
     * @return the number of deliveries addressed (0 when the group has no members)
     * @throws IllegalArgumentException when the message has no codec and a remote node has members
     */
    public int publish(String group, Object message) {
        GroupMembers members = scope.snapshot(group);
        processes.sendMany(self, members.local(), message);
        for (Map.Entry<NodeId, List<Pid>> node : members.remote().entrySet()) {
            processes.sendMany(node.getKey(), node.getValue(), message);
        }
        return members.all().size();
    }

    /** Sends {@code message} to the members of {@code group} on this node only; returns how many. */
    public int publishLocal(String group, Object message) {
        List<Pid> local = scope.localMembers(group);
        processes.sendMany(self, local, message);
        return local.size();
    }

    /**
     * Sends {@code message} to one member of {@code group}, chosen by {@code strategy}.
     *
     * @return the member it was sent to, or empty when the group has no members (nothing is sent)
     */
    public Optional<Pid> dispatch(String group, Object message, Dispatch strategy) {
        Optional<Pid> target = pick(group, strategy);
        target.ifPresent(pid -> processes.send(pid, message));
        return target;
    }

    /** The member {@code strategy} would pick now, without sending anything; empty for a group without members. */
    public Optional<Pid> pick(String group, Dispatch strategy) {
        GroupMembers members = scope.snapshot(group);
        if (members.all().isEmpty()) {
            return Optional.empty();
        }
        long bits = strategy instanceof Dispatch.Random ? Dispatch.mix(randomState.addAndGet(GOLDEN_GAMMA)) : 0;
        return Optional.of(strategy.pick(members, bits));
    }

    /** SplitMix64's increment. */
    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    /** The groups that have members (empty groups do not exist). */
    public Set<String> whichGroups() {
        return scope.whichGroups();
    }

    /** Subscribes the local process {@code subscriber} to every change in the scope (see {@link PgEvent}). */
    public PgSubscription monitorScope(Pid subscriber) {
        return write(now -> scope.monitorScope(subscriber));
    }

    /** Subscribes the local process {@code subscriber} to changes of {@code group}. */
    public PgSubscription monitor(String group, Pid subscriber) {
        return write(now -> scope.monitorGroup(subscriber, group));
    }

    /** Ends a subscription; false when it was not known. Events already delivered stay in the mailbox. */
    public boolean demonitor(long ref) {
        return write(now -> scope.demonitor(ref));
    }

    private <R> R write(LongFunction<R> change) {
        try {
            return writer.call(change, WRITE_TIMEOUT);
        } catch (TimeoutException e) {
            throw new IllegalStateException("pg scope " + scope.scope() + " did not answer in " + WRITE_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for pg scope " + scope.scope(), e);
        }
    }
}
