package dev.stompbox.client.internal;

import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.internal.engine.Outbound;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;

/**
 * One socket (TCP or TLS) to one broker: bytes in, bytes out, nothing else. The connection rules
 * are the engine's; writes are serialized by the caller, reads belong to the reader.
 */
final class Transport {

    private final int conn;
    private final BrokerAddress broker;
    private final Socket plain;
    private final Socket socket;
    private final InputStream in;
    private final FrameOutput out;

    private Transport(int conn, BrokerAddress broker, Socket plain, Socket socket) throws IOException {
        this.conn = conn;
        this.broker = broker;
        this.plain = plain;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = new FrameOutput(socket.getOutputStream());
    }

    /** Opens a TCP or TLS socket within {@code timeout} (TLS handshake included). */
    static Transport open(int conn, BrokerAddress broker, StompClientConfig config, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(broker.host(), broker.port()), millis);
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            Socket socket = broker.secure() ? tls(plain, broker, config, millis) : plain;
            return new Transport(conn, broker, plain, socket);
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

    int conn() {
        return conn;
    }

    BrokerAddress broker() {
        return broker;
    }

    /** Reads what is there, blocking until something is; -1 at the end of the stream. */
    int read(byte[] buffer) throws IOException {
        return in.read(buffer);
    }

    /** Encodes {@code o} into the output buffer (a large body straight from the frame); {@link #flush()} sends it. */
    void write(Outbound o) throws IOException {
        if (o.isHeartBeat()) {
            out.writeHeartBeat();
        } else {
            out.write(o.encoder(), o.frame());
        }
    }

    void flush() throws IOException {
        out.flush();
    }

    /**
     * Closes the socket, which ends a blocked read or write with an exception. The plain socket
     * first: closing a TLS socket would try to write a close_notify, and wait behind a write that
     * is blocked.
     */
    void close() {
        try {
            plain.close();
        } catch (IOException ignored) {
            // Nothing more to do with a socket that fails to close.
        }
        if (socket != plain) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Already closed underneath.
            }
        }
    }
}
