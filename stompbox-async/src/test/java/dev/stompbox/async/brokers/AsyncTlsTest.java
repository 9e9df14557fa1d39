package dev.stompbox.async.brokers;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.fixtures.TlsBroker;
import dev.stompbox.protocol.StompConnectionException;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** TLS and secure WebSocket against an Artemis TLS acceptor whose certificate names only localhost. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AsyncTlsTest {
    private TlsBroker tls;

    @BeforeAll
    void start() throws Exception {
        tls = new TlsBroker();
    }

    @AfterAll
    void stop() {
        if (tls != null) {
            tls.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ssl://localhost:%d", "wss://localhost:%d/stomp"})
    void sendsAndReceives(String uri) throws Exception {
        AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder(String.format(uri, tls.port()))
                .sslContext(tls.trusting()).build());
        try {
            dev.stompbox.async.Futures.get(client.connect());
            BlockingQueue<String> got = new ArrayBlockingQueue<>(1);
            dev.stompbox.async.Futures.get(client.subscribe("/queue/tls", Map.of("receipt", "s"), (c, f) -> {
                got.add(f.bodyAsString());
                return null;
            }));
            dev.stompbox.async.Futures.get(client.send("/queue/tls", "secret stuff"));
            assertThat(got.poll(15, TimeUnit.SECONDS)).isEqualTo("secret stuff");
            dev.stompbox.async.Futures.get(client.disconnect());
        } finally {
            client.close();
        }
    }

    @Test
    void verifiesTheHostnameByDefault() {
        AsyncStompClient wrongName = AsyncStompClient.create(AsyncStompClientConfig.builder("ssl://127.0.0.1:" + tls.port())
                .sslContext(tls.trusting()).build());
        try {
            assertThat(failure(wrongName.connect())).isInstanceOf(StompConnectionException.class);
        } finally {
            wrongName.close();
        }
    }

    @Test
    void acceptsANettySslContext() throws Exception {
        AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("ssl://localhost:" + tls.port())
                .nettySslContext(SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build())
                .build());
        try {
            dev.stompbox.async.Futures.get(client.connect());
            assertThat(client.isConnected()).isTrue();
        } finally {
            client.close();
        }
    }

    @Test
    void refusesAnUntrustedCertificate() {
        AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("ssl://localhost:" + tls.port()).build());
        try {
            assertThat(failure(client.connect())).isInstanceOf(StompConnectionException.class);
        } finally {
            client.close();
        }
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.get(20, TimeUnit.SECONDS);
            throw new AssertionError("connected");
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
