package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Map;

/**
 * Sends over TLS ({@code ssl://}), trusting the certificates in a truststore. The broker's host name
 * is checked against its certificate (on by default; never turn it off in production).
 *
 * <pre>{@code
 * java dev.stompbox.examples.TlsProducer ssl://broker.example.com:61614 truststore.p12 changeit
 * }</pre>
 */
public final class TlsProducer {
    private TlsProducer() {
    }

    /** Sends one message to {@code destination} over TLS and waits for the broker's RECEIPT. */
    public static void send(String uri, SSLContext trust, String destination, String body) {
        StompClientConfig config = StompClientConfig.builder(uri).sslContext(trust).build();
        try (StompClient stomp = StompClient.create(config)) {
            stomp.connect();
            stomp.send(destination, body.getBytes(java.nio.charset.StandardCharsets.UTF_8), Map.of("receipt", "tls-1"))
                    .await();
            stomp.disconnect();
        }
    }

    /** An {@link SSLContext} that trusts what the PKCS#12 {@code truststore} holds. */
    public static SSLContext trusting(Path truststore, char[] password) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(truststore)) {
            store.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    public static void main(String[] args) throws Exception {
        send(args[0], trusting(Path.of(args[1]), args[2].toCharArray()), SimpleProducer.QUEUE, "over TLS");
    }
}
