package dev.stompbox.cli;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandClient} on the asynchronous client, for WebSocket. The subscription's handler hands
 * each message over and stays unfinished until the command acks it: with the client's default of one
 * handler at a time per subscription, the next message comes only then, so at most one waits here, and
 * the client's own ack on the handler's completion is the ack.
 */
final class AsyncCommandClient implements CommandClient {
    private record Handed(StompFrame frame, CompletableFuture<Void> done) {
    }

    private static final CancellationException NOT_TAKEN = new CancellationException("not taken before the disconnect");

    private final AsyncStompClient client;
    /** A wait bounded by the client's own timeouts, in case a future it should complete never does. */
    private final long waitMillis;
    /** Messages handed over and not taken by {@link #next}: one at a time, besides one in a reconnect's overlap. */
    private final LinkedBlockingQueue<Handed> handed = new LinkedBlockingQueue<>();
    private Handed taken;
    private volatile boolean closing;

    AsyncCommandClient(AsyncStompClientConfig config) throws Exception {
        client = AsyncStompClient.create(config);
        waitMillis = config.connectDeadline().plus(config.receiptTimeout()).plus(config.writeTimeout()).toMillis();
        try {
            await(client.connect());
        } catch (Exception | Error e) {
            client.closeNow();
            throw e;
        }
    }

    @Override
    public void send(String destination, byte[] body, Map<String, String> headers) throws Exception {
        await(client.whenReady());
        await(client.send(destination, body, headers));
    }

    @Override
    public void subscribe(String destination, AckMode mode) throws Exception {
        await(client.subscribe(destination, Map.of("ack", mode.value()), (c, frame) -> {
            Handed h = new Handed(frame, new CompletableFuture<>());
            handed.add(h);
            if (closing) {
                failWaiting(); // a handler that started as the disconnect began must not hold it up
            }
            return h.done();
        }));
    }

    @Override
    public StompFrame next(Duration timeout) throws InterruptedException {
        taken = handed.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        return taken == null ? null : taken.frame();
    }

    @Override
    public void ack(StompFrame message) {
        if (taken != null && taken.frame() == message) {
            taken.done().complete(null); // the handler is done: the client acks it, unless it came on a lost connection
            taken = null;
        }
    }

    @Override
    public void disconnect() throws Exception {
        closing = true;
        CompletableFuture<Void> done = client.disconnect();
        if (taken != null) {
            taken.done().completeExceptionally(NOT_TAKEN);
            taken = null;
        }
        failWaiting(); // not acked: the broker hands them out again
        await(done);
    }

    private void failWaiting() {
        for (Handed h; (h = handed.poll()) != null; ) {
            h.done().completeExceptionally(NOT_TAKEN);
        }
    }

    @Override
    public void close() {
        client.close();
    }

    private <T> T await(Future<T> f) throws Exception {
        try {
            return f.get(waitMillis, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
