package io.cohort.pg;

import io.cohort.node.Node;
import io.cohort.node.Pid;
import io.cohort.node.driver.ComponentDriver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * }</pre>
 */
public final class ProcessGroups {

    /** How long a write waits for the scope's writer before it fails. */
    public static final Duration WRITE_TIMEOUT = Duration.ofSeconds(5);

    private final PgScope scope;
    private final ComponentDriver writer;

    /** Binds to {@code scope}, which must be one of {@code node}'s components. */
    public ProcessGroups(Node node, PgScope scope) {
        this.scope = scope;
        this.writer = node.driver(scope.name());
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
        CompletableFuture<R> result = writer.submit(change);
        try {
            return result.get(WRITE_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("pg scope " + scope.scope() + " did not answer in " + WRITE_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for pg scope " + scope.scope(), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }
}
