package dev.stompbox.client.brokers;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * ActiveMQ Artemis in the test JVM: STOMP on loopback with the queue and topic prefixes (without
 * them {@code /queue/x} would be multicast), no persistence, no security, no JMX.
 */
public final class EmbeddedArtemis implements TestBroker {
    private final EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
    private final int port;
    private final Path dir;

    /** @param connectionTtlMillis how long Artemis keeps an idle connection without heart-beats */
    public EmbeddedArtemis(long connectionTtlMillis) {
        this(TestBroker.freePort(), connectionTtlMillis);
    }

    public EmbeddedArtemis(int port, long connectionTtlMillis) {
        this(port, connectionTtlMillis, "");
    }

    /** @param extraAcceptorParams appended to the acceptor URI, e.g. {@code ;sslEnabled=true;...} */
    public EmbeddedArtemis(int port, long connectionTtlMillis, String extraAcceptorParams) {
        this.port = port;
        try {
            this.dir = Files.createTempDirectory("stompbox-artemis");
            Configuration config = new ConfigurationImpl()
                    .setPersistenceEnabled(false)
                    .setSecurityEnabled(false)
                    .setJMXManagementEnabled(false)
                    .setConnectionTtlCheckInterval(100)
                    .addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + port
                            + "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/;connectionTtl=" + connectionTtlMillis
                            + extraAcceptorParams);
            config.setBrokerInstance(dir.toFile());
            embedded.setConfiguration(config);
            embedded.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start embedded Artemis on port " + port, e);
        }
    }

    @Override
    public String name() {
        return "Artemis";
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public boolean honoursTransactionalAck() {
        return false;
    }

    /** Artemis sends a NACKed STOMP message to its dead-letter address rather than redelivering it. */
    @Override
    public boolean redeliversOnNack() {
        return false;
    }

    @Override
    public void close() {
        try {
            embedded.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop embedded Artemis", e);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
