package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncTransaction;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.fixtures.ContractClient;
import dev.stompbox.fixtures.ReconnectRecorder;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.connection.ReconnectReport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.async.Futures.get;

/**
 * The asynchronous client behind the broker contract: each handler hands its message to the test
 * and returns a future; completing it is the ack, failing it the NACK.
 */
final class AsyncContractClient implements ContractClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final AsyncStompClient client;
    private final BlockingQueue<Received> inbox = new LinkedBlockingQueue<>();

    private final ReconnectRecorder reconnects = new ReconnectRecorder();

    /** Connects with {@code config}, its listener replaced by one that records reconnects. */
    AsyncContractClient(AsyncStompClientConfig.Builder config) {
        client = AsyncStompClient.create(config.listener(reconnects).build());
        get(client.connect());
    }

    @Override
    public StompVersion version() {
        return client.version();
    }

    @Override
    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void disconnect() {
        get(client.disconnect());
    }

    @Override
    public void subscribe(String destination, String ackMode) {
        SubscriptionOptions options = SubscriptionOptions.builder()
                .concurrency(ackMode.equals("client") ? 1 : 16)
                .nackOnError(true)
                .onEventLoop(true) // it only queues the frame: never blocks, and keeps arrival order
                .build();
        get(client.subscribe(destination, Map.of("ack", ackMode, "receipt", "sub-" + UUID.randomUUID()), (c, frame) -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            inbox.add(new Received() {
                @Override
                public StompFrame frame() {
                    return frame;
                }

                @Override
                public void ack() {
                    done.complete(null);
                }

                @Override
                public void nack() {
                    done.completeExceptionally(new IllegalStateException("rejected by the test"));
                }
            });
            return done;
        }, options));
    }

    @Override
    public void sendConfirmed(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        hs.put("receipt", "r-" + UUID.randomUUID());
        get(client.send(destination, body, hs));
    }

    @Override
    public void send(StompFrame frame) {
        get(client.send(frame));
    }

    @Override
    public Received receive(Duration timeout) {
        try {
            return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public ContractTransaction begin() {
        AsyncTransaction tx = get(client.begin());
        return new ContractTransaction() {
            @Override
            public void send(String destination, String body) {
                get(tx.send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of()));
            }

            @Override
            public void commit() {
                get(tx.commit());
            }

            @Override
            public void abort() {
                get(tx.abort());
            }
        };
    }

    @Override
    public Confirmation sendKept(String destination, String body) {
        CompletableFuture<Void> f = client.send(destination, body);
        return timeout -> {
            try {
                f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("SEND of '" + body + "' failed", e);
            }
        };
    }

    @Override
    public ReconnectReport awaitReconnect(Duration timeout) {
        return reconnects.next(timeout);
    }

    @Override
    public int brokerPort() {
        return client.broker().port();
    }

    @Override
    public void close() {
        // At once: a scenario may leave handlers unfinished on purpose (messages it never acks), and a
        // graceful close would wait the disconnect timeout for them. Scenarios that disconnect say so.
        client.closeNow();
    }
}
