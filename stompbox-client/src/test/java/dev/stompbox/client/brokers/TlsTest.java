package dev.stompbox.client.brokers;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompConnectionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ssl://} against an Artemis TLS acceptor whose certificate names only {@code localhost}. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final String PASSWORD = "changeit";

    private Path dir;
    private EmbeddedArtemis broker;
    private SSLContext trusting;

    @BeforeAll
    void start() throws Exception {
        dir = Files.createTempDirectory("stompbox-tls");
        Path keystore = dir.resolve("broker.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
        assertThat(p.exitValue()).as(new String(p.getInputStream().readAllBytes())).isZero();
        broker = new EmbeddedArtemis(TestBroker.freePort(), 60_000, ";sslEnabled=true;keyStorePath=" + keystore
                + ";keyStorePassword=" + PASSWORD + ";keyStoreType=PKCS12");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            trust.load(in, PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        trusting = SSLContext.getInstance("TLS");
        trusting.init(null, tmf.getTrustManagers(), null);
    }

    @AfterAll
    void stop() throws Exception {
        if (broker != null) {
            broker.close();
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    private StompClientConfig.Builder config(String host) {
        return StompClientConfig.builder("ssl://" + host + ":" + broker.port()).sslContext(trusting)
                .connectTimeout(Duration.ofSeconds(10));
    }

    @Test
    void sendsAndReceivesOverTls() {
        try (StompClient client = new StompClient(config("localhost").build())) {
            client.connect();
            client.subscribe("/queue/tls", Map.of("receipt", "s")).receipt().await(TIMEOUT);
            client.send("/queue/tls", "secret stuff");
            assertThat(client.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("secret stuff");
        }
    }

    @Test
    void verifiesTheHostnameByDefault() {
        try (StompClient client = new StompClient(config("127.0.0.1").build())) {
            assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class)
                    .hasMessageContaining("127.0.0.1");
        }
        try (StompClient client = new StompClient(config("127.0.0.1").hostnameVerification(false).build())) {
            client.connect();
            assertThat(client.isConnected()).isTrue();
        }
    }

    @Test
    void refusesAnUntrustedCertificate() {
        try (StompClient client = new StompClient(StompClientConfig.builder("ssl://localhost:" + broker.port()).build())) {
            assertThatThrownBy(client::connect).isInstanceOf(StompConnectionException.class);
        }
    }
}
