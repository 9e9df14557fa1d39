package dev.stompbox.client.brokers;

import dev.stompbox.protocol.StompVersion;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;

/** A real broker the integration suite runs against, and what it is known to do differently. */
public interface TestBroker extends AutoCloseable {
    String name();

    /** {@code tcp://127.0.0.1:PORT} of its STOMP acceptor. */
    String uri();

    /** The STOMP versions it speaks. */
    default List<StompVersion> versions() {
        return StompVersion.versions(StompVersion.V1_2);
    }

    /** Whether an ACK inside an aborted transaction is undone (Artemis ignores {@code transaction} on ACK). */
    default boolean honoursTransactionalAck() {
        return true;
    }

    /** Whether NACK leads to a redelivery under the broker's default policy. */
    default boolean redeliversOnNack() {
        return true;
    }

    /**
     * Whether it escapes {@code :} as {@code \c} in STOMP 1.0 headers, which 1.0 does not define
     * (RabbitMQ does; a 1.0 parser rightly keeps the backslash).
     */
    default boolean escapesHeadersIn10() {
        return false;
    }

    /** Stops it. */
    @Override
    void close();

    /** A free port on loopback (the broker binds it right after; the window is tiny). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
