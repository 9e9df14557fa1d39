package dev.stompbox.client.brokers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * RabbitMQ with its STOMP plugin, started outside the build by {@code scripts/rabbitmq.sh}
 * ({@code .ci/run} does it). Its STOMP port is {@code STOMPBOX_RABBITMQ_PORT} (default 61613).
 */
public final class ExternalRabbitMq implements TestBroker {
    /** Set to 1 (as CI does) to make a missing RabbitMQ a failure instead of a skip. */
    public static final String REQUIRE = "STOMPBOX_REQUIRE_RABBITMQ";
    public static final String HOW_TO_START = "RabbitMQ is not running on 127.0.0.1:" + port()
            + "; start it with 'sudo scripts/rabbitmq.sh start' (see README), or set STOMPBOX_RABBITMQ_PORT";

    public static int port() {
        String p = System.getenv("STOMPBOX_RABBITMQ_PORT");
        return p == null || p.isBlank() ? 61613 : Integer.parseInt(p.trim());
    }

    /** Web-STOMP: {@code STOMPBOX_RABBITMQ_WS_PORT} (default 15674), path {@code /ws}. */
    public static String webSocketUri() {
        String p = System.getenv("STOMPBOX_RABBITMQ_WS_PORT");
        return "ws://127.0.0.1:" + (p == null || p.isBlank() ? "15674" : p.trim()) + "/ws";
    }

    public static boolean required() {
        return "1".equals(System.getenv(REQUIRE));
    }

    /**
     * The running RabbitMQ; when it is not running, skips the calling test class with a message
     * saying how to start it, or fails when {@value #REQUIRE}=1.
     */
    public static ExternalRabbitMq runningOrSkip() {
        if (!reachable()) {
            if (required()) {
                throw new AssertionError(REQUIRE + "=1 but " + HOW_TO_START);
            }
            org.junit.jupiter.api.Assumptions.abort(HOW_TO_START);
        }
        return new ExternalRabbitMq();
    }

    /** Whether something answers on the STOMP port. */
    public static boolean reachable() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port()), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "RabbitMQ";
    }

    @Override
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /** RabbitMQ 3.10 applies 1.1 escaping to 1.0 frames: {@code a:b} comes back as {@code a\cb}. */
    @Override
    public boolean escapesHeadersIn10() {
        return true;
    }

    @Override
    public void close() {
        // Started and stopped by the script, not by the tests.
    }
}
