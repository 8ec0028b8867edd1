package io.cohort.node.runtime;

import io.cohort.node.NodeId;

/**
 * Everything nondeterministic a component may use, handed to it by its driver. Protocol code reaches time,
 * randomness, timers, the network, local processes and telemetry only through here, which is what lets the same
 * component run on a real node or under the seeded simulator.
 */
public interface NodeContext {

    /** This node's identity for its current life. */
    NodeId self();

    Clock clock();

    Timers timers();

    /** The transport scoped to this component's name. */
    Transport transport();

    Entropy entropy();

    ProcessHost processes();

    Metrics metrics();
}
