package io.cohort.node.jgroups;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.jgroups.IdentityAddress.Identity;
import io.cohort.node.runtime.ControlPlane;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.wire.ControlEnvelope;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.protocols.DISCARD;
import org.jgroups.stack.AddressGenerator;

/**
 * The production {@link ControlPlane}: one JGroups channel per node over the stack in {@link MembershipStack}.
 *
 * <p><b>Identity.</b> The channel's address is an ExtendedUUID holding this node's {@link NodeId} and published
 * attributes ({@link IdentityAddress}), so every member maps views and senders to NodeIds from JGroups' own data. The
 * incarnation is the configured one or the wall clock at construction, so a restart is a new node.
 *
 * <p><b>Messages.</b> Each message is one Protobuf {@link ControlEnvelope} (version 1, component, payload) sent as a
 * JGroups unicast; UNICAST3 gives per-sender FIFO. A message to a node outside the current view is dropped and
 * counted. A received envelope that is oversized, malformed or of an unknown version is dropped, counted
 * ({@code membership.messages.dropped}, tagged {@code direction} and {@code reason}) and logged at most once per
 * interval per reason; nothing from the network is ever thrown.
 *
 * <p><b>Views.</b> JGroups views and merge views become {@link MembershipView}s; merges only merge views, each
 * subsystem heals its own state on a merge view.
 *
 * <p><b>Threads.</b> Listener callbacks run on JGroups' (virtual) delivery threads: views from GMS's thread,
 * messages from one sender in order. The listener must not block for long (a blocked delivery thread holds back
 * that sender's later messages and, through UFC credits, eventually the sender). For the same reason {@link #send}
 * may block, at most UFC's {@code max_block_time} (5 s), when a receiver stops granting credits; a caller that must
 * never block hands messages to its own bounded queue first.
 */
public final class JGroupsControlPlane implements ControlPlane {

    /** The envelope version this node writes and the only one it reads. */
    public static final int ENVELOPE_VERSION = 1;

    private static final System.Logger LOG = System.getLogger(JGroupsControlPlane.class.getName());

    static {
        routeJGroupsLogging();
    }

    private final NodeConfig config;
    private final NodeId self;
    private final Map<String, String> attributes;
    private final boolean faultInjection;
    private final Counters counters;
    private final Metrics metrics;
    private final RateLimitedLog log;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    // Set once by start(); read by send() and the receive path.
    private volatile JChannel channel;
    private volatile DISCARD faults;
    private volatile Listener listener;
    // The current view and its address lookups, replaced as a whole on each view so readers never see a mix.
    private volatile ViewTranslation current;

    private JGroupsControlPlane(Builder builder) {
        this.config = builder.config;
        this.self = new NodeId(config.nodeName(), config.incarnation().orElseGet(System::currentTimeMillis));
        this.attributes = Map.copyOf(builder.attributes);
        IdentityAddress.checkAttributes(attributes);
        this.faultInjection = builder.faultInjection;
        this.metrics = builder.metrics;
        this.counters = new Counters(builder.metrics);
        this.log = new RateLimitedLog(LOG, builder.logIntervalNs);
    }

    /** Starts building a control plane for {@code config}. */
    public static Builder builder(NodeConfig config) {
        return new Builder(config);
    }

    @Override
    public NodeId self() {
        return self;
    }

