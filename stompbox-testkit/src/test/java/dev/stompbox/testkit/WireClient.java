package dev.stompbox.testkit;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The smallest client the test kit's own tests need: a socket, the protocol module's parser and
 * encoder, and reads with deadlines. Not thread-safe.
 */
final class WireClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final StompParser parser;
    private StompEncoder encoder = StompEncoder.of(StompVersion.V1_2);
    int reads;

    WireClient(int port) {
        this(port, ParserLimits.defaults());
    }

    WireClient(int port, ParserLimits limits) {
        try {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        parser = new StompParser(StompVersion.V1_2, limits);
    }

    StompFrame connect(ConnectOptions options) {
        send(Commands.connect(options));
        StompFrame connected = receive();
        if (connected.command() == StompCommand.CONNECTED) {
            StompVersion v = Commands.connected(connected, StompVersion.versions(StompVersion.V1_2)).version();
            parser.version(v);
            encoder = StompEncoder.of(v);
        }
        return connected;
    }

    StompFrame connect() {
        return connect(ConnectOptions.builder().host("/").build());
    }

    StompFrame connect(HeartBeat heartBeat) {
        return connect(ConnectOptions.builder().host("/").heartBeat(heartBeat).build());
    }

    void send(StompFrame frame) {
        sendRaw(encoder.encode(frame));
    }

    void sendRaw(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    StompFrame receive() {
        return receive(TIMEOUT);
    }

    /** The next frame, failing the test if none comes within {@code timeout}. */
    StompFrame receive(Duration timeout) {
        StompFrame f = poll(timeout);
        if (f == null) {
            throw new AssertionError("no frame within " + timeout.toMillis() + " ms");
        }
        return f;
    }

    /** The next frame matching, skipping others. */
    StompFrame receive(Predicate<StompFrame> match) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            StompFrame f = receive(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (match.test(f)) {
                return f;
            }
        }
    }

    /** The next frame, or null if none comes within {@code timeout} (EOF is an AssertionError). */
    StompFrame poll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] buf = new byte[8192];
        while (true) {
            StompFrame f = parser.get();
            if (f != null) {
                return f;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            int n = read(buf, left);
            if (n == -2) {
                return null;
            }
            if (n < 0) {
                throw new AssertionError("connection closed by the server");
            }
            parser.add(buf, 0, n);
        }
    }

    /** Reads until the server closes; returns normally on EOF, throws on timeout. Other I/O errors propagate. */
    void awaitEof() throws IOException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        byte[] buf = new byte[8192];
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("server did not close the connection");
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(buf);
            } catch (SocketTimeoutException e) {
                continue;
            }
            if (n < 0) {
                return;
            }
            parser.add(buf, 0, n);
        }
    }

    /** Bytes read, -1 on EOF, -2 on timeout. */
    private int read(byte[] buf, long nanos) {
        try {
            socket.setSoTimeout((int) Math.max(1, nanos / 1_000_000));
            int n = in.read(buf);
            if (n > 0) {
                reads++;
            }
            return n;
        } catch (SocketTimeoutException e) {
            return -2;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    StompParser parser() {
        return parser;
    }

    long heartBeats() {
        return parser.heartBeats();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Test teardown.
        }
    }
}
