package dev.stompbox.async;

import dev.stompbox.async.internal.SerialLane;
import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.interceptor.MessageScope;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.internal.engine.Delivery;
import dev.stompbox.protocol.metrics.StompMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Hands the asynchronous client's messages to handlers: in order per subscription, at most each
 * subscription's concurrency and the client's {@code maxConcurrency} at once, and settles each
 * (ACK, NACK, error destination or disconnect) when its handler is done. Reading stops while
 * {@code maxBufferedMessages} wait. Event loop only.
 */
final class Dispatcher {
    private static final Logger log = LoggerFactory.getLogger(AsyncStompClient.class);
    /** Messages a one-at-a-time subscription on a pool may have queued in its lane. */
    static final int LANE_DEPTH = 32;
    /**
     * Headers of a failed message that belong to the broker or the protocol, not to the application.
     * {@code persistent} and {@code priority} are kept: a durable poison message must stay durable.
     */
    private static final Set<String> NOT_FORWARDED = Set.of(StompHeaders.RECEIPT, StompHeaders.CONTENT_LENGTH,
            StompHeaders.MESSAGE_ID, StompHeaders.ACK, StompHeaders.SUBSCRIPTION, StompHeaders.DESTINATION,
            StompHeaders.TRANSACTION, "destination-type", "redelivered", "expires", "timestamp",
            "original-destination", "message-type", "__AMQ_CID", "_AMQ_ROUTING_TYPE", "receipt-id");

    /** A message read for {@code subscription} and not yet handed to its handler. */
    record Waiting(Delivery delivery, AsyncSubscription subscription, long bytes) {
    }

    private final AsyncStompClient client; // what handlers are handed
    private final LoopRunner runner;
    private final AsyncStompClientConfig config;
    private final Executor executor;
    // Subscriptions that had messages waiting (each in its own queue, AsyncSubscription.waiting) since
    // the last forget(), which drops those left with none; and those with messages waiting and room
    // for one more handler, in the order they take turns.
    private final List<AsyncSubscription> listed = new ArrayList<>();
    private final ArrayDeque<AsyncSubscription> ready = new ArrayDeque<>();
    private int waitingCount;
    private int inFlight;
    private long pendingBytes;
    private long drainSteps; // turns drain() has taken, to prove its work is linear in the messages
    private boolean stopped; // a graceful disconnect began: nothing new is handed out
    private boolean warnedUnackable; // the server sent a MESSAGE that cannot be acked; said once
    private volatile long bufferedBytes;
    private final AtomicInteger running = new AtomicInteger();
    private final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean completionsPosted = new AtomicBoolean();
    private final AtomicLong completionTasks = new AtomicLong();
    // Moved on by stop(): a message a lane holds from before it is dropped unstarted, as the waiting ones are.
    private volatile int generation;

    Dispatcher(AsyncStompClient client, LoopRunner runner, Executor executor) {
        this.client = client;
        this.runner = runner;
        this.config = client.config();
        this.executor = executor;
    }

    int inFlight() {
        return inFlight;
    }

    /** Handlers started and not finished: what a lane holds but has not started yet is not among them. */
    int running() {
        return running.get();
    }

    long bufferedBytes() {
        return bufferedBytes;
    }

    long drainSteps() {
        return drainSteps;
    }

    void deliver(Delivery d, AsyncSubscription sub) {
        if (sub.closing && d.needsAck()) {
            return; // read before the broker saw the UNSUBSCRIBE: unacked, so the broker hands it on
        }
        long bytes = d.frame().bodyLength() + 64L * d.frame().headerCount();
        if (!sub.listed) {
            sub.listed = true;
            listed.add(sub);
        }
        sub.waiting.add(new Waiting(d, sub, bytes));
        waitingCount++;
        pendingBytes += bytes;
        markReady(sub);
        drain();
    }

    /**
     * A graceful disconnect began, or the connection ended: messages not handed out yet are dropped,
     * unacked (the broker redelivers those that need an ack; under ack auto they are lost). Returns them.
     */
    List<Delivery> stop() {
        stopped = true;
        generation++;
        List<Delivery> dropped = new ArrayList<>(waitingCount);
        for (AsyncSubscription s : listed) {
            for (Waiting w : s.waiting) {
                dropped.add(w.delivery());
            }
        }
        forget(w -> true);
        return dropped;
    }

