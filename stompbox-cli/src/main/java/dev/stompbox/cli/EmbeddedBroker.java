package dev.stompbox.cli;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * ActiveMQ Artemis on loopback with STOMP (and STOMP over WebSocket on the same acceptor), queue
 * and topic prefixes set, no persistence, no security: the broker of {@code stompbox broker} and
 * of {@code stompbox bench} without {@code --url}, also used by the end-to-end benchmarks.
 *
 * <pre>{@code
 * try (EmbeddedBroker broker = new EmbeddedBroker(0, 0)) {
 *     StompClient.create(broker.uri()).connect();
 * }
 * }</pre>
 */
public final class EmbeddedBroker implements AutoCloseable {
    static {
        LogDefaults.apply();
    }

    private final EmbeddedActiveMQ embedded = new EmbeddedActiveMQ();
    private final int port;
    private final Path dir;

    /** @param port 0 for an ephemeral one; @param wsPort 0 for none (WebSocket is also served on {@code port}) */
    public EmbeddedBroker(int port, int wsPort) throws Exception {
        this.port = port == 0 ? freePort() : port;
        this.dir = Files.createTempDirectory("stompbox-broker");
        String params = "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/;webSocketMaxFramePayloadLength=67108864";
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + this.port + params);
        if (wsPort != 0) {
            config.addAcceptorConfiguration("stomp-ws", "tcp://127.0.0.1:" + wsPort + params);
        }
        config.setBrokerInstance(dir.toFile());
        embedded.setConfiguration(config);
        embedded.start();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() throws Exception {
        try {
            embedded.stop();
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