    @Override
    public void start(Listener listener) throws Exception {
        Objects.requireNonNull(listener, "listener");
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("a control plane starts once");
        }
        this.listener = listener;
        MembershipStack.Built built = MembershipStack.build(config, faultInjection, metrics, log);
        JChannel created = new JChannel(built.protocols());
        this.channel = created;
        this.faults = built.faults();
        try {
            // Probing uses an IP multicast socket on 224.0.75.75; a control plane stays on its bind address.
            created.getProtocolStack().getTransport().getDiagnosticsHandler().setEnabled(false);
            created.name(self.toString());
            ExtendedAddressGenerator generator = new ExtendedAddressGenerator();
            created.addAddressGenerator(generator);
            created.setReceiver(new ChannelReceiver());
            metrics.gauge("membership.view.size", () -> {
                ViewTranslation view = current;
                return view == null ? 0 : view.view().size();
            });
            created.connect(config.clusterName());
            if (current == null) {
                throw new IllegalStateException("connected without a view");
            }
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public void send(NodeId to, String component, byte[] payload) {
        JChannel ch = channel;
        ViewTranslation view = current;
        if (ch == null || view == null || closed.get()) {
            counters.droppedOut("not_started").increment();
            return;
        }
        Address destination = view.byNode().get(to);
        if (destination == null) {
            counters.droppedOut("not_in_view").increment();
            return;
        }
        byte[] envelope = ControlEnvelope.newBuilder()
                .setVersion(ENVELOPE_VERSION)
                .setComponent(component)
                .setPayload(ByteString.copyFrom(payload))
                .build()
                .toByteArray();
        if (envelope.length > config.maxMessageBytes()) {
            counters.droppedOut("oversized").increment();
            log.warn(
                    "out.oversized",
                    () -> "dropped a " + envelope.length + "-byte message for " + component + " on " + to
                            + ": above message.max-bytes " + config.maxMessageBytes());
            return;
        }
        sendBytes(ch, destination, envelope);
    }

    /** The channel, for tests that inspect the running stack; null before {@link #start}. */
    JChannel channel() {
        return channel;
    }

    /** Sends raw bytes as they are, so tests can put what a broken or hostile peer would on the wire. */
    void sendRaw(NodeId to, byte[] bytes) {
        Address destination = current.byNode().get(to);
        if (destination == null) {
            throw new IllegalArgumentException(to + " is not in the view");
        }
        sendBytes(channel, destination, bytes);
    }

    private void sendBytes(JChannel ch, Address destination, byte[] bytes) {
        try {
            ch.send(new BytesMessage(destination, bytes));
            counters.sent.increment();
        } catch (Exception e) {
            // The channel closed under us, or the stack refused the message: a local condition, counted.
            counters.droppedOut("send_failed").increment();
            log.warn("out.failed", () -> "send to " + destination + " failed: " + e);
        }
    }

    @Override
    public MembershipView view() {
        ViewTranslation view = current;
        return view == null ? null : view.view();
    }

    @Override
    public Map<String, String> attributes(NodeId member) {
        if (member.equals(self)) {
            return attributes;
        }
        ViewTranslation view = current;
        if (view == null) {
            return Map.of();
        }
        Address address = view.byNode().get(member);
        Identity identity = address == null ? null : view.byAddress().get(address);
        return identity == null ? Map.of() : identity.attributes();
    }

    /**
     * Drops all traffic between this node and {@code peers}, in both directions as far as this node is concerned
     * (call it on both sides for a symmetric partition). Only on a control plane built with
     * {@link Builder#faultInjection(boolean)}; for tests and the chaos harness.
     */
    public void isolateFrom(Collection<NodeId> peers) {
        DISCARD discard = requireFaults();
        ViewTranslation view = current;
        for (NodeId peer : peers) {
            Address address = view.byNode().get(peer);
            if (address == null) {
                throw new IllegalArgumentException(peer + " is not in the current view " + view.view());
            }
            discard.addIgnoreMember(address);
        }
    }

    /** Lifts every {@link #isolateFrom} rule; MERGE3 then merges the sides within its interval. */
    public void heal() {
        requireFaults().resetIgnoredMembers();
    }

    private DISCARD requireFaults() {
        DISCARD discard = faults;
        if (discard == null) {
            throw new IllegalStateException("built without faultInjection(true), or not started");
        }
        return discard;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        JChannel ch = channel;
        if (ch == null) {
            return;
        }
        try {
            // Disconnect first: GMS sends a LEAVE and peers install a view without us instead of suspecting us.
            ch.disconnect();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "graceful leave of " + self + " failed; peers will detect it", e);
        } finally {
            ch.close();
        }
    }