    void start() {
        stopped = false;
    }

    /** Drops the waiting messages of a lost connection that need an ack (the broker redelivers them); returns how many. */
    int lost(long epoch) {
        return forget(w -> w.delivery().epoch() == epoch && w.delivery().needsAck());
    }

    /** {@code s} joins the subscriptions to serve if it has messages waiting and room for one more. */
    private void markReady(AsyncSubscription s) {
        if (!s.ready && !s.waiting.isEmpty() && s.inFlight() < capacity(s)) {
            s.ready = true;
            ready.add(s);
        }
    }

    /**
     * Hands waiting messages to handlers, in order per subscription, as far as the bounds allow;
     * reading stops while {@code maxBufferedMessages} are left waiting.
     */
    void drain() {
        // Runs after every message read and every handler finished, so its work is what it hands
        // out, whatever waits: each subscription keeps its own queue, and only those with room take
        // turns, one message a turn. A single queue walked from the front cost, for every message of
        // a flowing subscription, a step over each message waiting behind a busy one.
        while (!stopped && inFlight < config.maxConcurrency()) {
            AsyncSubscription s = ready.poll();
            if (s == null) {
                break;
            }
            s.ready = false;
            drainSteps++;
            if (s.waiting.isEmpty() || s.inFlight() >= capacity(s)) {
                continue; // its messages were let go meanwhile (a loss, an unsubscribe)
            }
            Waiting w = s.waiting.poll();
            waitingCount--;
            pendingBytes -= w.bytes();
            dispatch(w);
            markReady(s);
        }
        bufferedBytes = pendingBytes;
        runner.pauseReading(waitingCount >= config.maxBufferedMessages());
    }

    private int forget(Predicate<Waiting> which) {
        int before = waitingCount;
        waitingCount = 0;
        pendingBytes = 0;
        for (Iterator<AsyncSubscription> it = listed.iterator(); it.hasNext(); ) {
            AsyncSubscription s = it.next();
            s.waiting.removeIf(which);
            if (s.waiting.isEmpty()) {
                s.listed = false;
                it.remove();
            }
            for (Waiting w : s.waiting) {
                waitingCount++;
                pendingBytes += w.bytes();
            }
        }
        bufferedBytes = pendingBytes;
        runner.pauseReading(waitingCount >= config.maxBufferedMessages());
        return before - waitingCount;
    }

    /** The client whose handler this thread is in, if any: its {@code close()} must not wait for a disconnect that waits for that handler. */
    private static final ThreadLocal<AsyncStompClient> HANDLING = new ThreadLocal<>();

    /** Whether the calling thread is in a handler of {@code client}. */
    static boolean inHandlerOf(AsyncStompClient client) {
        return HANDLING.get() == client;
    }

    private void dispatch(Waiting w) {
        AsyncSubscription s = w.subscription();
        s.inFlight(s.inFlight() + 1);
        inFlight++;
        StompMetrics metrics = config.metrics();
        metrics.messageDelivered();
        runner.engine().handedOut(w.delivery()); // until settled, a reconnect reports it unacked
        StompFrame frame = w.delivery().frame();
        // Runs the handler; returns what it returned (null when done), its end already reported to the loop.
        int handedIn = generation;
        Supplier<CompletionStage<?>> handle = () -> {
            if (generation != handedIn || (s.closing && w.delivery().needsAck())) {
                // Still in a lane when the dispatcher stopped or the subscription closed: never started.
                boolean stoppedSince = generation != handedIn;
                runner.onLoop(() -> dropped(w, stoppedSince));
                return null;
            }
            running.incrementAndGet();
            metrics.handlerStarted();
            long started = System.nanoTime();
            MessageScope scope = MessageScope.NONE;
            CompletionStage<?> stage;
            AsyncStompClient outer = HANDLING.get();
            HANDLING.set(client);
            try {
                if (config.interceptor() != StompInterceptor.NONE) {
                    scope = config.interceptor().beforeMessage(frame, StompInterceptor.Delivery.HANDLER);
                }
                stage = s.handler().handle(client, frame);
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            } finally {
                HANDLING.set(outer);
                scope.close(); // on this thread, whatever the handler's stage does later
            }
            MessageScope ended = scope;
            if (stage == null) {
                metrics.handlerFinished(System.nanoTime() - started, true);
                ended.handled(null);
                completed(w, null);
            } else {
                stage.whenComplete((v, t) -> {
                    metrics.handlerFinished(System.nanoTime() - started, t == null);
                    Throwable error = unwrap(t);
                    ended.handled(error);
                    completed(w, error);
                });
            }
            return stage;
        };
        Executor where = s.options().onEventLoop() ? runner.loop() : s.options().executor() != null ? s.options().executor() : executor;
        try {
            if (laned(s)) {
                if (s.lane == null) {
                    s.lane = new SerialLane(where);
                }
                s.lane.execute(handle);
            } else {
                where.execute(handle::get);
            }
        } catch (RuntimeException e) {
            running.incrementAndGet(); // counted as a handler that failed at once
            runner.onLoop(() -> finished(w, e));
        }
    }

