package dev.stompbox.client.brokers;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Transaction;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.connection.ReconnectReport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The blocking client behind the contract. */
public final class BlockingContractClient implements ContractClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private final StompClient client;
    private final ReconnectRecorder reconnects = new ReconnectRecorder();

    public BlockingContractClient(StompClientConfig config) {
        this(config.toBuilder());
    }

    /** Connects with {@code config}, its listener replaced by one that records reconnects. */
    public BlockingContractClient(StompClientConfig.Builder config) {
        this.client = StompClient.create(config.listener(reconnects).build());
        client.connect();
    }

    public StompClient client() {
        return client;
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
        client.disconnect();
    }

    @Override
    public void subscribe(String destination, String ackMode) {
        client.subscribe(destination, Map.of("ack", ackMode, "receipt", "sub-" + UUID.randomUUID())).receipt().await(TIMEOUT);
    }

    @Override
    public void sendConfirmed(String destination, byte[] body, Map<String, String> headers) {
        Map<String, String> hs = new LinkedHashMap<>(headers);
        hs.put("receipt", "r-" + UUID.randomUUID());
        client.send(destination, body, hs).await(TIMEOUT);
    }

    @Override
    public void send(StompFrame frame) {
        client.send(frame);
    }

    @Override
    public Received receive(Duration timeout) {
        StompFrame f = client.receiveFrame(timeout);
        if (f == null) {
            return null;
        }
        return new Received() {
            @Override
            public StompFrame frame() {
                return f;
            }

            @Override
            public void ack() {
                client.ack(f, true).await(TIMEOUT);
            }

            @Override
            public void nack() {
                client.nack(f, true).await(TIMEOUT);
            }
        };
    }

    @Override
    public ContractTransaction begin() {
        Transaction tx = client.begin();
        return new ContractTransaction() {
            @Override
            public void send(String destination, String body) {
                tx.send(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
            }

            @Override
            public void commit() {
                tx.commit();
            }

            @Override
            public void abort() {
                tx.abort();
            }
        };
    }

    @Override
    public Confirmation sendKept(String destination, String body) {
        Receipt r = client.send(destination, body);
        return r::await;
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
        client.close();
    }
}
