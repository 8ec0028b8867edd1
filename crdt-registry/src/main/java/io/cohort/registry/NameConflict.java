package io.cohort.registry;

import io.cohort.node.Pid;

/**
 * The message a losing process finds in its mailbox under {@link ConflictPolicy#NOTIFY}: it no longer holds
 * {@code name}, which {@code winner} keeps. It should hand off what it must and stop.
 */
public record NameConflict(String registry, String name, Pid loser, Pid winner) {}
