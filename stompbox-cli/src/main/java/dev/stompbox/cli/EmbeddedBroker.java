package dev.stompbox.cli;

import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;

/**
 * ActiveMQ Artemis on loopback with STOMP (and STOMP over WebSocket on the same acceptor), queue
 * and topic prefixes set, no persistence; no security, or one user when one is given: the broker of
 * {@code stompbox broker} and of {@code stompbox bench} without {@code --url}, also used by the
 * end-to-end benchmarks. Its temporary data folder is removed when it stops.
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
        this(port, wsPort, null, null);
    }

    /**
     * A broker that admits only {@code user} with {@code password} (and refuses any other CONNECT
     * with an ERROR), or anyone when {@code user} is {@code null}.
     */
    public EmbeddedBroker(int port, int wsPort, String user, String password) throws Exception {
        // Artemis logs a port it cannot bind and runs on without it, a broker nobody can reach: found here first.
        requireFree(port);
        requireFree(wsPort);
        this.port = port == 0 ? freePort() : port;
        this.dir = Files.createTempDirectory("stompbox-broker");
        String params = "?protocols=STOMP;anycastPrefix=/queue/;multicastPrefix=/topic/;webSocketMaxFramePayloadLength=67108864";
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(user != null)
                .setJMXManagementEnabled(false)
                .addAcceptorConfiguration("stomp", "tcp://127.0.0.1:" + this.port + params);
        if (wsPort != 0) {
            config.addAcceptorConfiguration("stomp-ws", "tcp://127.0.0.1:" + wsPort + params);
        }
        config.setBrokerInstance(dir.toFile());
        embedded.setConfiguration(config);
        if (user != null) {
            embedded.setSecurityManager(new OneUser(user, password));
        }
        embedded.start();
        for (var acceptor : embedded.getActiveMQServer().getRemotingService().getAcceptors().entrySet()) {
            if (!acceptor.getValue().isStarted()) { // taken since the check (an ephemeral port, say)
                close();
                throw new BindException("the broker could not listen with its acceptor " + acceptor.getKey() + " on 127.0.0.1 (port "
                        + (acceptor.getKey().equals("stomp") ? this.port : wsPort) + "): see its error above");
            }
        }
    }

    /** Refuses a port out of range or taken on 127.0.0.1 (0, an ephemeral port, passes). */
    private static void requireFree(int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (1-65535, or 0 for an ephemeral one)");
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        } catch (BindException e) {
            throw new BindException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
        }
    }

    /** The temporary folder the broker keeps its data in; gone once it has stopped. */
    Path dataDirectory() {
        return dir;
    }

    /** Admits one user, with every right. */
    private record OneUser(String user, String password) implements ActiveMQSecurityManager {
        @Override
        public boolean validateUser(String u, String p) {
            return user.equals(u) && password.equals(p);
        }

        @Override
        public boolean validateUserAndRole(String u, String p, Set<Role> roles, CheckType checkType) {
            return validateUser(u, p);
        }
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
