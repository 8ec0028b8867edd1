package io.cohort.registry;

import io.cohort.node.Pid;

/**
 * What a subscriber of a registry receives in its mailbox. Events describe this node's view of the registry: a name
 * appears when this node learns of its registration, and a remote node's names disappear from it when that node
 * leaves the view.
 *
 * @see Registry#subscribe
 */
public sealed interface RegistryEvent {

    /** The reference {@code subscribe} returned. */
    long ref();

    String name();

    /** {@code name} now resolves to {@code pid} here. */
    record Registered(long ref, String name, Pid pid) implements RegistryEvent {}

    /** The metadata of {@code name}'s registration changed. */
    record MetaUpdated(long ref, String name, Pid pid) implements RegistryEvent {}

    /** {@code name} no longer resolves to {@code pid} here (unregistered, exited, conflict lost, node lost). */
    record Unregistered(long ref, String name, Pid pid) implements RegistryEvent {}

    /** Two processes held {@code name}; {@code winner} keeps it and {@code loser} was removed by its own node. */
    record ConflictResolved(long ref, String name, Pid winner, Pid loser) implements RegistryEvent {}
}
