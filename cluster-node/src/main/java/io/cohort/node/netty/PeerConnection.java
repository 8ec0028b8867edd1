package io.cohort.node.netty;

import io.cohort.node.NodeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * This node's one outbound connection to one peer, and the bounded queue in front of it. All our frames to that peer
 * travel here, in the order they were offered, so order per sender→receiver holds (the peer's frames to us use the
 * peer's own connection).
 *
 * <p><b>Queue policy: the sender waits, then drops.</b> At {@code capacity} queued user frames, {@link #offer} waits
 * for the event loop to drain room — for at most {@code sendBlockNs} — and only then refuses the message (counted by
 * the plane). This is Erlang's busy distribution port: a sending process is suspended while the buffer to a node is
 * full, so a fast sender is slowed to the speed of the link instead of losing messages to a live peer. The wait is
 * bounded so a peer that drains nothing (hung, about to leave the view) costs messages, not a stuck sender; it cannot
 * deadlock two nodes sending to each other because inbound frames go to unbounded mailboxes and never wait on an
 * outbound queue. Event-loop threads never wait. Link, monitor and exit frames never wait either: they may use a further
 * {@code controlReserve} slots, so a flood of user messages does not lose the signals that make monitors and links
 * reliable; when even those are full the plane reports {@code noconnection} locally instead.
 *
 * <p><b>Batching.</b> Offers schedule one drain task on the connection's event loop; a drain writes up to
 * {@value #BATCH_FRAMES} queued frames and flushes once, so a burst of sends costs one system call per batch. It stops
 * when the channel is not writable (Netty's high-water mark) and resumes when it is.
 *
 * <p><b>Lingering.</b> Waking an event loop that sleeps in {@code epoll_wait} costs the sender a system call. After
 * a drain that wrote frames, the drain stays scheduled for up to {@value #LINGER_NS} ns with nothing to write (it
 * re-queues itself on the loop, which then polls instead of sleeping), so a steady sender finds a drain pending and
 * never wakes the loop itself; once the stream pauses the loop sleeps again.
 *
 * <p><b>Reconnect.</b> While the peer is in the view (the plane closes this object when it leaves), a failed or lost
 * connection is retried after a backoff that doubles from {@value #BACKOFF_MIN_MS} ms to {@value #BACKOFF_MAX_MS} ms;
 * frames wait in the queue meanwhile. Frames written to a connection that then broke are lost, as in Erlang when a
 * connection drops; the membership layer turns a lasting loss into {@code noconnection}.
 *
 * <p><b>Threads.</b> {@link #offer} is called from any thread; everything else runs on {@link #loop}.
 */
final class PeerConnection {

    static final int BATCH_FRAMES = 1024;
    /** Frames of one drain are encoded into buffers of about this size, written one buffer at a time. */
    static final int BATCH_BYTES = 64 * 1024;

    /** How long a drain stays scheduled after the last frame it wrote (see the class comment). */
    static final long LINGER_NS = 50_000;

    static final long BACKOFF_MIN_MS = 50;
    static final long BACKOFF_MAX_MS = 2000;

    private final NodeId peer;
    private final NettyDataPlane plane;
    private final EventLoop loop;
    private final int capacity;
    private final int controlReserve;
    private final DataPlaneCounters counters;

    private final Queue<Outbound> queue = new ConcurrentLinkedQueue<>();
    /** Frames in {@link #queue}; the bound is checked against it (the queue's own size() is O(n)). */
    private final AtomicInteger queued = new AtomicInteger();
    /** True while a drain task is pending on the loop, so a burst of offers schedules one drain. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();

    private volatile boolean closed;
    /** The connection after its HelloAck, or null. Loop-confined. */
    private Channel channel;
    /** True from a connect attempt until it is ready or has failed. Loop-confined. */
    private boolean connecting;
    /** The next reconnect delay. Loop-confined. */
    private long backoffMs = BACKOFF_MIN_MS;
    /** When the last drain wrote something ({@link System#nanoTime}). Loop-confined. */
    private long lastWriteNs;

    /** Senders waiting for room; signalled when a drain frees some. */
    private final java.util.concurrent.locks.ReentrantLock roomLock = new java.util.concurrent.locks.ReentrantLock();

    private final java.util.concurrent.locks.Condition roomFreed = roomLock.newCondition();
    private final AtomicInteger waitingSenders = new AtomicInteger();
    private final long sendBlockNs;

    PeerConnection(
            NodeId peer, NettyDataPlane plane, EventLoop loop, int capacity, int controlReserve, long sendBlockNs) {
        this.sendBlockNs = sendBlockNs;
        this.peer = peer;
        this.plane = plane;
        this.loop = loop;
        this.capacity = capacity;
        this.controlReserve = controlReserve;
        this.counters = plane.counters();
    }

    NodeId peer() {
        return peer;
    }

    int queued() {
        return queued.get();
    }

    /**
     * Queues {@code frame}; false when the queue is full (see the class comment) or the connection is closed.
     *
     * @param control true for link, monitor and exit frames, which may use the reserve
     */
    boolean offer(Outbound frame, boolean control) {
        int limit = control ? capacity + controlReserve : capacity;
        long deadlineNs = 0;
        while (true) {
            if (closed) {
                return false;
            }
            if (queued.incrementAndGet() <= limit) {
                queue.add(frame);
                scheduleDrain();
                return true;
            }
            queued.decrementAndGet();
            if (control || loop.inEventLoop()) {
                return false;
            }
            long now = System.nanoTime();
            if (deadlineNs == 0) {
                deadlineNs = now + sendBlockNs;
            } else if (now - deadlineNs >= 0) {
                return false;
            }
            scheduleDrain();
            awaitRoom(Math.min(deadlineNs - now, 1_000_000L)); // re-checks at least every millisecond
        }
    }

    private void awaitRoom(long waitNs) {
        waitingSenders.incrementAndGet();
        roomLock.lock();
        try {
            roomFreed.awaitNanos(waitNs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            roomLock.unlock();
            waitingSenders.decrementAndGet();
        }
    }

    private void signalRoom() {
        if (waitingSenders.get() > 0) {
            roomLock.lock();
            try {
                roomFreed.signalAll();
            } finally {
                roomLock.unlock();
            }
        }
    }

    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                closed = true; // the plane is shutting down its event loops: nothing will be written any more
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        if (closed) {
            return;
        }
        Channel current = channel;
        if (current == null || !current.isActive()) {
            connect();
            return;
        }
        int written = 0;
        Frames.Batch batch = null;
        while (written < BATCH_FRAMES && current.isWritable()) {
            Outbound frame = queue.poll();
            if (frame == null) {
                break;
            }
            queued.decrementAndGet();
            int size = frame.serializedSize();
            if (batch != null && !batch.fits(size)) {
                current.write(batch.finish(), current.voidPromise());
                batch = null;
            }
            if (batch == null) {
                batch = new Frames.Batch(current.alloc(), Math.max(BATCH_BYTES, Frames.LENGTH_BYTES + size));
            }
            try {
                batch.add(frame, size);
            } catch (RuntimeException e) {
                batch.discard(); // a frame that misreports its size is a bug here; do not leak the buffer with it
                throw e;
            }
            written++;
        }
        if (batch != null) {
            current.write(batch.finish(), current.voidPromise());
        }
        if (written > 0) {
            current.flush();
            counters.framesSent.add(written);
            signalRoom();
            lastWriteNs = System.nanoTime();
        }
        if (!queue.isEmpty() && current.isWritable()) {
            scheduleDrain(); // more than one batch: yield to the loop's other channels, then continue
        } else if (queue.isEmpty() && System.nanoTime() - lastWriteNs < LINGER_NS) {
            scheduleDrain(); // linger: senders of a steady stream then find a drain pending and wake nobody
        }
    }

    private void connect() {
        if (connecting || closed) {
            return;
        }
        InetSocketAddress address = plane.addressOf(peer);
        if (address == null) {
            // The peer has not published a data address (yet): try again later, as attributes may still arrive.
            scheduleReconnect();
            return;
        }
        connecting = true;
        Bootstrap bootstrap = plane.clientBootstrap(loop, this);
        ChannelFuture future = bootstrap.connect(address);
        future.addListener(done -> {
            if (!done.isSuccess()) {
                connecting = false;
                scheduleReconnect();
            }
        });
    }

    /** The peer acknowledged our Hello on {@code ready}: start writing. */
    void onReady(Channel ready) {
        connecting = false;
        if (closed) {
            ready.close();
            return;
        }
        channel = ready;
        backoffMs = BACKOFF_MIN_MS;
        drain();
    }

    /** {@code lost} closed, whether it got ready or not. */
    void onClosed(Channel lost) {
        if (channel == lost) {
            channel = null;
        } else if (channel != null) {
            return; // an older attempt's channel: the current one is fine
        }
        connecting = false;
        if (!closed) {
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (closed) {
            return;
        }
        long delay = backoffMs;
        backoffMs = Math.min(BACKOFF_MAX_MS, backoffMs * 2);
        counters.reconnects.increment();
        loop.schedule(
                () -> {
                    if (!closed && channel == null) {
                        connect();
                    }
                },
                delay,
                TimeUnit.MILLISECONDS);
    }

    /**
     * Closes for good (the peer left the view, or the node is closing): the connection is closed after what was
     * already written, and queued frames are dropped and counted when {@code dropQueued}, or written first otherwise.
     */
    void close(boolean dropQueued) {
        if (closed) {
            return;
        }
        Runnable closing = () -> {
            if (!dropQueued) {
                drain();
            }
            closed = true;
            int dropped = 0;
            while (queue.poll() != null) {
                queued.decrementAndGet();
                dropped++;
            }
            counters.droppedPeerLeft.add(dropped);
            if (channel != null) {
                channel.close();
                channel = null;
            }
        };
        try {
            loop.execute(closing);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            closed = true; // the loops are already gone, and the connection with them
        }
    }
}
