package dev.stompbox.async;

import dev.stompbox.async.internal.LoopQueue;
import dev.stompbox.async.internal.NettyFrames;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.internal.engine.ConnectionEngine;
import dev.stompbox.protocol.internal.engine.ConnectionState;
import dev.stompbox.protocol.internal.engine.Delivery;
import dev.stompbox.protocol.internal.engine.EngineHandler;
import dev.stompbox.protocol.internal.engine.Outbound;
import dev.stompbox.protocol.internal.engine.Reconnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs the connection engine on the client's event loop: every call into the engine, every
 * effect it asks for, the timer set to its next deadline, the channel's writes and reads. The
 * engine and everything here but the mirrored fields is touched on the loop only.
 */
final class LoopRunner {
    private static final Logger log = LoggerFactory.getLogger(AsyncStompClient.class);

    private final AsyncStompClientConfig config;
    private final EventLoop loop;
    private final ConnectionEngine engine;
    private final ChannelOpener opener;
    private final NettyFrames frames = new NettyFrames(); // the loop's alone
    private final List<CompletableFuture<Void>> readyWaiters = new ArrayList<>();
    private Dispatcher dispatcher;

    // Event loop only.
    private final Map<String, AsyncSubscription> subscriptions = new LinkedHashMap<>();
    private int conn;
    private Channel channel;
    private BrokerAddress broker;
    private boolean paused;
    private boolean batching; // in batched(): pump() only notes that it is wanted
    private boolean pumpHeld;
    private byte[] scratch = new byte[0];
    private ScheduledFuture<?> timer;
    private long timerAt = ConnectionEngine.NONE;
    private Throwable disconnectCause;
    private int discarded;

    // Copied from the loop for other threads.
    private volatile CompletableFuture<Void> disconnected = new CompletableFuture<>(); // made again by connect
    private volatile ConnectionState state = ConnectionState.NEW;
    private volatile StompVersion negotiatedVersion;
    private volatile long parserRetained;
    private volatile long unknownSubscriptionMessages;
    private volatile int unfinishedHandlers;
    private volatile long pendingWriteBytes;
    // Plain SENDs called but not yet taken by the engine, counted at an upper bound of their encoded
    // size: with the mirrored pending bytes, what lets whenReady() answer on the caller's thread.
    private final AtomicLong sendsInTransit = new AtomicLong();
    // Work from other threads (and handlers), in the order it was asked for, a turn at a time, each
    // turn batched: one pump at its end.
    private final LoopQueue queue;
    private long flushes; // event loop only; read by tests through flushes()

    LoopRunner(AsyncStompClientConfig config, EventLoop loop, ConnectionEngine engine) {
        this.config = config;
        this.loop = loop;
        this.engine = engine;
        this.opener = new ChannelOpener(config, loop, new ChannelEvents());
        this.queue = new LoopQueue(loop, this::batched);
    }

