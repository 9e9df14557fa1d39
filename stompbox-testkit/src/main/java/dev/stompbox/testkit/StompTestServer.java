package dev.stompbox.testkit;

import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.ParserLimits;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A small STOMP server for tests, in-process on {@code 127.0.0.1} and an ephemeral port, that can be
 * told to misbehave. It speaks STOMP 1.0, 1.1 and 1.2 with version and heart-beat negotiation, and
 * behaves enough like a broker for client tests: queues ({@code /queue/...}, one consumer per
 * message, round robin) and topics ({@code /topic/...}, every subscriber); ack modes auto, client
 * (cumulative) and client-individual, with unacknowledged messages redelivered
 * ({@code redelivered:true}) on NACK or when their connection closes; transactions over SEND and ACK
 * (an aborted ACK puts its messages back for redelivery); RECEIPT for any frame that asks;
 * optional credentials; ERROR and close for protocol violations. It sends its own heart-beats at
 * the negotiated rate and closes a connection whose client stays silent for longer than
 * {@linkplain #silenceGrace(double) twice} the negotiated period.
 *
 * <p>Each connection records a trace of every frame and can be made to fail on demand through its
 * {@link Faults}; see {@link ServerConnection}. Starts in milliseconds; any number can run in one
 * JVM. Configuration applies to connections accepted after it is set. Thread-safe.
 *
 * <pre>{@code
 * try (StompTestServer server = new StompTestServer().start()) {
 *     server.nextConnectionFaults().withholdReceipts();
 *     client.connect(server.uri());                       // tcp://127.0.0.1:PORT
 *     ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
 *     c.awaitReceived(StompCommand.SEND, Duration.ofSeconds(5));
 *     c.faults().stopHeartBeats();
 * }
 * }</pre>
 */
public final class StompTestServer implements AutoCloseable {
    /** Trace entries kept per connection unless {@link #traceLimit(int)} says otherwise. */
    public static final int DEFAULT_TRACE_LIMIT = 100_000;

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Object lock = new Object();
    private final Broker broker = new Broker();
    private final List<ServerConnection> connections = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    private final int instance = INSTANCES.incrementAndGet();

    private ServerSocket serverSocket; // guarded by lock; null while refusing or closed
    private ServerSocket accepting; // guarded by lock: the socket the acceptor is blocked on, if any
    private int port;
    private boolean started;
    private boolean closed;
    private Thread acceptor;
    private Faults nextFaults; // guarded by lock

    private volatile List<StompVersion> versions = StompVersion.versions(StompVersion.latest());
    private volatile HeartBeat heartBeat;
    private volatile String login;
    private volatile String passcode;
    private volatile String serverName = "stompbox-testkit/1";
    private volatile ParserLimits limits = ParserLimits.defaults();
    private volatile double silenceGrace = 2.0;
    private volatile int traceLimit = DEFAULT_TRACE_LIMIT;

    /** A server that is not started yet; configure it, then {@link #start()}. */
    public StompTestServer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = Executors.defaultThreadFactory().newThread(r);
            th.setName("stompbox-testkit-" + instance + "-timer");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    // -- configuration ----------------------------------------------------------------------------

    /** The versions the server speaks (default all three); CONNECT gets the highest one both sides have. */
    public StompTestServer versions(StompVersion... supported) {
        if (supported.length == 0) {
            throw new IllegalArgumentException("at least one version");
        }
        this.versions = List.of(supported).stream().distinct().sorted().toList();
        return this;
    }

    /**
     * The heart-beats the server offers in CONNECTED. By default ({@code null}) it offers to send
     * as often as the client asks and to receive as often as the client offers.
     */
    public StompTestServer heartBeat(HeartBeat offer) {
        this.heartBeat = offer;
        return this;
    }

    /** Requires this login and passcode in CONNECT; anything else gets an ERROR. */
    public StompTestServer requireCredentials(String login, String passcode) {
        this.login = Objects.requireNonNull(login, "login");
        this.passcode = Objects.requireNonNull(passcode, "passcode");
        return this;
    }

    /** The {@code server} header of CONNECTED. */
    public StompTestServer serverName(String name) {
        this.serverName = Objects.requireNonNull(name, "name");
        return this;
    }

    /** The limits for parsing client frames (defaults of {@link ParserLimits}). */
    public StompTestServer limits(ParserLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        return this;
    }

    /** How many negotiated client periods of silence close a connection (default 2). */
    public StompTestServer silenceGrace(double factor) {
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException("factor must be at least 1: " + factor);
        }
        this.silenceGrace = factor;
        return this;
    }

    /**
     * How many trace entries each connection keeps (default {@value #DEFAULT_TRACE_LIMIT}); beyond
     * it the oldest are dropped and counted, so a long run cannot exhaust memory.
     */
    public StompTestServer traceLimit(int entries) {
        if (entries < 1) {
            throw new IllegalArgumentException("entries must be at least 1: " + entries);
        }
        this.traceLimit = entries;
        return this;
    }

    // -- lifecycle --------------------------------------------------------------------------------

    /**
     * Binds {@code 127.0.0.1} on an ephemeral port and starts accepting.
     *
     * @throws UncheckedIOException if it cannot bind
     */
    public StompTestServer start() {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("already started");
            }
            started = true;
            serverSocket = bind(0);
            port = serverSocket.getLocalPort();
            acceptor = new Thread(this::acceptLoop, "stompbox-testkit-" + instance + "-acceptor-" + port);
            acceptor.setDaemon(true);
            acceptor.start();
        }
        return this;
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind 127.0.0.1:" + port, e);
        }
    }

    /** The bound port. */
    public int port() {
        synchronized (lock) {
            if (!started) {
                throw new IllegalStateException("not started");
            }
            return port;
        }
    }

    /** {@code tcp://127.0.0.1:PORT}. */
    public String uri() {
        return "tcp://127.0.0.1:" + port();
    }

    /** Closes every connection (FIN), stops accepting and frees the port. Idempotent. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            closeQuietly(serverSocket);
            serverSocket = null;
            lock.notifyAll();
        }
        for (ServerConnection c : connections) {
            c.closeNow("server closed", false);
        }
        timer.shutdownNow();
        if (acceptor != null) {
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Refuses new connections for {@code duration}: the port stops listening (a client gets
     * "connection refused") and listens again afterwards. Open connections are not touched.
     */
    public void refuseConnections(Duration duration) {
        synchronized (lock) {
            if (!started || closed) {
                throw new IllegalStateException("server not running");
            }
            ServerSocket listening = serverSocket;
            closeQuietly(listening);
            serverSocket = null;
            // The JDK closes a socket another thread is blocked on in accept() only when that thread
            // wakes up; until then the port still accepts. Wait for it, so refusal starts now.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (accepting == listening && listening != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new IllegalStateException("acceptor did not leave accept() within 5 s");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while closing the listening socket", e);
                }
            }
        }
        timer.schedule(this::listenAgain, duration.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Listens again at once after {@link #refuseConnections}. */
    public void acceptConnections() {
        listenAgain();
    }

    private void listenAgain() {
        synchronized (lock) {
            if (closed || serverSocket != null) {
                return;
            }
            serverSocket = bind(port);
            lock.notifyAll();
        }
    }

    private void acceptLoop() {
        while (true) {
            ServerSocket ss;
            synchronized (lock) {
                while (serverSocket == null && !closed) {
                    try {
                        lock.wait(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (closed) {
                    return;
                }
                ss = serverSocket;
                accepting = ss;
            }
            Socket socket;
            try {
                socket = ss.accept();
            } catch (IOException e) {
                continue; // closed to refuse connections, or to shut down: the loop decides
            } finally {
                synchronized (lock) {
                    accepting = null;
                    lock.notifyAll();
                }
            }
            try {
                socket.setTcpNoDelay(true);
            } catch (IOException ignored) {
                // A socket that cannot set options still works.
            }
            Faults faults;
            synchronized (lock) {
                faults = nextFaults != null ? nextFaults : new Faults();
                nextFaults = null;
            }
            ServerConnection c = new ServerConnection(this, broker, connections.size(), socket, faults);
            synchronized (lock) {
                connections.add(c);
                lock.notifyAll();
            }
            c.start();
        }
    }

    private static void closeQuietly(ServerSocket s) {
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // Nothing to do about a socket that fails to close.
            }
        }
    }

    // -- connections ------------------------------------------------------------------------------

    /**
     * The faults the next accepted connection starts with; once it is accepted, a further call
     * returns a fresh set for the one after.
     */
    public Faults nextConnectionFaults() {
        synchronized (lock) {
            if (nextFaults == null) {
                nextFaults = new Faults();
            }
            return nextFaults;
        }
    }

    /** All connections accepted so far, open or closed, in order. */
    public List<ServerConnection> connections() {
        return List.copyOf(connections);
    }

    /** Waits for the first connection. */
    public ServerConnection awaitConnection(Duration timeout) {
        return awaitConnection(0, timeout);
    }

    /** Waits until the connection with this index (0 = the first ever accepted) exists. */
    public ServerConnection awaitConnection(int index, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (connections.size() <= index) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no connection #" + index + " within " + timeout.toMillis() + " ms ("
                            + connections.size() + " accepted)");
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted while waiting for a connection", e);
                }
            }
            return connections.get(index);
        }
    }

    /** Delivers a message to {@code destination} as if a client had sent it. */
    public void publish(String destination, byte[] body, Map<String, String> headers) {
        List<Header> hs = new ArrayList<>();
        headers.forEach((k, v) -> hs.add(new Header(k, v)));
        synchronized (broker) {
            broker.dispatch(broker.newMessage(destination, hs, body.clone()));
        }
    }

    /** Delivers a text message (UTF-8) to {@code destination}. */
    public void publish(String destination, String body) {
        publish(destination, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Messages waiting on a queue for a subscriber. */
    public int waitingMessages(String destination) {
        return broker.waitingCount(destination);
    }

    /** The trace of every connection, passcodes masked: what the JUnit extension prints on failure. */
    public String traceDump() {
        StringBuilder sb = new StringBuilder("StompTestServer " + (started ? uri() : "(not started)") + ", "
                + connections.size() + " connection(s)\n");
        for (ServerConnection c : connections) {
            sb.append(c.traceDump());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "StompTestServer[" + (started ? uri() : "not started") + ", connections=" + connections.size() + "]";
    }

    // -- used by connections ----------------------------------------------------------------------

    int traceLimit() {
        return traceLimit;
    }

    ScheduledExecutorService timer() {
        return timer;
    }

    ParserLimits limits() {
        return limits;
    }

    String serverName() {
        return serverName;
    }

    double silenceGrace() {
        return silenceGrace;
    }

    String versionsText() {
        return versions.stream().map(StompVersion::text).collect(Collectors.joining(","));
    }

    /** The highest version in both {@code accept-version} (absent: 1.0) and the server's list, or null. */
    StompVersion negotiateVersion(String acceptVersion) {
        List<StompVersion> supported = versions;
        StompVersion best = null;
        String[] offered = acceptVersion == null ? new String[] {"1.0"} : acceptVersion.split(",");
        for (String o : offered) {
            for (StompVersion v : supported) {
                if (v.text().equals(o.trim()) && (best == null || v.compareTo(best) > 0)) {
                    best = v;
                }
            }
        }
        return best;
    }

    boolean acceptsCredentials(String login, String passcode) {
        String l = this.login;
        return l == null || (l.equals(login) && this.passcode.equals(passcode));
    }

    HeartBeat heartBeatOffer(HeartBeat client) {
        HeartBeat offer = heartBeat;
        return offer != null ? offer : new HeartBeat(client.receive(), client.send());
    }

    void connectionClosed(ServerConnection c) {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
