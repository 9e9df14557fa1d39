package dev.stompbox.cli;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * What {@code send} and {@code tail} do with a broker, on the client that speaks its transport: the
 * blocking client for {@code tcp://} and {@code ssl://} (it starts faster), the asynchronous one for
 * {@code ws://} and {@code wss://}, which only it speaks. Each command is written once, against this.
 * With a {@code failover:} URL both reconnect after a loss, replay the subscription and write again
 * every SEND whose RECEIPT had not come, and each loss and reconnect is told on standard error.
 * One thread uses it.
 */
interface CommandClient extends AutoCloseable {
    /** Connects to the broker the options name. */
    static CommandClient connect(ConnectionOptions options, String command, PrintStream err) throws Exception {
        String uri = options.url();
        boolean failover = ConnectionOptions.failover(uri);
        ConnectionListener told = failover ? new Told(command, err) : ConnectionListener.NONE;
        if (ConnectionOptions.webSocket(uri)) {
            return new AsyncCommandClient(options.async(uri).autoReconnect(failover).atLeastOnce(failover).listener(told).build());
        }
        return new BlockingCommandClient(options.blocking(uri).autoReconnect(failover).atLeastOnce(failover).listener(told).build());
    }

    /**
     * Sends; returns once the SEND is written, or once the broker confirmed it when {@code headers}
     * ask for a receipt (always, with a failover URL).
     */
    void send(String destination, byte[] body, Map<String, String> headers) throws Exception;

    /** Subscribes; returns once the broker confirmed it. */
    void subscribe(String destination, AckMode mode) throws Exception;

    /** The next message, or null when none came within {@code timeout}. */
    StompFrame next(Duration timeout) throws Exception;

    /**
     * Acknowledges the message {@link #next} returned last (a no-op under ack auto). One that came on a
     * connection since lost is not acknowledged: the broker hands it out again.
     */
    void ack(StompFrame message) throws Exception;

    /** Disconnects gracefully: messages handed over and not acknowledged go back to the broker. */
    void disconnect() throws Exception;

    @Override
    void close();

    /** Tells a loss and a reconnect on standard error, one line each. */
    record Told(String command, PrintStream err) implements ConnectionListener {
        @Override
        public void connectionLost(Throwable cause) {
            err.println("stompbox " + command + ": " + Main.oneLine(cause) + "; reconnecting");
        }

        @Override
        public void reconnected(ReconnectReport report) {
            err.println("stompbox " + command + ": reconnected to " + report.broker()
                    + (report.resentReceipts().isEmpty() ? "" : ", " + report.resentReceipts().size() + " SEND(s) written again"));
        }
    }
}
