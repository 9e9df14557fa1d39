package dev.stompbox.client.internal;

import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.metrics.StompMetrics;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * One socket to one broker and the thread that reads it. Not API. Writes must be serialized by
 * the caller; reading belongs to the reader thread once started (before that, to
 * {@link #readFrame} during the handshake).
 */
public final class Connection {
    /** What the reader thread reports. */
    public interface Handler {
        /** Bytes arrived (a frame or a heart-beat): the server is alive. */
        void data(Connection c);

        void frame(Connection c, StompFrame frame);

        void lost(Connection c, Throwable cause);
    }

    private static final int READ_BUFFER = 64 * 1024;

    private final BrokerAddress broker;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final StompParser parser;
    private volatile StompVersion version;
    private volatile long epoch;
    private volatile boolean closed;
    private volatile boolean paused;
    private volatile long writeStartedMillis; // 0 when no write is in progress
    private volatile long parserRetained;
    private final byte[] readBuffer = new byte[READ_BUFFER];
    private final StompMetrics metrics;
    private boolean counted; // reported open to the metrics; guarded by this

    private Connection(BrokerAddress broker, Socket socket, StompClientConfig config) throws IOException {
        this.broker = broker;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        this.parser = new StompParser(config.version(), config.parserLimits());
        this.version = config.version();
        this.metrics = config.metrics();
    }

    /** Opens a TCP or TLS socket within {@code timeout} (TLS handshake included). */
    public static Connection open(BrokerAddress broker, StompClientConfig config, Duration timeout) throws IOException {
        if (broker.webSocket()) {
            throw new StompConnectionException(broker + ": the blocking client speaks STOMP over TCP and TLS;"
                    + " use the asynchronous client for WebSocket");
        }
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(broker.host(), broker.port()), millis);
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            Socket socket = plain;
            if (broker.secure()) {
                socket = tls(plain, broker, config, millis);
            }
            return new Connection(broker, socket, config);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    private static Socket tls(Socket plain, BrokerAddress broker, StompClientConfig config, int millis) throws IOException {
        SSLContext context;
        try {
            context = config.sslContext() != null ? config.sslContext() : SSLContext.getDefault();
        } catch (NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, broker.host(), broker.port(), true);
        SSLParameters params = ssl.getSSLParameters();
        if (config.hostnameVerification()) {
            params.setEndpointIdentificationAlgorithm("HTTPS");
        }
        ssl.setSSLParameters(params);
        ssl.setSoTimeout(millis);
        ssl.startHandshake();
        ssl.setSoTimeout(0);
        return ssl;
    }

    public BrokerAddress broker() {
        return broker;
    }

    public StompVersion version() {
        return version;
    }

    /** Switches parser and encoder to the negotiated version. */
    public void version(StompVersion negotiated) {
        this.version = negotiated;
        parser.version(negotiated);
    }

    public long epoch() {
        return epoch;
    }

    /** Writes one frame (the body straight from the frame) and flushes. */
    public void write(StompFrame frame) throws IOException {
        writeStartedMillis = Math.max(1, System.nanoTime() / 1_000_000);
        try {
            int n = StompEncoder.of(version).encode(frame, out);
            out.flush();
            metrics.frameSent(frame.command(), n);
        } finally {
            writeStartedMillis = 0;
        }
    }

    public void writeHeartBeat() throws IOException {
        writeStartedMillis = Math.max(1, System.nanoTime() / 1_000_000);
        try {
            StompEncoder.writeHeartBeat(out);
            out.flush();
        } finally {
            writeStartedMillis = 0;
        }
    }

    /** How long the write in progress has been blocked, 0 when none is. */
    public long writeBlockedFor(long nowMillis) {
        long started = writeStartedMillis;
        return started == 0 ? 0 : nowMillis - started;
    }

    /**
     * Reads until a frame is complete or {@code timeout} passes ({@code null} then). For the
     * handshake only, before the reader thread starts.
     */
    public StompFrame readFrame(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        StompFrame frame;
        while ((frame = parser.get()) == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            socket.setSoTimeout((int) Math.max(1, left / 1_000_000));
            int n;
            try {
                n = in.read(readBuffer);
            } catch (SocketTimeoutException e) {
                return null;
            }
            if (n < 0) {
                throw new IOException("connection closed by " + broker);
            }
            parser.add(readBuffer, 0, n);
        }
        metrics.frameReceived(frame.command(), frame.wireLength());
        return frame;
    }

    /** What the parser holds of the frame being read, as of the last read; see {@code StompParser#retainedBytes()}. */
    public long parserRetainedBytes() {
        return parserRetained;
    }

    /** Starts the daemon thread that reads this connection until it ends. */
    public void startReader(String name, long epoch, Handler handler) {
        this.epoch = epoch;
        Thread t = new Thread(() -> readLoop(handler), name);
        t.setDaemon(true);
        t.start();
    }

    private void readLoop(Handler handler) {
        try {
            socket.setSoTimeout(0);
            // Frames that arrived with CONNECTED are already parsed.
            StompFrame frame;
            while (!closed && (frame = parser.get()) != null) {
                metrics.frameReceived(frame.command(), frame.wireLength());
                handler.frame(this, frame);
            }
            while (!closed) {
                int n = in.read(readBuffer);
                if (n < 0) {
                    throw new IOException("connection closed by " + broker);
                }
                handler.data(this);
                try {
                    parser.add(readBuffer, 0, n);
                } finally {
                    parserRetained = parser.retainedBytes();
                }
                while (!closed && (frame = parser.get()) != null) {
                    metrics.frameReceived(frame.command(), frame.wireLength());
                    handler.frame(this, frame);
                }
            }
        } catch (IOException e) {
            if (!closed) {
                handler.lost(this, new StompConnectionException("connection to " + broker + " lost: " + e.getMessage(), e));
            }
        } catch (StompFrameException e) {
            if (!closed) {
                handler.lost(this, new StompConnectionException("invalid data from " + broker + ": " + e.getMessage(), e));
            }
        } catch (RuntimeException e) {
            if (!closed) {
                handler.lost(this, new StompConnectionException("reader failed on " + broker + ": " + e, e));
            }
        }
    }

    /**
     * Marks the reader paused (inbox full) or running again. Returns, when pausing, whether the
     * connection is still open (false: stop waiting); when resuming, whether it had been paused.
     */
    public boolean pause(boolean pause) {
        if (pause) {
            paused = true;
            return !closed;
        }
        boolean was = paused;
        paused = false;
        return was;
    }

    public boolean paused() {
        return paused;
    }

    /** Counts this connection as open in the metrics until it is closed. */
    public synchronized void opened() {
        if (!counted && !closed) {
            counted = true;
            metrics.connectionOpened();
        }
    }

    /** Closes the socket; the reader thread then ends without reporting a loss. */
    public void close() {
        synchronized (this) {
            closed = true; // under the lock, so that opened() cannot count a connection being closed
            if (counted) {
                counted = false;
                metrics.connectionClosed();
            }
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing more to do with a socket that fails to close.
        }
    }

    public boolean isClosed() {
        return closed;
    }
}
