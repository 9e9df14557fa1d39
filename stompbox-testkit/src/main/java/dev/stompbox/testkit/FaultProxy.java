package dev.stompbox.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay between any client and any real broker that misbehaves on demand, per direction:
 * it can cut every connection (a reset), blackhole a direction (bytes are read and dropped, the
 * socket stays open: the fault only heart-beats can see), delay or throttle it, or half-close it.
 * The test kit's server misbehaves as a broker; this puts the faults on the network in front of a
 * real one. Listens on a free loopback port; faults apply to the connections through it now and
 * to those that come later, until {@link #clear()}. Thread-safe.
 *
 * <pre>{@code
 * try (FaultProxy proxy = FaultProxy.to("tcp://127.0.0.1:61616")) {
 *     client = connect(proxy.uri());
 *     proxy.blackhole(FaultProxy.Direction.TO_CLIENT);   // the broker's beats stop arriving
 *     ...                                                // the client declares the connection dead
 * }
 * }</pre>
 */
public final class FaultProxy implements AutoCloseable {
    /** Which way bytes go. */
    public enum Direction { TO_BROKER, TO_CLIENT }

    private record Faults(boolean blackhole, Duration delay, long bytesPerSecond) {
        static final Faults NONE = new Faults(false, Duration.ZERO, 0);
    }

    private final URI target;
    private final ServerSocket server;
    private final List<Pair> pairs = new ArrayList<>(); // guarded by itself

    /** One connection through the proxy: its two sockets, and how many of its directions have ended. */
    private record Pair(Socket client, Socket broker, AtomicInteger ended) {
    }
    private final Map<Direction, Faults> faults = new EnumMap<>(Direction.class); // guarded by itself
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    private FaultProxy(URI target) {
        this.target = target;
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread t = new Thread(this::acceptLoop, "stompbox-testkit-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** A proxy to the broker at {@code brokerUri} ({@code tcp://host:port}, or {@code ws://host:port/path}). */
    public static FaultProxy to(String brokerUri) {
        return new FaultProxy(URI.create(Objects.requireNonNull(brokerUri, "brokerUri")));
    }

    /** The broker's URI with the proxy's address in it: same scheme and path, {@code 127.0.0.1:PORT}. */
    public String uri() {
        return uriWithPort(server.getLocalPort());
    }

    /** The broker's URI with {@code 127.0.0.1:port} in it (for a broker that is not there, say). */
    public String uriWithPort(int port) {
        return target.getScheme() + "://127.0.0.1:" + port + (target.getRawPath() == null ? "" : target.getRawPath());
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections made through the proxy so far. */
    public int connections() {
        return accepted.get();
    }

    /**
     * Connections through the proxy that are still open in at least one direction. A connection
     * one end closed stays here until the proxy has seen both directions end, which takes a moment.
     */
    public int openConnections() {
        synchronized (pairs) {
            return pairs.size();
        }
    }

    /** Resets every connection through the proxy, both sides; new ones are relayed again. Returns how many. */
    public int cut() {
        List<Pair> now;
        synchronized (pairs) {
            now = new ArrayList<>(pairs);
            pairs.clear();
        }
        for (Pair p : now) {
            reset(p.client());
            reset(p.broker());
        }
        return now.size();
    }

    /** Stops forwarding {@code direction}: what comes is read and dropped, nothing is closed. */
    public FaultProxy blackhole(Direction direction) {
        return set(direction, f -> new Faults(true, f.delay(), f.bytesPerSecond()));
    }

    /** Holds every chunk going {@code direction} for {@code delay} before forwarding it. */
    public FaultProxy delay(Direction direction, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return set(direction, f -> new Faults(f.blackhole(), delay, f.bytesPerSecond()));
    }

    /** Forwards at most {@code bytesPerSecond} going {@code direction}. */
    public FaultProxy throttle(Direction direction, long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        return set(direction, f -> new Faults(f.blackhole(), f.delay(), bytesPerSecond));
    }

    /**
     * Half-closes {@code direction} on the connections through the proxy now: the receiving side
     * reads the end of the stream while the other direction stays open.
     */
    public FaultProxy halfClose(Direction direction) {
        synchronized (pairs) {
            for (Pair p : pairs) {
                try {
                    (direction == Direction.TO_CLIENT ? p.client() : p.broker()).shutdownOutput();
                } catch (IOException ignored) {
                    // already gone
                }
            }
        }
        return this;
    }

    /** Back to plain relaying (connections cut or half-closed stay so). */
    public FaultProxy clear() {
        synchronized (faults) {
            faults.clear();
        }
        return this;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        cut();
    }

    private FaultProxy set(Direction d, java.util.function.UnaryOperator<Faults> change) {
        synchronized (faults) {
            faults.put(d, change.apply(faults.getOrDefault(d, Faults.NONE)));
        }
        return this;
    }

    private Faults faults(Direction d) {
        synchronized (faults) {
            return faults.getOrDefault(d, Faults.NONE);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                Socket broker = new Socket(target.getHost(), target.getPort());
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                Pair pair = new Pair(client, broker, new AtomicInteger());
                synchronized (pairs) {
                    pairs.add(pair);
                }
                accepted.incrementAndGet();
                relay(pair, client, broker, Direction.TO_BROKER);
                relay(pair, broker, client, Direction.TO_CLIENT);
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("fault proxy to " + target + ": " + e);
                }
            }
        }
    }

    private void relay(Pair pair, Socket from, Socket to, Direction direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                // Not closed here: closing a socket's stream closes the socket, and the other way may still be open.
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    Faults f = faults(direction);
                    if (f.blackhole()) {
                        continue; // read and dropped: the sender sees nothing wrong
                    }
                    if (!f.delay().isZero()) {
                        Thread.sleep(f.delay().toMillis());
                    }
                    if (f.bytesPerSecond() > 0) {
                        Thread.sleep(n * 1000L / f.bytesPerSecond());
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput(); // pass an end of stream on, as a half-close
            } catch (IOException ignored) {
                // cut, or closed by either end: the other side follows
                reset(to);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                reset(to);
            } finally {
                if (pair.ended().incrementAndGet() == 2) { // both ways done: the connection is over
                    synchronized (pairs) {
                        pairs.remove(pair);
                    }
                    reset(pair.client());
                    reset(pair.broker());
                }
            }
        }, "stompbox-testkit-relay-" + direction + "-" + from.getPort());
        t.setDaemon(true);
        t.start();
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0); // a reset, as a failed network would leave it
            s.close();
        } catch (IOException ignored) {
            // already gone
        }
    }
}