    void dispatcher(Dispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    EventLoop loop() {
        return loop;
    }

    ConnectionState state() {
        return state;
    }

    BrokerAddress broker() {
        BrokerAddress b = broker;
        return state == ConnectionState.CONNECTED ? b : null;
    }

    StompVersion version() {
        StompVersion v = negotiatedVersion;
        return v == null ? config.version() : v;
    }

    long parserRetained() {
        return parserRetained;
    }

    long unknownSubscriptionMessages() {
        return unknownSubscriptionMessages;
    }

    int unfinishedHandlers() {
        return unfinishedHandlers;
    }

    CompletableFuture<Void> disconnected() {
        return disconnected;
    }

    /** On the loop: a subscription's handle, for deliveries. */
    void subscribed(AsyncSubscription s) {
        subscriptions.put(s.id(), s);
    }

    void unsubscribed(AsyncSubscription s) {
        subscriptions.remove(s.id());
    }

    /** On the loop: the ids of the subscriptions whose handlers the client holds. */
    java.util.Set<String> handled() {
        return java.util.Set.copyOf(subscriptions.keySet());
    }

    /**
     * Completes once a SEND would be taken. Answered on the caller's thread, without a trip to the
     * event loop, when the client is connected and has room even if every SEND still on its way to
     * the loop is as large as its bound (a producer that waits on this before each send would
     * otherwise wait for the loop once per message). The order of the reads makes the sum safe: the
     * loop publishes the engine's pending bytes before it takes a SEND off the in-transit count.
     */
    CompletableFuture<Void> whenReady() {
        long inTransit = sendsInTransit.get();
        if (!config.atLeastOnce() && state == ConnectionState.CONNECTED
                && pendingWriteBytes + inTransit < config.maxPendingWriteBytes()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        run(ready, () -> {
            if (engine.roomForSend()) {
                ready.complete(null);
            } else {
                readyWaiters.add(ready);
            }
        });
        return ready;
    }

    CompletableFuture<Void> connect(Duration deadline) {
        return call(e -> {
            long now = System.nanoTime();
            CompletableFuture<Void> connected = e.connect(now, deadline == null ? ConnectionEngine.NONE : now + deadline.toNanos());
            if (disconnected.isDone()) {
                disconnected = new CompletableFuture<>();
            }
            return connected;
        });
    }

    /** A graceful disconnect; completes when closed, or at once when nothing was connected. */
    CompletableFuture<Void> disconnect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        run(done, () -> {
            if (beginDisconnect(null)) {
                disconnected.whenComplete((v, t) -> done.complete(null));
            } else {
                done.complete(null);
            }
        });
        return done;
    }

    void disconnectOnError(Throwable cause) {
        if (engine.state() == ConnectionState.CONNECTED) {
            beginDisconnect(cause);
        }
    }

    /** @return whether a connection was up (or going down) and ends with this */
    private boolean beginDisconnect(Throwable cause) {
        ConnectionState was = engine.state();
        boolean live = was == ConnectionState.CONNECTED;
        engine.disconnect(System.nanoTime());
        if (live) {
            disconnectCause = cause;
            engine.unhanded(dispatcher.stop());
            if (dispatcher.inFlight() == 0) {
                engine.sendDisconnect(System.nanoTime());
            }
        }
        // Now, even in a turn of queued work: a disconnect() that finds nothing to wait for completes
        // right after this, and its caller must then find what the engine's ending completed done.
        pumpNow();
        return live || was == ConnectionState.DISCONNECTING;
    }

    /** A handler finished; the last one lets a graceful disconnect go on. */
    void handlerFinished(int inFlight) {
        if (inFlight == 0 && engine.state() == ConnectionState.DISCONNECTING) {
            engine.sendDisconnect(System.nanoTime());
        }
        pump();
    }

    /** A command that settles a message (the forward of a failed one), allowed during a graceful disconnect. */
    CompletableFuture<Void> settling(String receipt, ConnectionEngine.Command command) {
        return call(e -> e.execute(command, receipt, true, true, System.nanoTime()));
    }

    /** On the loop: ACK or NACK a delivery; {@code null} when it came on an earlier connection. */
    CompletableFuture<Void> settle(Delivery d, boolean nack) {
        CompletableFuture<Void> r = engine.settle(d, nack, null, null, System.nanoTime());
        pump();
        return r;
    }

    /**
     * On the loop only: the engine, for the dispatcher's calls that change nothing the loop must act on
     * (a message handed out or dropped unhanded, a receipt id), so that they need no pump.
     */
    ConnectionEngine engine() {
        return engine;
    }

    /** Closes at once; on the caller's thread when the loop has ended already. */
    void closeNow() {
        Runnable closing = () -> {
            engine.close(System.nanoTime());
            pumpNow(); // even in a turn of queued work: the engine's own ending must complete what it completes first
            disconnected.complete(null); // never connected, or ended already: nothing else completes it
            cancelTimer();
        };
        queue.submit(closing, e -> {
            // The caller's event loop group is already shut down: nothing else runs on the loop's
            // state any more, so fail what still waits from here rather than leave it hanging.
            log.debug("event loop already terminated; closing on the caller's thread");
            closing.run();
        });
    }

    /** Work for the engine: on the loop, its result (or failure) into the returned future. */
    <T> CompletableFuture<T> call(Function<ConnectionEngine, CompletableFuture<T>> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        run(result, () -> {
            try {
                CompletableFuture<T> f = work.apply(engine);
                if (f == null) {
                    result.complete(null);
                } else {
                    f.whenComplete((v, t) -> {
                        if (t == null) {
                            result.complete(v);
                        } else {
                            result.completeExceptionally(Dispatcher.unwrap(t));
                        }
                    });
                }
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            } finally {
                pump();
            }
        });
        return result;
    }

    /**
     * {@link #call} for a plain SEND whose encoded size is at most {@code bound} bytes: counted in
     * transit from now until the engine has taken (or refused) it.
     */
    <T> CompletableFuture<T> callSend(long bound, Function<ConnectionEngine, CompletableFuture<T>> work) {
        sendsInTransit.addAndGet(bound);
        return call(e -> {
            try {
                return work.apply(e);
            } finally {
                pendingWriteBytes = e.pendingWriteBytes(); // first: see whenReady()
                sendsInTransit.addAndGet(-bound);
            }
        });
    }

    /** Runs {@code task} on the event loop, after all work asked for before it; {@code result} fails when the loop has ended. */
    void run(CompletableFuture<?> result, Runnable task) {
        queue.submit(task, e -> result.completeExceptionally(new StompConnectionException("client closed", e)));
    }

    /**
     * Runs {@code task} on the event loop, after all work asked for before it; from a handler's
     * thread, after the client was closed and its loop ended, there is nothing left to run it
     * against (the connection, and with it the ack, is gone: the broker redelivers), so it is
     * dropped rather than thrown at the handler's thread.
     */
    void onLoop(Runnable task) {
        queue.submit(task, DROPPED);
    }

    private static final Consumer<RejectedExecutionException> DROPPED =
            e -> log.debug("event loop ended; dropping a handler's completion");

    /** Turns the event loop took to run queued work so far; for tests that a burst costs one. */
    long taskTurns() {
        return queue.turns();
    }

    /** Flushes of the channel so far; read on the event loop, for tests that a burst of sends costs one. */
    long flushes() {
        return flushes;
    }

    /**
     * Runs {@code work} on the loop with the pumps it asks for held back to one at its end: the
     * handlers that finished in a burst settle with one write, one mirror and one timer check, not
     * one each. Within a batch, a nested one joins it.
     */
    void batched(Runnable work) {
        if (batching) {
            work.run();
            return;
        }
        batching = true;
        try {
            work.run();
        } finally {
            batching = false;
            if (pumpHeld) {
                pumpHeld = false;
                pump();
            }
        }
    }

    /** Applies what the engine asked for, writes what it queued, and sets the timer to its next deadline. */
    void pump() {
        if (batching) {
            pumpHeld = true;
            return;
        }
        pumpNow();
    }

    /** {@link #pump()}, even within a batch. */
    private void pumpNow() {
        while (engine.hasEffects()) {
            mirror(); // before the effects: a future completed by them must find these up to date
            engine.applyEffects(handler);
            flush();
        }
        flush();
        mirror();
        rearm();
    }

    /**
     * Sets the timer to the engine's next deadline if that came earlier. After every call into the
     * engine: a completed write, for one, moves the next heart-beat from "when the write times out"
     * back to one period after it.
     */
    private void rearm() {
        long now = System.nanoTime();
        long next = engine.nextDeadline(now);
        if (next < timerAt) {
            cancelTimer();
            timerAt = next;
            timer = loop.schedule(this::onTimer, Math.max(0, next - now), TimeUnit.NANOSECONDS);
        }
    }

    /** What other threads may read of the engine's state, copied on the event loop. */
    private void mirror() {
        // A volatile write costs a fence and this runs after every call into the engine: write only what changed.
        long pending = engine.pendingWriteBytes();
        if (pending != pendingWriteBytes) {
            pendingWriteBytes = pending;
        }
        ConnectionState s = engine.state();
        if (s != state) {
            state = s;
        }
        long retained = engine.parserRetainedBytes();
        if (retained != parserRetained) {
            parserRetained = retained;
        }
        long unknown = engine.unknownSubscriptionMessages();
        if (unknown != unknownSubscriptionMessages) {
            unknownSubscriptionMessages = unknown;
        }
    }

    private void onTimer() {
        timer = null;
        timerAt = ConnectionEngine.NONE;
        engine.tick(System.nanoTime());
        pump();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
        timerAt = ConnectionEngine.NONE;
    }

    private void flush() {
        Outbound o;
        boolean wrote = false;
        while ((o = engine.nextWrite()) != null) {
            Outbound out = o;
            if (channel == null || out.conn() != conn) {
                engine.writeFailed(out, new StompConnectionException("connection closed"), System.nanoTime());
                continue;
            }
            ByteBuf buf = out.isHeartBeat() ? NettyFrames.heartBeat(channel.alloc())
                    : frames.encode(channel.alloc(), out.encoder(), out.frame());
            if (log.isDebugEnabled() && !out.isHeartBeat()) {
                log.debug(">>> {}", out.frame().info());
            }
            channel.write(ChannelOpener.wire(broker, buf)).addListener(f -> {
                if (f.isSuccess()) {
                    engine.written(out, System.nanoTime());
                } else {
                    engine.writeFailed(out, f.cause(), System.nanoTime());
                }
                if (engine.hasEffects()) {
                    pump();
                } else {
                    rearm();
                }
            });
            wrote = true;
        }
        if (wrote && channel != null) {
            flushes++;
            channel.flush();
        }
    }

    void pauseReading(boolean pause) {
        if (pause == paused || channel == null) {
            return;
        }
        paused = pause;
        channel.config().setAutoRead(!pause);
        engine.readingPaused(pause, System.nanoTime());
        if (!pause) {
            channel.read();
        }
    }

    /** What the engine asks of this client. */
    private final EngineHandler handler = new EngineHandler() {
        @Override
        public void open(int c, BrokerAddress b, Duration timeout) {
            conn = c;
            broker = b;
            paused = false;
            channel = null;
            opener.open(c, b, timeout);
        }

        @Override
        public void close(int c) {
            if (c == conn && channel != null) {
                channel.close();
                channel = null;
            }
        }

        @Override
        public void deliver(Delivery d) {
            AsyncSubscription sub = subscriptions.get(d.subscription().token().value());
            if (sub != null) {
                dispatcher.deliver(d, sub);
            }
        }

        @Override
        public void connected(BrokerAddress b) {
            negotiatedVersion = engine.version();
            dispatcher.start();
            notifyListener(l -> l.connected(b));
        }

        @Override
        public void connectionLost(long epoch, Throwable cause) {
            discarded += dispatcher.lost(epoch);
            notifyListener(l -> l.connectionLost(cause));
        }

        @Override
        public void reconnected(Reconnection r) {
            negotiatedVersion = engine.version();
            dispatcher.drain();
            ReconnectReport report = r.report(discarded);
            discarded = 0;
            notifyListener(l -> l.reconnected(report));
        }

        @Override
        public void attemptFailed(BrokerAddress b, Throwable cause) {
            notifyListener(l -> l.attemptFailed(b, cause));
        }

        @Override
        public void reconnectFailed(Throwable cause) {
            notifyListener(l -> l.reconnectFailed(cause));
        }

        @Override
        public void ended(Throwable cause) {
            unfinishedHandlers = dispatcher.running();
            dispatcher.stop();
            subscriptions.clear();
            cancelTimer();
            Throwable why = cause != null ? cause : disconnectCause;
            disconnectCause = null;
            if (why == null) {
                disconnected.complete(null);
            } else {
                disconnected.completeExceptionally(why);
            }
        }

        @Override
        public void room() {
            List<CompletableFuture<Void>> waiting = new ArrayList<>(readyWaiters);
            readyWaiters.clear();
            waiting.forEach(f -> f.complete(null));
        }
    };

    /** What happens on the channels, reported to the engine. */
    private final class ChannelEvents implements ChannelOpener.Events {
        @Override
        public void ready(int c, Channel ch) {
            if (c == conn) {
                channel = ch;
            }
            engine.opened(c, System.nanoTime());
            if (c != conn) {
                ch.close();
            }
            pump();
        }

        @Override
        public void openFailed(int c, Throwable cause) {
            engine.openFailed(c, cause, System.nanoTime());
            pump();
        }

        @Override
        public void read(int c, ByteBuf content, boolean owned) {
            if (content.hasArray()) {
                engine.received(c, content.array(), content.arrayOffset() + content.readerIndex(), content.readableBytes(), owned,
                        System.nanoTime());
            } else {
                // A direct buffer: one copy into a reused array; the parser keeps only what it needs.
                int n = content.readableBytes();
                if (scratch.length < n) {
                    scratch = new byte[Math.max(n, 64 * 1024)];
                }
                content.getBytes(content.readerIndex(), scratch, 0, n);
                engine.received(c, scratch, 0, n, false, System.nanoTime());
            }
            pump();
        }

        @Override
        public void ended(int c, Throwable cause) {
            engine.closed(c, cause, System.nanoTime());
            pump();
        }
    }

    private void notifyListener(Consumer<ConnectionListener> call) {
        try {
            call.accept(config.listener());
        } catch (RuntimeException e) {
            log.warn("connection listener failed", e);
        }
    }
}
