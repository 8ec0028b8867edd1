package io.cohort.node.netty;

import io.cohort.node.MembershipView;
import io.cohort.node.NodeId;
import io.cohort.node.Pid;
import io.cohort.node.codec.Codecs;
import io.cohort.node.codec.WireMessages;
import io.cohort.node.config.NodeConfig;
import io.cohort.node.process.ExitReason;
import io.cohort.node.process.ProcessRuntime;
import io.cohort.node.process.RemoteProcesses;
import io.cohort.node.runtime.Metrics;
import io.cohort.node.wire.DataFrame;
import io.cohort.node.wire.ExitSignal;
import io.cohort.node.wire.Hello;
import io.cohort.node.wire.Send;
import io.cohort.node.wire.SendMany;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import javax.net.ssl.SSLException;

/**
 * The data plane: carries process messages, exit signals, links and monitors between nodes over Netty, as the
 * process runtime's {@link RemoteProcesses}. See {@code docs/data-plane.md} for the design.
 *
 * <p><b>Connections.</b> One outbound connection per ordered peer pair: our frames to B use our {@link
 * PeerConnection} to B, B's frames to us use B's connection to us. It is opened when B appears in the view (or on
 * first use, whichever comes first) and re-opened with bounded backoff while B is in the view; B's data address comes from the attributes it published through the
 * membership layer ({@value #HOST_ATTRIBUTE}, {@value #PORT_ATTRIBUTE}).
 *
 * <p><b>Admission.</b> An inbound connection's first frame must be a Hello from our cluster, from a node incarnation
 * in our current view, with our protocol version; frames addressed to another incarnation than ours are dropped. Every
 * refusal is counted ({@code data.connections.closed}, {@code data.frames.dropped}) and logged at a limited rate;
 * nothing a peer sends can throw out of the pipeline.
 *
 * <p><b>Life cycle.</b> The constructor binds the server (so the port can be published before the node joins);
 * {@link #attach} connects it to the process runtime; {@link #onView} follows membership; {@link #close} releases
 * everything.
 */
public final class NettyDataPlane implements RemoteProcesses, AutoCloseable {

    public static final String HOST_ATTRIBUTE = "data.host";
    public static final String PORT_ATTRIBUTE = "data.port";

    /** User frames that may wait for one peer before sends to it are dropped (see {@link PeerConnection}). */
    public static final int DEFAULT_QUEUE_FRAMES = 65_536;
    /** Further slots for link, monitor and exit frames, so user floods do not break monitors. */
    public static final int CONTROL_RESERVE_FRAMES = 8_192;

    /** The refusal of a Hello from a node incarnation outside our current view. */
    static final String NOT_IN_VIEW = "not a member of our current view";

    private final NodeConfig config;
    private final WireMessages wire;
    private final DataPlaneCounters counters;
    private final RateLimitedLog log = new RateLimitedLog();
    private final EventLoopGroup group;
    private final Channel server;
    private final SslContext serverTls;
    private final SslContext clientTls;
    private final int queueFrames;
    /** How long a sender waits for room in a full peer queue before its message is dropped (and counted). */
    private final long sendBlockNs;

    /** Like JGroups UFC's max_block_time: a peer that drains nothing for this long costs messages, not liveness. */
    static final java.time.Duration DEFAULT_SEND_BLOCK = java.time.Duration.ofSeconds(5);

    /** Our connections to peers in the view, created on first use. */
    private final Map<NodeId, PeerConnection> peers = new ConcurrentHashMap<>();
    /** Connections peers opened to us, so they are closed when those peers leave the view. */
    private final Map<Channel, NodeId> inbound = new ConcurrentHashMap<>();
    /** Guards creating peer connections against a concurrent view change removing the peer. */
    private final Object viewLock = new Object();

    private volatile NodeId self;
    private volatile RemoteWatches watches;
    private volatile InboundFrames dispatcher;

    /**
     * Buffers come from Netty's pooled allocator. Netty 4.2's default (adaptive) allocator served neither the reads nor
     * the 64 KiB write batches from its pools here and fell back to allocating fresh direct memory for each, a tenth
     * of the event loops' time in msg_remote.
     */
    private static final ByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private volatile Function<NodeId, Map<String, String>> attributesOf = id -> Map.of();
    /** Members of the current view; empty before the first view, so nothing is admitted or sent. */
    private volatile Set<NodeId> members = Set.of();

