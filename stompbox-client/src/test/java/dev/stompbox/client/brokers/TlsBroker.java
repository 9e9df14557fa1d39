package dev.stompbox.client.brokers;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Artemis with a TLS acceptor (STOMP and STOMP over WebSocket) whose self-signed certificate names
 * only {@code localhost}, generated with the JDK's keytool; and an {@link SSLContext} that trusts it.
 */
public final class TlsBroker implements AutoCloseable {
    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final EmbeddedArtemis broker;
    private final SSLContext trusting;

    public TlsBroker() throws Exception {
        dir = Files.createTempDirectory("stompbox-tls");
        Path keystore = dir.resolve("broker.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-keystore", keystore.toString(),
                "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + new String(p.getInputStream().readAllBytes()));
        }
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

    public int port() {
        return broker.port();
    }

    /** Trusts the broker's certificate (and nothing else). */
    public SSLContext trusting() {
        return trusting;
    }

    @Override
    public void close() {
        broker.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
