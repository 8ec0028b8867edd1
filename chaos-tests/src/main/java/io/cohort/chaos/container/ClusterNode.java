package io.cohort.chaos.container;

import io.cohort.chaos.control.ControlClient;
import io.cohort.node.NodeId;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;

/**
 * One node of a {@link ChaosCluster}: a container with a fixed name and address on the cluster's network, and its
 * control channel. The container stays the same across kills and restarts (a restart starts it again, as a new
 * incarnation of the node); its control port is published anew each time, so clients look it up per connection.
 */
public final class ClusterNode {

    /** What the harness did to the node last. */
    public enum State {
        RUNNING,
        PAUSED,
        KILLED
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final ChaosCluster cluster;
    private final String name;
    private final int index;
    private final String ip;
    private final String containerId;
    private final ControlClient control;
    private volatile State state = State.RUNNING;
    private volatile NodeId nodeId;
    private volatile InetSocketAddress controlAddress;
    /** Starts of the container so far; 1 after the first start. */
    private volatile int starts;
    /** The sidecar that holds network tools in this node's namespace, for images without them; null if none. */
    volatile String sidecarId;

    ClusterNode(ChaosCluster cluster, String name, int index, String ip, String containerId) {
        this.cluster = cluster;
        this.name = name;
        this.index = index;
        this.ip = ip;
        this.containerId = containerId;
        this.control = newControlClient();
    }

    public String name() {
        return name;
    }

    /** Position in the cluster, from 0. */
    public int index() {
        return index;
    }

    /** The node's address on the cluster's network. */
    public String ip() {
        return ip;
    }

    public String containerId() {
        return containerId;
    }

    public State state() {
        return state;
    }

    /** The incarnation the node reported last (by ping); empty before the first or for images without control. */
    public Optional<NodeId> nodeId() {
        return Optional.ofNullable(nodeId);
    }

    public int starts() {
        return starts;
    }

    /** The node's shared control client (one call at a time; give each concurrent worker its own). */
    public ControlClient control() {
        return control;
    }

    /** A new control client of this node, for a worker of its own. Close it when done. */
    public ControlClient newControlClient() {
        return new ControlClient(this::controlAddress, CONNECT_TIMEOUT);
    }

    /** Where the control port is published now. */
    public InetSocketAddress controlAddress() {
        InetSocketAddress address = controlAddress;
        if (address == null) {
            address = cluster.lookUpControlAddress(this);
            controlAddress = address;
        }
        return address;
    }

    void state(State newState) {
        state = newState;
    }

    void nodeId(NodeId id) {
        nodeId = id;
    }

    void started() {
        starts++;
        controlAddress = null;
    }

    void stopped() {
        controlAddress = null;
        control.disconnect();
    }

    @Override
    public String toString() {
        return name + "(" + ip + ", " + state + (nodeId == null ? "" : ", " + nodeId) + ")";
    }
}