    /**
     * Whether a subscription's handlers go through a {@link SerialLane}: one at a time on a pool.
     * Handing each message to the pool and waiting for the loop to hear it finished cost two thread
     * wake-ups per message; a lane keeps the pool thread on the subscription while messages wait.
     */
    private static boolean laned(AsyncSubscription s) {
        return s.options().concurrency() == 1 && !s.options().onEventLoop();
    }

    /**
     * Messages a subscription may have handed out and unfinished: its concurrency, or for a laned
     * one, {@link #LANE_DEPTH} queued in its lane (which still runs them one at a time, in order).
     */
    private static int capacity(AsyncSubscription s) {
        return laned(s) ? LANE_DEPTH : s.options().concurrency();
    }

    /**
     * A handler finished, on whatever thread: queued for the loop, which takes every finished one in
     * one task. Handlers that finish in a burst (a lane's, or many at a high concurrency) then cost
     * the loop one wake-up, not one each.
     */
    private void completed(Waiting w, Throwable error) {
        completions.add(new Completion(w, error));
        if (completionsPosted.compareAndSet(false, true)) {
            runner.onLoop(this::takeCompletions);
        }
    }

    long completionTasks() {
        return completionTasks.get();
    }

    private void takeCompletions() {
        completionTasks.incrementAndGet();
        completionsPosted.set(false); // first: one finishing from now on posts a task of its own
        runner.batched(() -> {
            Completion c;
            while ((c = completions.poll()) != null) {
                finished(c.waiting(), c.error());
            }
        });
    }

    private record Completion(Waiting waiting, Throwable error) {
    }

    /**
     * A message a lane held when the dispatcher stopped (or its subscription closed): let go without
     * a handler or an ack, and, when a stop dropped it, told to the connection as never handed out.
     */
    private void dropped(Waiting w, boolean stopped) {
        if (stopped) {
            runner.engine().unhanded(List.of(w.delivery()));
        }
        AsyncSubscription s = w.subscription();
        s.inFlight(s.inFlight() - 1);
        inFlight--;
        markReady(s);
        runner.handlerFinished(inFlight);
        completeIfDrained(s);
    }

    /**
     * Unsubscribing {@code s}: its waiting messages that need an ack are let go unacked (the broker
     * hands them on once it has the UNSUBSCRIBE), none of those starts, and {@code drained}
     * completes once its running handlers have finished and their acks are written, so that the
     * UNSUBSCRIBE goes after them: a broker returns the unacked messages of a closed subscription.
     */
    void close(AsyncSubscription s, CompletableFuture<Void> drained) {
        s.closing = true;
        s.drained = drained;
        // Only those the broker will hand on: a message of an auto-ack subscription is the client's alone.
        forget(w -> w.subscription() == s && w.delivery().needsAck());
        completeIfDrained(s);
    }

    /** A subscribe failed: once the engine forgot the subscription (the broker refused it), its handler goes too. */
    void forgetIfRefused(AsyncSubscription s) {
        if (runner.engine().session().subscription(s.token()).isEmpty()) {
            runner.unsubscribed(s);
        }
    }

    /** The UNSUBSCRIBE did not go out (the connection was down): the subscription goes on as before. */
    void reopen(AsyncSubscription s) {
        s.closing = false;
        s.drained = null;
        markReady(s);
        drain();
    }

    private static void completeIfDrained(AsyncSubscription s) {
        if (s.closing && s.inFlight() == 0 && s.drained != null) {
            s.drained.complete(null);
        }
    }