    @Override
    public String toString() {
        return "JGroupsControlPlane[" + self + " in " + config.clusterName() + "]";
    }

    private void onView(View jgroupsView) {
        ViewTranslation translated = ViewTranslation.of(jgroupsView, foreign -> {
            counters.foreignMembers.increment();
            log.warn(
                    "view.foreign",
                    () -> "member " + foreign + " of " + jgroupsView.getViewId()
                            + " carries no Cohort identity; another application may share cluster name "
                            + config.clusterName());
        });
        current = translated;
        counters.views.increment();
        try {
            listener.onView(translated.view());
        } catch (RuntimeException e) {
            counters.listenerFailures.increment();
            log.warn("listener.view", () -> "view listener failed on " + translated.view() + ": " + e);
        }
    }

    private void onMessage(Message msg) {
        int length = msg.getLength();
        if (length > config.maxMessageBytes()) {
            counters.droppedIn("oversized").increment();
            log.warn(
                    "in.oversized",
                    () -> "dropped a " + length + "-byte message from " + IdentityAddress.describe(msg.getSrc())
                            + ": above message.max-bytes " + config.maxMessageBytes());
            return;
        }
        if (!msg.hasArray()) {
            // Only BytesMessages are ours; anything else (or an empty message) is not an envelope.
            counters.droppedIn("malformed").increment();
            log.warn(
                    "in.malformed",
                    () -> "dropped a message without a byte payload from " + IdentityAddress.describe(msg.getSrc()));
            return;
        }
        ControlEnvelope envelope;
        try {
            envelope = ControlEnvelope.parseFrom(java.nio.ByteBuffer.wrap(msg.getArray(), msg.getOffset(), length));
        } catch (InvalidProtocolBufferException e) {
            counters.droppedIn("malformed").increment();
            log.warn(
                    "in.malformed",
                    () -> "dropped a malformed envelope from " + IdentityAddress.describe(msg.getSrc()) + ": " + e);
            return;
        }
        if (envelope.getVersion() != ENVELOPE_VERSION) {
            counters.droppedIn("unknown_version").increment();
            log.warn(
                    "in.version",
                    () -> "dropped an envelope of version " + envelope.getVersion() + " from "
                            + IdentityAddress.describe(msg.getSrc()) + "; this node reads version " + ENVELOPE_VERSION);
            return;
        }
        if (envelope.getComponent().isEmpty()) {
            counters.droppedIn("malformed").increment();
            log.warn(
                    "in.component",
                    () -> "dropped an envelope without component from " + IdentityAddress.describe(msg.getSrc()));
            return;
        }
        Optional<NodeId> from = sender(msg.getSrc());
        if (from.isEmpty()) {
            counters.droppedIn("unknown_sender").increment();
            log.warn(
                    "in.sender",
                    () -> "dropped a message from " + IdentityAddress.describe(msg.getSrc())
                            + ", which has no Cohort identity");
            return;
        }
        counters.received.increment();
        try {
            listener.onMessage(
                    from.get(), envelope.getComponent(), envelope.getPayload().toByteArray());
        } catch (RuntimeException e) {
            counters.listenerFailures.increment();
            log.warn("listener.message", () -> "message listener failed for " + envelope.getComponent() + ": " + e);
        }
    }

    /** The sender by the current view, else by its own address: a sender may be ahead of our view. */
    private Optional<NodeId> sender(Address src) {
        ViewTranslation view = current;
        Identity known = view == null || src == null ? null : view.byAddress().get(src);
        return known != null
                ? Optional.of(known.node())
                : IdentityAddress.decode(src).map(Identity::node);
    }

