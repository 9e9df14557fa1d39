package dev.stompbox.client.brokers;

import dev.stompbox.fixtures.*;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompConnectionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ssl://} against an Artemis TLS acceptor whose certificate names only {@code localhost}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

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

    private StompClientConfig.Builder config(String host) {
        return StompClientConfig.builder("ssl://" + host + ":" + tls.port()).sslContext(tls.trusting())
                .connectTimeout(Duration.ofSeconds(10));
    }

    @Test
    void sendsAndReceivesOverTls() {
        try (StompClient client = StompClient.create(config("localhost").build())) {
            client.connect();
            client.subscribe("/queue/tls", Map.of("receipt", "s")).receipt().await(TIMEOUT);
            client.send("/queue/tls", "secret stuff");
            assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("secret stuff");
        }
    }

    @Test
    void verifiesTheHostnameByDefault() {
        try (StompClient client = StompClient.create(config("127.0.0.1").build())) {
            assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class)
                    .hasMessageContaining("127.0.0.1");
        }
        try (StompClient client = StompClient.create(config("127.0.0.1").hostnameVerification(false).build())) {
            client.connect();
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void refusesAnUntrustedCertificate() {
        try (StompClient client = StompClient.create(StompClientConfig.builder("ssl://localhost:" + tls.port()).build())) {
            assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class);
        }
    }
}