    private void finished(Waiting w, Throwable error) {
        running.decrementAndGet();
        AsyncSubscription s = w.subscription();
        s.inFlight(s.inFlight() - 1);
        inFlight--;
        markReady(s);
        if (error == null) {
            settle(w.delivery(), false);
        } else {
            failed(w, error);
        }
        drain();
        runner.handlerFinished(inFlight);
        completeIfDrained(s);
    }

    /** ACKs (or NACKs) a message of the live connection in a client ack mode; never one of an earlier connection. */
    private void settle(Delivery d, boolean nack) {
        try {
            if (runner.settle(d, nack) == null && d.needsAck()) {
                log.debug("not acking {}: it came on an earlier connection", d.frame().header(StompHeaders.MESSAGE_ID));
            }
        } catch (StompConnectionException e) {
            log.debug("not acking {}: {}", d.frame().header(StompHeaders.MESSAGE_ID), e.getMessage());
        } catch (StompProtocolException e) {
            // The server sent a MESSAGE that cannot be acked (a 1.2 MESSAGE without its ack header, as
            // Spring's simple broker sends): say so, once, and go on; the handler's work is done.
            if (!warnedUnackable) {
                warnedUnackable = true;
                log.warn("cannot {} messages from this server: {}", nack ? "NACK" : "ACK", e.getMessage());
            } else {
                log.debug("not acking {}: {}", d.frame().header(StompHeaders.MESSAGE_ID), e.getMessage());
            }
        }
    }

    private void failed(Waiting w, Throwable error) {
        AsyncSubscription s = w.subscription();
        SubscriptionOptions o = s.options();
        Delivery d = w.delivery();
        log.warn("handler of {} failed on message {}: {}", s, d.frame().header(StompHeaders.MESSAGE_ID), error.toString());
        if (o.onMessageFailed() != null) {
            CompletionStage<?> stage;
            try {
                stage = o.onMessageFailed().onMessageFailed(client, d.frame(), error);
            } catch (Throwable t) {
                stage = CompletableFuture.failedFuture(t);
            }
            (stage == null ? CompletableFuture.completedFuture(null) : stage).whenComplete((v, t) -> runner.onLoop(() -> {
                if (t == null) {
                    settle(d, false);
                } else {
                    runner.disconnectOnError(unwrap(t));
                }
            }));
            return;
        }
        if (config.alwaysDisconnectOnUnhandledMessage() || (o.errorDestination() == null && !o.nackOnError())) {
            runner.disconnectOnError(error);
            return;
        }
        if (o.errorDestination() != null) {
            forward(d, o.errorDestination(), o.errorHeaders(), error);
            return;
        }
        if (runner.version() == StompVersion.V1_0) {
            runner.disconnectOnError(error); // 1.0 has no NACK: disconnecting is how it says no
            return;
        }
        settle(d, true);
    }

    /** The poison-pill scheme: the failed message goes to the error destination, then is acked once the broker has it. */
    private void forward(Delivery d, String errorDestination, Map<String, String> extra, Throwable error) {
        StompFrame f = d.frame();
        StompFrame.Builder b = StompFrame.builder(StompCommand.SEND).header(StompHeaders.DESTINATION, errorDestination);
        extra.forEach(b::header); // first: in STOMP the first occurrence of a header wins
        for (Header h : f.headers()) {
            if (!NOT_FORWARDED.contains(h.name()) && !h.name().startsWith("stompbox-error") && !extra.containsKey(h.name())) {
                b.header(h);
            }
        }
        String receipt = runner.engine().newReceiptId("error");
        b.header("stompbox-error", String.valueOf(error).replace('\n', ' '))
                .header("stompbox-error-original-destination", f.header(StompHeaders.DESTINATION, ""))
                .header("stompbox-error-original-message-id", f.header(StompHeaders.MESSAGE_ID, ""))
                .header(StompHeaders.RECEIPT, receipt)
                .bodyWithoutCopy(f.bodyBuffer());
        StompFrame forward = b.build();
        runner.settling(receipt, (s, rid) -> s.send(forward)).whenComplete((v, t) -> runner.onLoop(() -> {
            if (t == null) {
                config.metrics().messageForwarded();
                settle(d, false);
            } else {
                Throwable cause = unwrap(t);
                runner.disconnectOnError(new StompConnectionException("could not forward a failed message to "
                        + errorDestination + ": " + cause.getMessage(), cause));
            }
        }));
    }

    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