    private volatile boolean closed;

    /**
     * Binds the data-plane server on {@code config.bindAddress():config.dataPort()} (0: an ephemeral port).
     *
     * @throws IllegalStateException when the port cannot be bound or the TLS files cannot be read
     */
    public NettyDataPlane(NodeConfig config, Metrics metrics, Codecs codecs) {
        this(config, metrics, codecs, DEFAULT_QUEUE_FRAMES, DEFAULT_SEND_BLOCK);
    }

    /**
     * As above, with {@code queueFrames} user frames per peer and at most {@code sendBlock} of waiting for room (tests
     * use small queues and short waits to show the policy).
     */
    public NettyDataPlane(
            NodeConfig config, Metrics metrics, Codecs codecs, int queueFrames, java.time.Duration sendBlock) {
        this.config = Objects.requireNonNull(config, "config");
        this.sendBlockNs = sendBlock.toNanos();
        this.wire = new WireMessages(codecs);
        this.counters = new DataPlaneCounters(metrics);
        this.queueFrames = queueFrames;
        try {
            this.serverTls =
                    config.tls().isPresent() ? TlsContexts.server(config.tls().get()) : null;
            this.clientTls =
                    config.tls().isPresent() ? TlsContexts.client(config.tls().get()) : null;
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot load the data plane's TLS files: " + e.getMessage(), e);
        }
        int threads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        // Daemon threads: a node someone forgot to close must not keep the JVM alive.
        this.group = new MultiThreadIoEventLoopGroup(
                threads, new DefaultThreadFactory("cohort-data", true), NioIoHandler.newFactory());
        try {
            this.server = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            Frames.framing(
                                    channel.pipeline(),
                                    serverTls,
                                    config.maxMessageBytes(),
                                    new FrameDecoder(counters, log));
                            channel.pipeline()
                                    .addLast("acceptor", new AcceptorHandler(NettyDataPlane.this, counters, log));
                        }
                    })
                    .bind(config.bindAddress(), config.dataPort())
                    .syncUninterruptibly()
                    .channel();
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException(
                    "cannot bind the data plane on " + config.bindAddress() + ":" + config.dataPort(), e);
        }
        metrics.gauge(
                "data.queue.frames",
                () -> peers.values().stream().mapToInt(PeerConnection::queued).sum());
    }

    /** The port the server is bound to. */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** The attributes to publish through the membership layer so peers can connect here. */
    public Map<String, String> attributes() {
        return Map.of(HOST_ATTRIBUTE, config.bindAddress(), PORT_ATTRIBUTE, String.valueOf(port()));
    }

    /** The codecs user messages go through; register application codecs here. */
    public Codecs codecs() {
        return wire.codecs();
    }

    /**
     * Connects the plane to this node's processes and to the attributes peers published. Call once, before the first
     * view.
     */
    public void attach(ProcessRuntime processes, Function<NodeId, Map<String, String>> attributes) {
        Objects.requireNonNull(processes, "processes");
        this.attributesOf = Objects.requireNonNull(attributes, "attributes");
        this.watches = new RemoteWatches(processes, this::sendControl);
        this.dispatcher = new InboundFrames(processes, watches, wire, counters, log);
        this.self = processes.node();
    }

    /**
     * Follows a new view: peers that left are disconnected, their queued frames dropped, and monitors and links to
     * their processes fire {@code noconnection}.
     */
    public void onView(MembershipView view) {
        Set<NodeId> left;
        synchronized (viewLock) {
            Set<NodeId> previous = members;
            members = Set.copyOf(view.members());
            left = new java.util.TreeSet<>(previous);
            left.removeAll(members);
            for (NodeId gone : left) {
                PeerConnection connection = peers.remove(gone);
                if (connection != null) {
                    connection.close(true);
                }
            }
        }
        for (Map.Entry<Channel, NodeId> entry : inbound.entrySet()) {
            if (left.contains(entry.getValue())) {
                entry.getKey().close(); // nothing from a departed life may arrive after its noconnection
            }
        }
        RemoteWatches current = watches;
        if (current != null) {
            left.forEach(current::nodeDown);
        }
        // Open connections to the view's members now, not on the first send, so the first message to a peer does not
        // wait for a TCP and Hello round trip. A peer that has not admitted us yet refuses, and we retry with backoff.
        if (current != null) {
            for (NodeId member : view.members()) {
                PeerConnection connection = connectionTo(member);
                if (connection != null) {
                    connection.scheduleDrain();
                }
            }
        }
    }

    // --- RemoteProcesses ---------------------------------------------------------------------------------------

    /**
     * Queues {@code message} for the remote process {@code to}. Dropped and counted when its node is not in the view
     * or the queue to it is full.
     *
     * @throws IllegalArgumentException when the message (or a value inside a system message) has no codec, or its
     *     encoding exceeds {@code maxMessageBytes} — mistakes of the sender, so they fail at the sender
     */
    @Override
    public void send(Pid to, Object message) {
        Outbound frame;
        if (WireMessages.isUserValue(message)) {
            WireMessages.EncodedUser user = wire.encodeUser(message);
            frame = new UserSend(to.serial(), user.tag(), user.bytes());
        } else {
            frame = new Outbound.Generated(DataFrame.newBuilder()
                    .setVersion(Frames.VERSION)
                    .setSend(Send.newBuilder().setToSerial(to.serial()).setMessage(wire.encode(message)))
                    .build());
        }
        int size = frame.serializedSize();
        if (size > config.maxMessageBytes()) {
            throw new IllegalArgumentException("a message of " + size + " bytes to " + to + " exceeds maxMessageBytes ("
                    + config.maxMessageBytes() + ")");
        }
        PeerConnection connection = connectionTo(to.node());
        if (connection == null) {
            counters.droppedNoRoute.increment();
        } else if (!connection.offer(frame, false)) {
            counters.droppedQueueFull.increment();
        }
    }

    /**
     * Queues one frame that {@code node} fans out to {@code pids}: the message is encoded once, whatever the number of
     * receivers. Dropped and counted (once) like {@link #send}.
     *
     * @throws IllegalArgumentException when a pid is not of {@code node}, or as {@link #send}
     */
    @Override
    public void sendMany(NodeId node, List<Pid> pids, Object message) {
        SendMany.Builder many = SendMany.newBuilder().setTo(WireMessages.nodeId(node));
        for (Pid pid : pids) {
            if (!pid.node().equals(node)) {
                throw new IllegalArgumentException(pid + " is not a process of " + node);
            }
            many.addSerials(pid.serial());
        }
        DataFrame frame = DataFrame.newBuilder()
                .setVersion(Frames.VERSION)
                .setSendMany(many.setMessage(wire.encode(message)))
                .build();
        int size = frame.getSerializedSize();
        if (size > config.maxMessageBytes()) {
            throw new IllegalArgumentException("a message of " + size + " bytes to " + pids.size() + " processes of "
                    + node + " exceeds maxMessageBytes (" + config.maxMessageBytes() + ")");
        }
        PeerConnection connection = connectionTo(node);
        if (connection == null) {
            counters.droppedNoRoute.increment();
        } else if (!connection.offer(new Outbound.Generated(frame), false)) {
            counters.droppedQueueFull.increment();
        }
    }

    @Override
    public void exit(Pid from, Pid target, ExitReason reason) {
        sendControl(
                target.node(),
                DataFrame.newBuilder()
                        .setVersion(Frames.VERSION)
                        .setExitSignal(ExitSignal.newBuilder()
                                .setFrom(WireMessages.pid(from))
                                .setTo(WireMessages.pid(target))
                                .setReason(WireMessages.reason(reason)))
                        .build());
    }

    @Override
    public void link(Pid local, Pid remote) {
        requireAttached().link(local, remote);
    }

    @Override
    public void unlink(Pid local, Pid remote) {
        requireAttached().unlink(local, remote);
    }

    @Override
    public void linkExit(Pid from, Pid to, ExitReason reason) {
        requireAttached().linkExit(from, to, reason);
    }

    @Override
    public long monitor(Pid watcher, Pid target) {
        return requireAttached().monitor(watcher, target);
    }

    @Override
    public void demonitor(Pid watcher, long monitorRef) {
        requireAttached().demonitor(watcher, monitorRef);
    }

    /** Closes every connection and the server, and stops the event loops. Queued frames are flushed first. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        synchronized (viewLock) {
            members = Set.of();
            peers.values().forEach(connection -> connection.close(false));
            peers.clear();
        }
        server.close();
        inbound.keySet().forEach(Channel::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    // --- for the handlers --------------------------------------------------------------------------------------

    NodeId self() {
        return self;
    }

    DataPlaneCounters counters() {
        return counters;
    }

    /** Why a connection saying {@code hello} as {@code sender} is refused, or null to accept it (and counted). */
    String admit(NodeId sender, Hello hello) {
        if (!config.clusterName().equals(hello.getCluster())) {
            counters.rejectedForeignCluster.increment();
            return "from cluster '" + hello.getCluster() + "', not '" + config.clusterName() + "'";
        }
        if (hello.getProtocolVersion() != Frames.PROTOCOL_VERSION) {
            counters.rejectedBadVersion.increment();
            return "protocol version " + hello.getProtocolVersion() + ", not " + Frames.PROTOCOL_VERSION;
        }
        if (self == null || !members.contains(sender) || sender.equals(self)) {
            // Our view may lag the sender's: it retries with backoff, and no frame is lost as it waits for our ack.
            counters.rejectedUnknownNode.increment();
            return NOT_IN_VIEW;
        }
        return null;
    }

    void inboundOpened(NodeId peer, Channel channel) {
        inbound.put(channel, peer);
        if (!members.contains(peer)) {
            channel.close(); // it left the view while we admitted it
        }
    }

    void inboundClosed(NodeId peer, Channel channel) {
        inbound.remove(channel, peer);
    }

    /** A frame from the admitted peer {@code from}, on that connection's event loop. Never throws. */
    void onFrame(NodeId from, DataFrame frame) {
        try {
            dispatcher.dispatch(from, frame);
        } catch (RuntimeException e) {
            counters.droppedMalformed.increment();
            log.warn("dispatch", "dropped a " + frame.getKindCase() + " frame from " + from + ": " + e);
        }
    }

    void onUserSend(NodeId from, UserSend.Inbound send) {
        try {
            dispatcher.onUserSend(send);
        } catch (RuntimeException e) {
            counters.droppedMalformed.increment();
            log.warn("dispatch", "dropped a SEND frame from " + from + ": " + e);
        }
    }

    InetSocketAddress addressOf(NodeId peer) {
        Map<String, String> attributes = attributesOf.apply(peer);
        String host = attributes.get(HOST_ATTRIBUTE);
        String port = attributes.get(PORT_ATTRIBUTE);
        if (host == null || port == null) {
            return null;
        }
        try {
            return new InetSocketAddress(host, Integer.parseInt(port));
        } catch (IllegalArgumentException e) {
            log.warn("address", peer + " published an unusable data address " + host + ":" + port);
            return null;
        }
    }

    Bootstrap clientBootstrap(EventLoop loop, PeerConnection connection) {
        DataFrame hello = Frames.hello(self, config.clusterName());
        return new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, ALLOCATOR)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        Frames.framing(
                                channel.pipeline(),
                                clientTls,
                                config.maxMessageBytes(),
                                new FrameDecoder(counters, log));
                        channel.pipeline().addLast("connector", new ConnectorHandler(connection, hello, counters, log));
                    }
                });
    }

    // --- internals ---------------------------------------------------------------------------------------------

    /** Queues a link, monitor or exit frame; false when {@code to} is unreachable or even the reserve is full. */
    boolean sendControl(NodeId to, DataFrame frame) {
        PeerConnection connection = connectionTo(to);
        if (connection == null) {
            counters.droppedNoRoute.increment();
            return false;
        }
        if (!connection.offer(new Outbound.Generated(frame), true)) {
            counters.droppedQueueFull.increment();
            return false;
        }
        return true;
    }

    /** Our connection to {@code peer}, created on first use; null when it is not a member of the view. */
    private PeerConnection connectionTo(NodeId peer) {
        PeerConnection connection = peers.get(peer);
        if (connection != null) {
            return connection;
        }
        synchronized (viewLock) {
            if (closed || self == null || peer.equals(self) || !members.contains(peer)) {
                return null;
            }
            return peers.computeIfAbsent(
                    peer,
                    id -> new PeerConnection(id, this, group.next(), queueFrames, CONTROL_RESERVE_FRAMES, sendBlockNs));
        }
    }

    private RemoteWatches requireAttached() {
        RemoteWatches current = watches;
        if (current == null) {
            throw new IllegalStateException("the data plane is not attached to a process runtime yet");
        }
        return current;
    }
}
