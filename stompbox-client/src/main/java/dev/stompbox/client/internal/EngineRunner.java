// Over 600 lines on purpose: one lock and everything it guards (the engine, the inbox, the transport,
// the timer's deadline, the opening socket) in one place, so that every wait and signal on it can be
// read together; the writing is out already (WritePump), and so is the socket (Transport).
package dev.stompbox.client.internal;

import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.internal.engine.ConnectionEngine;
import dev.stompbox.protocol.internal.engine.ConnectionState;
import dev.stompbox.protocol.internal.engine.Delivery;
import dev.stompbox.protocol.internal.engine.EngineHandler;
import dev.stompbox.protocol.internal.engine.Outbound;
import dev.stompbox.protocol.internal.engine.Reconnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.EOFException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs the connection engine for the blocking client. Not API.
 *
 * <p>One lock guards the engine and the inbox; it is never held across I/O or user code. Three
 * long-lived daemon threads serve it, none of them started per connection: the <em>timer</em>,
 * asleep until the engine's next deadline (woken when a call moves it earlier); the
 * <em>reader</em>, which opens each transport the engine asks for and reads it until it ends; the
 * <em>writer</em>, for what no caller writes (heart-beats, CONNECT, a reconnect's replay). Callers
 * write their own frames: whoever holds the write lock writes everything queued, in the engine's
 * order. A fourth thread makes listener calls, one at a time and in order, while there are any.
 *
 * <p>Effects are applied under the lock, in the engine's order, except those that run the
 * application's code or may block: futures complete and sockets close once the lock is let go.
 */
public final class EngineRunner implements EngineHandler {
    private static final Logger log = LoggerFactory.getLogger("dev.stompbox.client.StompClient");
    private static final long AWAKE = Long.MIN_VALUE; // timerAt while the timer is not waiting

    private final StompClientConfig config;
    private final ConnectionEngine engine; // guarded by lock
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();      // the timer: a deadline moved earlier, or shutdown
    private final Condition room = lock.newCondition();      // senders: room to send
    private final Condition inboxChanged = lock.newCondition(); // receivers: a message or an end; the reader: space
    private final Condition openDone = lock.newCondition();     // disconnect: no socket being made any more
    private final ExecutorService reader;
    private final WritePump writes;
    private final ThreadPoolExecutor notices;
    private final Thread timer;
    private final byte[] readBuffer = new byte[64 * 1024]; // the reader thread's

    // Guarded by lock.
    private List<Runnable> deferred = new ArrayList<>();
    private final ArrayDeque<Delivery> inbox = new ArrayDeque<>();
    private long inboxBytes;
    private Transport transport;
    private long timerAt = AWAKE;
    private boolean shutdown;
    private boolean opening;
    private int discarded;
    private StompBrokerException pendingError;

    private volatile CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile boolean writesQueued;
    private volatile ConnectionState state = ConnectionState.NEW;

    public EngineRunner(StompClientConfig config, ConnectionEngine engine, int instance) {
        this.config = config;
        this.engine = engine;
        String name = "stompbox-client-" + instance + "-";
        this.reader = Executors.newSingleThreadExecutor(daemons(name + "reader"));
        this.writes = new WritePump(this, daemons(name + "writer"));
        this.notices = new ThreadPoolExecutor(1, 1, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemons(name + "listener"));
        this.notices.allowCoreThreadTimeOut(true);
        this.timer = daemons(name + "timer").newThread(this::timerLoop);
        this.timer.start();
    }

    private static ThreadFactory daemons(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    public static long now() {
        return System.nanoTime();
    }

    /**
     * Completes when the connection has ended for good: normally after the application's
     * disconnect, exceptionally with the cause otherwise. A new one is made by the next connect.
     */
    public CompletableFuture<Void> ended() {
        return ended;
    }

    /** Inside {@link #call}, before connecting: the next end is that of the coming connection. */
    public void rearmEnded() {
        if (ended.isDone()) {
            ended = new CompletableFuture<>();
        }
    }

    /** The lifecycle state as of the last call into the engine; for a quick look without the lock. */
    public ConnectionState state() {
        return state;
    }

    // -- calls into the engine --------------------------------------------------------------------

    /**
     * Runs {@code work} on the engine under the lock, applies its effects, then writes what is
     * queued on this thread (unless another is writing already, which then writes it too).
     *
     * @param throwOnWriteFailure whether a failed write on this thread is the caller's failure (the
     *                            connection's); at-least-once SENDs are kept for the re-send instead
     */
    public <T> T call(Function<ConnectionEngine, T> work, boolean throwOnWriteFailure) {
        T result;
        List<Runnable> after;
        lock.lock();
        try {
            result = work.apply(engine);
        } finally {
            after = settle();
            lock.unlock();
        }
        runAll(after);
        if (writesQueued && writes.flush() != null && throwOnWriteFailure) {
            throw read(ConnectionEngine::notConnected);
        }
        return result;
    }

    /** Reads engine state under the lock. */
    public <T> T read(Function<ConnectionEngine, T> query) {
        lock.lock();
        try {
            return query.apply(engine);
        } finally {
            lock.unlock();
        }
    }

    /** {@link #call} for the client's own threads: they never write, the writer does. */
    private void background(Consumer<ConnectionEngine> work) {
        List<Runnable> after;
        lock.lock();
        try {
            work.accept(engine);
        } finally {
            after = settle();
            lock.unlock();
        }
        runAll(after);
        if (writesQueued) {
            writes.kick();
        }
    }

    /** Applies the engine's effects (under the lock) and wakes the timer if its deadline moved earlier. */
    private List<Runnable> settle() {
        ConnectionState current = engine.state();
        if (current == ConnectionState.DISCONNECTING && state != current) {
            inboxChanged.signalAll(); // a reader held by a full inbox reads on to the DISCONNECT's RECEIPT now, not at its next check
        }
        state = current; // before the effects: a listener told of a change must find it made
        engine.applyEffects(this);
        writesQueued = engine.hasWrites();
        if (timerAt != AWAKE && engine.nextDeadline(now()) < timerAt) {
            wake.signal();
        }
        if (deferred.isEmpty()) {
            return List.of();
        }
        List<Runnable> after = deferred;
        deferred = new ArrayList<>();
        return after;
    }

    static void runAll(List<Runnable> after) {
        for (Runnable r : after) {
            try {
                r.run();
            } catch (RuntimeException e) {
                log.warn("completing a client future failed", e);
            }
        }
    }

    /**
     * Inside {@link #call}: waits until {@code maxPendingWriteBytes} has room, at most the write
     * timeout (the lock is let go meanwhile), like a blocked socket write would.
     *
     * @throws StompBackpressureException when there is still no room then
     */
    public void awaitWriteRoom(ConnectionEngine e) {
        untilRoom(now() + config.writeTimeout().toNanos(), () -> {
            e.requireWriteRoom();
            return null;
        });
    }

    /**
     * Inside {@link #call}: hands an at-least-once SEND to the engine, which keeps it until its
     * RECEIPT; with the window full (by count or by bytes) waits for room, at most the write timeout
     * from {@code start}, then fails: with the write buffer full, as a send would
     * ({@link StompBackpressureException}); with only the window full, as its receipt never came.
     */
    public CompletableFuture<Void> publish(ConnectionEngine e, StompFrame frame, long start) {
        try {
            return untilRoom(start + config.writeTimeout().toNanos(), () -> e.publish(frame, start, now()));
        } catch (StompBackpressureException full) {
            if (e.pendingWriteBytes() >= config.maxPendingWriteBytes()) {
                throw full;
            }
            throw new StompReceiptTimeoutException(frame.header(StompHeaders.RECEIPT), config.writeTimeout(),
                    full.getMessage() + "; no room within " + config.writeTimeout().toMillis() + " ms");
        }
    }

    /**
     * Inside {@link #call}: {@code attempt}, tried again each time the engine announces room while it
     * refuses for want of it, until {@code deadline}; then its last refusal is thrown.
     */
    private <T> T untilRoom(long deadline, Supplier<T> attempt) {
        while (true) {
            try {
                return attempt.get();
            } catch (StompBackpressureException full) {
                if (!awaitRoom(deadline)) {
                    throw full;
                }
            }
        }
    }

    /** Inside {@link #call}: waits for the engine to announce room, until {@code deadline}; false when it passed. */
    private boolean awaitRoom(long deadline) {
        long left = deadline - now();
        if (left <= 0) {
            return false;
        }
        try {
            room.awaitNanos(left);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new StompConnectionException("interrupted while waiting for room to send", ie);
        }
        return true;
    }

    // -- receiving --------------------------------------------------------------------------------

    /**
     * The next MESSAGE, waiting until {@code deadline} ({@link ConnectionEngine#NONE}: as long as a
     * connection is up or coming); {@code null} when none came. An ERROR from the broker is thrown
     * once; without a connection to wait for, the reason it ended.
     *
     * @param handOut whether the application takes it now (else it is only peeked at)
     */
    public Delivery take(long deadline, boolean handOut) {
        lock.lock();
        try {
            while (true) {
                StompBrokerException error = pendingError;
                if (error != null) {
                    pendingError = null;
                    throw error;
                }
                Delivery d = inbox.poll();
                if (d != null) {
                    inboxBytes -= d.frame().wireLength();
                    if (inbox.size() < config.inboxCapacity()) {
                        inboxChanged.signalAll();
                    }
                    if (handOut) {
                        handedOut(d);
                    }
                    return d;
                }
                ConnectionState s = engine.state();
                if (s != ConnectionState.CONNECTED && s != ConnectionState.CONNECTING && s != ConnectionState.RECONNECTING) {
                    throw engine.notConnected();
                }
                long left = deadline == ConnectionEngine.NONE ? TimeUnit.SECONDS.toNanos(1) : deadline - now();
                if (left <= 0) {
                    return null;
                }
                try {
                    inboxChanged.awaitNanos(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StompConnectionException("interrupted while receiving", e);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Records that the application now holds {@code d} (it came from {@link #take} without handing out). */
    public void handedOut(Delivery d) {
        lock.lock();
        try {
            engine.handedOut(d);
            config.metrics().messageDelivered();
        } finally {
            lock.unlock();
        }
    }

    /** Bytes read and not handed out: the inbox plus what the parser holds; 0 once the connection ended. */
    public long bufferedBytes() {
        lock.lock();
        try {
            return inboxBytes + engine.parserRetainedBytes();
        } finally {
            lock.unlock();
        }
    }

    // -- the threads ------------------------------------------------------------------------------

    private void timerLoop() {
        lock.lock();
        try {
            while (!shutdown) {
                long now = now();
                long next = engine.nextDeadline(now);
                if (next != ConnectionEngine.NONE && next - now <= 0) {
                    engine.tick(now);
                    List<Runnable> after = settle();
                    lock.unlock();
                    try {
                        runAll(after);
                        if (writesQueued) {
                            writes.kick();
                        }
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                timerAt = next;
                try {
                    // NONE: nothing due until a call moves a deadline, which signals; a minute is a backstop.
                    long backstop = TimeUnit.MINUTES.toNanos(1);
                    wake.awaitNanos(next == ConnectionEngine.NONE ? backstop : Math.min(next - now, backstop));
                } catch (InterruptedException e) {
                    return;
                } finally {
                    timerAt = AWAKE;
                }
            }
        } catch (RuntimeException | Error e) {
            log.error("client timer failed; the client no longer watches its connection", e);
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: moves up to {@code max} queued writes into {@code batch}; returns the live transport. */
    Transport takeWrites(List<Outbound> batch, int max) {
        lock.lock();
        try {
            Outbound o;
            while (batch.size() < max && (o = engine.nextWrite()) != null) {
                batch.add(o);
            }
            writesQueued = engine.hasWrites();
            return transport;
        } finally {
            lock.unlock();
        }
    }

    /** Tells the engine the first {@code written} of {@code batch} were written, the rest failed with {@code failed}. */
    void writesDone(List<Outbound> batch, int written, IOException failed) {
        List<Runnable> after;
        lock.lock();
        try {
            long now = now();
            for (int i = 0; i < batch.size(); i++) {
                if (i < written) {
                    engine.written(batch.get(i), now);
                } else {
                    engine.writeFailed(batch.get(i), failed != null ? failed : new IOException("connection closed"), now);
                }
            }
        } finally {
            after = settle();
            lock.unlock();
        }
        runAll(after);
    }

    boolean writesQueued() {
        return writesQueued;
    }

    /** The reader thread: opens transport {@code c}, reports it, and reads it until it ends. */
    private void openAndRead(int c, BrokerAddress broker, Duration timeout) {
        lock.lock();
        try {
            if (!engine.wantsOpen(c)) {
                return; // given up since it was asked for (a disconnect, a close)
            }
            opening = true; // a disconnect waits for this socket to be made (or not), so none comes after it
        } finally {
            lock.unlock();
        }
        Transport t;
        try {
            t = Transport.open(c, broker, config, timeout);
        } catch (IOException | RuntimeException e) {
            opened();
            background(engine -> engine.openFailed(c, e, now()));
            return;
        }
        lock.lock();
        try {
            transport = t; // before opened(): the CONNECT it queues is written to t
        } finally {
            lock.unlock();
        }
        opened();
        background(engine -> engine.opened(c, now()));
        try {
            while (true) {
                int n = t.read(readBuffer);
                if (n < 0) {
                    throw new EOFException("connection closed by " + broker);
                }
                background(engine -> engine.received(c, readBuffer, 0, n, now()));
                if (!holdWhileFull(t)) {
                    return;
                }
            }
        } catch (IOException e) {
            background(engine -> engine.closed(c, e, now()));
        } catch (RuntimeException | Error e) {
            // Whatever it is, the connection ends visibly, not as a client that looks connected and reads nothing.
            background(engine -> engine.closed(c, new StompConnectionException("reader failed on " + broker + ": " + e, e), now()));
        }
    }

    /**
     * While the inbox holds {@code inboxCapacity} messages the reader stops reading, which pushes
     * back on the broker; the engine suspends its silence check meanwhile. A graceful disconnect
     * reads on regardless, to its RECEIPT.
     *
     * @return whether {@code t} is still the live transport
     */
    private boolean holdWhileFull(Transport t) {
        List<Runnable> after;
        lock.lock();
        try {
            boolean paused = false;
            while (transport == t && !shutdown && inbox.size() >= config.inboxCapacity()
                    && engine.state() != ConnectionState.DISCONNECTING) {
                if (!paused) {
                    paused = true;
                    engine.readingPaused(true, now());
                }
                try {
                    inboxChanged.awaitNanos(TimeUnit.SECONDS.toNanos(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            if (paused) {
                engine.readingPaused(false, now());
            }
            after = settle();
        } finally {
            lock.unlock();
        }
        runAll(after);
        return transport == t;
    }

    private void opened() {
        lock.lock();
        try {
            opening = false;
            openDone.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits, at most {@code timeout}, until no transport is being opened: after a disconnect, no
     * connection made by an attempt already under way can reach the broker later.
     */
    public void awaitNoOpening(Duration timeout) {
        long deadline = now() + timeout.toNanos();
        lock.lock();
        try {
            while (opening) {
                long left = deadline - now();
                if (left <= 0 || openDone.awaitNanos(left) <= 0 && opening) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Closes for good, at once: the engine, the transport, the threads. Listener calls already queued still run. */
    public void shutdown() {
        background(engine -> engine.close(now()));
        lock.lock();
        try {
            shutdown = true;
            wake.signalAll();
            inboxChanged.signalAll();
            room.signalAll();
        } finally {
            lock.unlock();
        }
        reader.shutdownNow();
        writes.shutdown();
        notices.shutdown();
        ended.complete(null); // never connected, or ended already: nothing else completes it
    }

    // -- what the engine asks for (under the lock) ------------------------------------------------

    @Override
    public void open(int c, BrokerAddress broker, Duration timeout) {
        try {
            reader.execute(() -> openAndRead(c, broker, timeout));
        } catch (RejectedExecutionException e) {
            log.debug("client closed; not opening {}", broker);
        }
    }

    @Override
    public void close(int c) {
        Transport t = transport;
        if (t != null && t.conn() == c) {
            transport = null;
            deferred.add(t::close);
            inboxChanged.signalAll();
        }
    }

    @Override
    public void deliver(Delivery d) {
        inbox.add(d);
        inboxBytes += d.frame().wireLength();
        inboxChanged.signalAll();
    }

    @Override
    public void connected(BrokerAddress broker) {
        notice(l -> l.connected(broker));
    }

    @Override
    public void connectionLost(long epoch, Throwable cause) {
        // Messages of that connection that need an ack are dropped: the broker redelivers them.
        for (Iterator<Delivery> it = inbox.iterator(); it.hasNext(); ) {
            Delivery d = it.next();
            if (d.epoch() == epoch && d.needsAck()) {
                it.remove();
                inboxBytes -= d.frame().wireLength();
                discarded++;
            }
        }
        if (cause instanceof StompBrokerException) {
            pendingError = (StompBrokerException) cause;
        }
        inboxChanged.signalAll();
        notice(l -> l.connectionLost(cause));
    }

    @Override
    public void reconnected(Reconnection r) {
        int dropped = discarded;
        discarded = 0;
        notice(l -> l.reconnected(r.report(dropped)));
    }

    @Override
    public void attemptFailed(BrokerAddress broker, Throwable cause) {
        notice(l -> l.attemptFailed(broker, cause));
    }

    @Override
    public void reconnectFailed(Throwable cause) {
        notice(l -> l.reconnectFailed(cause));
    }

    @Override
    public void ended(Throwable cause) {
        if (cause == null && !inbox.isEmpty()) {
            engine.unhanded(inbox); // received and never taken: said once, as the engine says it for both clients
            inbox.clear();
            inboxBytes = 0;
        }
        discarded = 0;
        inboxChanged.signalAll();
        room.signalAll();
        CompletableFuture<Void> end = ended;
        if (cause == null) {
            complete(end);
        } else {
            fail(end, cause);
        }
    }

    @Override
    public void room() {
        room.signalAll();
    }

    @Override
    public void complete(CompletableFuture<Void> future) {
        deferred.add(() -> future.complete(null));
    }

    @Override
    public void fail(CompletableFuture<?> future, Throwable cause) {
        deferred.add(() -> future.completeExceptionally(cause));
    }

    private void notice(Consumer<ConnectionListener> call) {
        try {
            notices.execute(() -> {
                try {
                    call.accept(config.listener());
                } catch (RuntimeException e) {
                    log.warn("connection listener failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("client closed; a listener call was not made");
        }
    }
}