    /**
     * JGroups logs through SLF4J whenever its API is on the class path, even with no binding behind it: then every
     * JGroups warning (a merge that failed, a message it dropped) goes nowhere. Test containers bring the API without
     * a binding, so the benchmark and demo nodes had exactly that. Without a binding (SLF4J 1's
     * {@code StaticLoggerBinder} or an SLF4J 2 provider), JGroups logs through {@code java.util.logging}, like the
     * rest of Cohort; with one, or when the application chose a logger already, nothing changes.
     */
    static void routeJGroupsLogging() {
        if (org.jgroups.logging.LogFactory.getCustomLogFactory() != null
                || org.jgroups.logging.LogFactory.useJdkLogger()
                || !org.jgroups.logging.LogFactory.IS_SLF4J_AVAILABLE) {
            return;
        }
        ClassLoader loader = JGroupsControlPlane.class.getClassLoader();
        boolean bound = loader.getResource("org/slf4j/impl/StaticLoggerBinder.class") != null
                || loader.getResource("META-INF/services/org.slf4j.spi.SLF4JServiceProvider") != null;
        if (!bound) {
            org.jgroups.logging.LogFactory.useJdkLogger(true);
        }
    }

    /** Builds a {@link JGroupsControlPlane}; only the config is required. */
    public static final class Builder {
        private final NodeConfig config;
        private Metrics metrics = NoMetrics.INSTANCE;
        private Map<String, String> attributes = Map.of();
        private boolean faultInjection;
        private long logIntervalNs = RateLimitedLog.DEFAULT_INTERVAL_NS;

        private Builder(NodeConfig config) {
            this.config = Objects.requireNonNull(config, "config");
        }

        /** Where drops, refusals and views are counted. */
        public Builder metrics(Metrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Small attributes every member can read from the view (e.g. {@code data.host}, {@code data.port}); at
         * most 32, each key and value at most 255 bytes.
         */
        public Builder attributes(Map<String, String> attributes) {
            this.attributes = Map.copyOf(attributes);
            return this;
        }

        /**
         * Adds JGroups' DISCARD above the transport so {@link #isolateFrom} and {@link #heal} can simulate
         * partitions. For tests and the chaos harness; off in production.
         */
        public Builder faultInjection(boolean enabled) {
            this.faultInjection = enabled;
            return this;
        }

        /** How often one kind of warning about remote misbehaviour may be logged. */
        public Builder logInterval(java.time.Duration interval) {
            this.logIntervalNs = interval.toNanos();
            return this;
        }

        public JGroupsControlPlane build() {
            return new JGroupsControlPlane(this);
        }
    }

    /** Hands JGroups this node's identity-bearing address whenever the channel needs a new one. */
    private final class ExtendedAddressGenerator implements AddressGenerator {
        @Override
        @SuppressWarnings("deprecation")
        public Address generateAddress() {
            return IdentityAddress.create(self, attributes);
        }

        @Override
        public Address generateAddress(String name) {
            return IdentityAddress.create(self, attributes);
        }
    }

    private final class ChannelReceiver implements Receiver {
        @Override
        public void receive(Message msg) {
            onMessage(msg);
        }

        @Override
        public void viewAccepted(View view) {
            onView(view);
        }
    }

    /** The counters, created once so the hot paths do not look them up. */
    private static final class Counters {
        private final Metrics metrics;
        final Metrics.Counter sent;
        final Metrics.Counter received;
        final Metrics.Counter views;
        final Metrics.Counter foreignMembers;
        final Metrics.Counter listenerFailures;

        Counters(Metrics metrics) {
            this.metrics = metrics;
            this.sent = metrics.counter("membership.messages.sent");
            this.received = metrics.counter("membership.messages.received");
            this.views = metrics.counter("membership.views");
            this.foreignMembers = metrics.counter("membership.view.foreign_members");
            this.listenerFailures = metrics.counter("membership.listener.failures");
        }

        Metrics.Counter droppedIn(String reason) {
            return metrics.counter("membership.messages.dropped", "direction", "in", "reason", reason);
        }

        Metrics.Counter droppedOut(String reason) {
            return metrics.counter("membership.messages.dropped", "direction", "out", "reason", reason);
        }
    }
}
