// Over 600 lines on purpose: every connection rule in one state machine (the h11 shape), because the
// rules share its state at every transition (a loss touches the walk, the receipts, the window, the
// writes and the acks at once); what stands alone is out already (ReceiptBook, Outbound, Reconnection).
package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompBackpressureException;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompConnectTimeoutException;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompReceiptTimeoutException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.failover.FailoverUri;
import dev.stompbox.protocol.failover.ReconnectAttempt;
import dev.stompbox.protocol.failover.ReconnectSchedule;
import dev.stompbox.protocol.internal.engine.ReceiptBook.Pending;
import dev.stompbox.protocol.session.StompSession;
import dev.stompbox.protocol.session.SessionSubscription;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The connection rules of both clients, written once (the h11 idea: a state machine that owns no
 * socket). It does no I/O, starts no thread and reads no clock: it is handed the bytes read, the
 * time ({@code now}, nanoseconds on any monotonic clock) and the outcome of what it asked for, and
 * answers with what to write ({@link #nextWrite()}), what else to do ({@link #applyEffects}) and
 * when it next needs {@link #tick} ({@link #nextDeadline(long)}).
 *
 * <p>It owns the lifecycle, the failover walk and its back-off, CONNECTED negotiation,
 * subscription replay, the at-least-once window and re-send order, receipts and their timeouts,
 * heart-beats, server silence and write stalls, loss records and reconnect reports, and the
 * refusal of acks for messages of an earlier connection.
 *
 * <p>Single-threaded by contract: a client calls it from one thread at a time (the event loop, or
 * under one lock) and applies the effects after letting go of that lock.
 *
 * <pre>{@code
 * CompletableFuture<Void> connected = engine.connect(clock.nanos(), ConnectionEngine.NONE);
 * engine.tick(clock.nanos());                       // effect: open(1, broker, timeout)
 * engine.opened(1, clock.nanos());                  // outbound: CONNECT
 * engine.received(1, bytes, 0, n, clock.nanos());   // CONNECTED: the future completes (as an effect)
 * }</pre>
 */
public final class ConnectionEngine {
    /** "No deadline". */
    public static final long NONE = ReceiptBook.NONE;
    /** How long a reconnected connection must last before a broker ERROR ending it starts a fresh reconnect cycle. */
    static final Duration SETTLED = Duration.ofSeconds(1);

    /** Builds a frame from the session for a command, with the receipt id to ask for ({@code null}: none). */
    @FunctionalInterface
    public interface Command {
        StompFrame build(StompSession session, String receipt);
    }

    /** What a lost connection leaves for the reconnect report. */
    private record Lost(Throwable cause, List<String> failed, List<StompFrame> unacked) {
    }

    private final EngineSettings settings;
    private final EngineLog log;
    private final StompSession session;
    private final ReconnectSchedule schedule;
    private final ReconnectSchedule reconnectSchedule;
    private final ReceiptBook receipts = new ReceiptBook();
    private final ArrayDeque<Effect> effects = new ArrayDeque<>();
    private final ArrayDeque<Outbound> outbound = new ArrayDeque<>();
    private final String receiptPrefix;
    private long receiptSeq;

    private ConnectionState state = ConnectionState.NEW;
    private StompException failure;
    private long originNanos;
    private boolean clockStarted;

    // The transport being opened or live: one at a time, named by a number that is never reused.
    private int conn;
    private int connIds;
    private BrokerAddress broker;
    private StompParser parser;
    private StompEncoder encoder;
    private long connectedDeadline = NONE;
    private long epoch;

    // Connecting and reconnecting.
    private Iterator<ReconnectAttempt> attempts;
    /**
     * The reconnect cycle that made the current connection, until the connection has lasted
     * {@link #SETTLED}: a broker ERROR before then goes on with it, backing off, instead of a fresh
     * cycle whose first attempt has no delay (a broker that refuses a replayed frame with an ERROR
     * and a close, as RabbitMQ does, was otherwise reconnected to more than a hundred times a second).
     */
    private Iterator<ReconnectAttempt> cycleOnTrial;
    private long connectedAt;
    private ReconnectAttempt nextAttempt;
    private long attemptAt = NONE;
    private long connectDeadline = NONE;
    private StompException lastAttemptFailure;
    private final List<StompException> attemptFailures = new ArrayList<>(); // this walk's, the last 100
    private CompletableFuture<Void> connecting;
    private Lost lost;

    // Writing and reading.
    /**
     * The broker's ERROR, read while connected: the connection ends with it once the frames read
     * in the same chunk behind it are handled (see {@link #received}); later ERRORs are suppressed in it.
     */
    private StompBrokerException brokerError;
    /**
     * RabbitMQ's ERROR for an AMQP error, read in this chunk ({@link #closedByRabbitMq}): the first
     * RECEIPT behind it for a frame other than a SEND names the frame that failed.
     */
    private StompBrokerException unnamedRefusal;
    /** Awaited SUBSCRIBE receipts already carried over one connection a broker ERROR ended (see {@link #lose}). */
    private final Set<String> retriedAfterError = new HashSet<>();
    private long pendingWriteBytes;
    private long progressAt;
    private boolean readingPaused;
    private boolean roomWanted;

    // Disconnecting.
    private CompletableFuture<Void> disconnecting;
    private String byeReceipt;
    private long disconnectDeadline = NONE;
    private Duration disconnectTimeout;

    // Messages handed out that still need an ack, by identity, and those of the last lost connection.
    private AwaitingAcks awaitingAck = new AwaitingAcks();
    private AwaitingAcks stale = new AwaitingAcks();
    private long sequence;
    private long unknownSubscriptionMessages;
    // Messages never handed to the application, dropped by the disconnect under way: said once it is done.
    private long unhandedLost;
    private long unhandedReturned;

    /**
     * @param instance a name for this client in receipt ids; a random part is added so that
     *                 consumers can pair re-sent copies by receipt id across producer processes
     */
    public ConnectionEngine(EngineSettings settings, ReconnectSchedule schedule, EngineLog log, String instance) {
        this.settings = settings;
        this.schedule = schedule;
        // A bare broker URI connects once, but reconnects with the default back-off, as
        // failover:(uri) would: one immediate attempt would turn a short outage into a lost connection.
        this.reconnectSchedule = settings.failoverUri().failover() ? schedule
                : new ReconnectSchedule(FailoverUri.parse("failover:(" + settings.failoverUri() + ")"));
        this.log = log;
        this.session = new StompSession(settings.version());
        this.session.graceFactor(settings.graceFactor());
        this.session.atLeastOnce(settings.atLeastOnce());
        this.receiptPrefix = "stompbox-" + instance + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt()) + "-";
    }

    // -- what the clients read ---------------------------------------------------------------------

    public EngineSettings settings() {
        return settings;
    }

    public ConnectionState state() {
        return state;
    }

    public boolean isConnected() {
        return state == ConnectionState.CONNECTED;
    }

    /** Why the last connection or connect ended, or {@code null}. */
    public StompException failure() {
        return failure;
    }

    /** The broker of the live connection, or {@code null}. */
    public BrokerAddress broker() {
        return state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTING ? broker : null;
    }

    /** The negotiated version while connected, the configured one otherwise. */
    public StompVersion version() {
        return session.version();
    }

    /** Counts the live connections made: a message or transaction carries the epoch it belongs to. */
    public long epoch() {
        return epoch;
    }

    /** The session, for reading its subscriptions and transactions. */
    public StompSession session() {
        return session;
    }

    /** What the parser holds of the frame being read; 0 when no connection is open. */
    public long parserRetainedBytes() {
        return parser == null ? 0 : parser.retainedBytes();
    }

    public long pendingWriteBytes() {
        return pendingWriteBytes;
    }

    /** MESSAGEs dropped because no active subscription matched (normal right after UNSUBSCRIBE). */
    public long unknownSubscriptionMessages() {
        return unknownSubscriptionMessages;
    }

    /** A new receipt id, unique to this client. */
    public String newReceiptId() {
        return receiptPrefix + ++receiptSeq;
    }

    /** A new receipt id with a word that says what it is for ({@code "bye"}, {@code "error"}). */
    public String newReceiptId(String purpose) {
        return receiptPrefix + purpose + "-" + ++receiptSeq;
    }

    /** The exception for a command made while not connected. */
    public StompConnectionException notConnected() {
        // A spent schedule is why, not what a later call meets: that call is "not connected", caused by it.
        if (failure instanceof StompConnectionException && !(failure instanceof StompConnectTimeoutException)) {
            return (StompConnectionException) failure;
        }
        return new StompConnectionException("not connected (" + state.name().toLowerCase() + ")", failure);
    }

    public boolean hasEffects() {
        return !effects.isEmpty();
    }

    /**
     * Applies the effects queued so far to {@code handler}, in order, and those they cause in
     * turn; one that throws is logged, and the rest are still applied.
     */
    public void applyEffects(EngineHandler handler) {
        Effect e;
        while ((e = effects.poll()) != null) {
            try {
                e.apply(handler);
            } catch (RuntimeException ex) {
                log.warn("applying an engine effect failed", ex);
            }
        }
    }

    /**
     * When {@link #tick} must run next, or {@link #NONE}. Any call into the engine may move it
     * earlier, so a client asks again after each call.
     */
    public long nextDeadline(long now) {
        long next = Math.min(attemptAt, Math.min(connectedDeadline, disconnectDeadline));
        next = Math.min(next, receipts.earliestDeadline());
        if (parser != null && (state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTING)) {
            long ms = millis(now);
            if (outbound.isEmpty() && pendingWriteBytes == 0) {
                next = after(next, now, session.millisUntilBeat(ms));
            }
            if (!readingPaused) {
                next = after(next, now, session.millisUntilServerOverdue(ms));
            }
            if (pendingWriteBytes > 0) {
                next = Math.min(next, progressAt + settings.writeTimeout().toNanos() + 1);
            }
        }
        return next;
    }

    private static long after(long next, long now, long millis) {
        return millis == Long.MAX_VALUE ? next : Math.min(next, now + millis * 1_000_000);
    }

    // -- connecting --------------------------------------------------------------------------------

    /**
     * Starts walking the failover schedule; the future completes once CONNECTED arrived, or fails
     * (the schedule spent, the broker's ERROR, the deadline passed, the client disconnected).
     *
     * @param deadline {@link #NONE} or the time by which to give up
     */
    public CompletableFuture<Void> connect(long now, long deadline) {
        clock(now);
        if (state == ConnectionState.CLOSED) {
            throw new IllegalStateException("client is closed");
        }
        if (state != ConnectionState.NEW && state != ConnectionState.DISCONNECTED) {
            throw new IllegalStateException("cannot connect: already " + state.name().toLowerCase());
        }
        state = ConnectionState.CONNECTING;
        failure = null;
        connecting = new CompletableFuture<>();
        connectDeadline = deadline;
        lastAttemptFailure = null;
        attemptFailures.clear();
        attempts = schedule.iterator();
        scheduleAttempt(now);
        return connecting;
    }

    private void scheduleAttempt(long now) {
        ReconnectAttempt a;
        try {
            a = attempts.next();
        } catch (StompConnectTimeoutException e) {
            attemptFailures.forEach(e::addSuppressed); // every broker tried, and why it failed
            StompException last = lastAttemptFailure;
            if (last != null && !settings.failoverUri().failover()) {
                giveUp(last); // one broker, one attempt: its own failure says more than "0 attempts"
                return;
            }
            if (last != null) {
                e.initCause(last);
            }
            giveUp(e);
            return;
        }
        long at = now + a.delay().toNanos();
        if (connectDeadline != NONE && at > connectDeadline) {
            StompConnectionException passed = new StompConnectionException("connect deadline passed before attempt "
                    + a.attempt() + " to " + a.broker(), lastAttemptFailure);
            attemptFailures.forEach(passed::addSuppressed);
            giveUp(passed);
            return;
        }
        nextAttempt = a;
        attemptAt = at;
    }

    private void startAttempt(long now) {
        ReconnectAttempt a = nextAttempt;
        attemptAt = NONE;
        nextAttempt = null;
        conn = ++connIds;
        broker = a.broker();
        log.info("connecting to {} (attempt {}, after {} ms)", a.broker(), a.attempt(), a.delay().toMillis());
        Duration timeout = bounded(settings.connectTimeout(), now);
        int c = conn;
        BrokerAddress b = broker;
        effects.add(h -> h.open(c, b, timeout));
    }

    private Duration bounded(Duration timeout, long now) {
        if (connectDeadline == NONE) {
            return timeout;
        }
        return Duration.ofNanos(Math.max(1_000_000, Math.min(timeout.toNanos(), connectDeadline - now)));
    }

    /**
     * Whether transport {@code c} is still wanted: a client that opens transports off its engine
     * thread asks right before it starts, so that a disconnect in between opens nothing.
     */
    public boolean wantsOpen(int c) {
        return c == conn && connecting() && parser == null;
    }

    /** Transport {@code c} is open: the CONNECT goes out. */
    public void opened(int c, long now) {
        clock(now);
        if (c != conn || !connecting()) {
            effects.add(h -> h.close(c)); // abandoned meanwhile
            return;
        }
        parser = new StompParser(settings.version(), settings.parserLimits());
        encoder = StompEncoder.of(settings.version());
        session.close(false);
        StompFrame connect = session.connect(settings.connect());
        if (log.debugEnabled()) {
            log.debug(">>> {}", connect.info()); // info() masks the passcode
        }
        enqueue(connect, null, now);
        connectedDeadline = now + bounded(settings.connectedTimeout(), now).toNanos();
    }

    /** Transport {@code c} could not be opened. */
    public void openFailed(int c, Throwable cause, long now) {
        clock(now);
        if (c == conn && connecting() && connectedDeadline == NONE && parser == null) {
            attemptFailed(cause instanceof StompException ? (StompException) cause
                    : new StompConnectionException("cannot connect to " + broker + ": " + cause.getMessage(), cause), now);
        }
    }

    private boolean connecting() {
        return state == ConnectionState.CONNECTING || state == ConnectionState.RECONNECTING;
    }

    private boolean handshaking() {
        return connecting() && conn != 0 && attemptAt == NONE;
    }

    private void attemptFailed(StompException cause, long now) {
        settings.metrics().connectAttempt(state == ConnectionState.RECONNECTING, false);
        BrokerAddress tried = broker;
        effects.add(h -> h.attemptFailed(tried, cause));
        dropTransport();
        session.close(false);
        if (cause instanceof StompBrokerException) {
            log.error("{} refused the connection: {}", broker, cause.getMessage());
            giveUp(cause);
            return;
        }
        log.warn("attempt to connect to {} failed: {}", broker, cause.getMessage());
        lastAttemptFailure = cause;
        if (attemptFailures.size() == 100) {
            attemptFailures.remove(0);
        }
        attemptFailures.add(cause);
        scheduleAttempt(now);
    }

    private void dropTransport() {
        if (conn != 0) {
            int c = conn;
            effects.add(h -> h.close(c));
        }
        conn = 0;
        parser = null;
        connectedDeadline = NONE;
        readingPaused = false;
        failWrites(new StompConnectionException("connection to " + broker + " closed"));
    }

    private void failWrites(StompException cause) {
        for (Outbound o : outbound) {
            fail(o.written, cause);
        }
        outbound.clear();
        pendingWriteBytes = 0;
    }

    /** Connecting or reconnecting ends without a connection. */
    private void giveUp(StompException cause) {
        boolean reconnect = state == ConnectionState.RECONNECTING;
        attemptAt = NONE;
        nextAttempt = null;
        attempts = null;
        dropTransport();
        if (state != ConnectionState.CLOSED) {
            state = ConnectionState.DISCONNECTED;
        }
        failure = cause;
        lost = null;
        List<String> dropped = session.dropUnreceipted();
        if (!dropped.isEmpty()) {
            log.warn("{} unreceipted SEND(s) fail: {}", dropped.size(), cause.getMessage());
        }
        failReceipts(cause);
        if (connecting != null) {
            fail(connecting, cause);
            connecting = null;
        }
        if (reconnect) {
            log.error("reconnect failed: {}", cause.getMessage());
            effects.add(h -> h.reconnectFailed(cause));
            effects.add(h -> h.ended(cause));
        }
    }

    private void onConnected(StompFrame frame, long now) {
        try {
            session.connected(frame);
        } catch (StompProtocolException | IllegalArgumentException e) {
            // The broker's mistake, not the caller's: a connection failure, with what was wrong as its cause.
            attemptFailed(new StompConnectionException("invalid CONNECTED from " + broker + ": " + e.getMessage(), e), now);
            return;
        }
        boolean reconnect = state == ConnectionState.RECONNECTING;
        settings.metrics().connectAttempt(reconnect, true);
        settings.metrics().connectionOpened();
        parser.version(session.version());
        encoder = StompEncoder.of(session.version());
        connectedDeadline = NONE;
        cycleOnTrial = reconnect ? attempts : null;
        connectedAt = now;
        attempts = null;
        epoch++;
        state = ConnectionState.CONNECTED;
        failure = null;
        long ms = millis(now);
        session.sent(ms);
        session.received(ms);
        List<SessionSubscription> replayed = new ArrayList<>();
        for (SessionSubscription s : session.replay()) {
            // A SUBSCRIBE whose RECEIPT the loss cut off asks for it again: its caller waits for this answer.
            String rid = s.receipt() != null && receipts.contains(s.receipt()) ? s.receipt() : null;
            enqueue(session.subscribe(s.destination(), s.headers(), rid, s.context()).frame(), null, now);
            replayed.add(s);
        }
        List<String> resent = new ArrayList<>();
        if (session.atLeastOnce()) {
            for (StompFrame f : session.resend()) {
                String rid = f.header(StompHeaders.RECEIPT);
                try {
                    enqueue(f, null, now);
                    resent.add(rid);
                } catch (StompProtocolException e) {
                    // The new connection speaks another version, in which this SEND cannot be encoded.
                    session.cancelReceipt(rid);
                    Pending p = receipts.remove(rid);
                    if (p != null) {
                        fail(p.future(), e);
                    }
                }
            }
        }
        if (!resent.isEmpty()) {
            settings.metrics().sendsResent(resent.size());
        }
        log.info("connected to {} (STOMP {}, session {}, heart-beats {} ms out / {} ms in)", broker, session.version(),
                session.id(), session.clientHeartBeat(), session.serverHeartBeat());
        BrokerAddress b = broker;
        if (lost == null) {
            complete(connecting);
            connecting = null;
            effects.add(h -> h.connected(b));
        } else {
            Reconnection r = new Reconnection(b, replayed, lost.failed(), resent, lost.unacked(), lost.cause());
            log.info("reconnected to {}: replayed {} subscription(s), re-sent {} SEND(s); {} receipt(s) failed, {} message(s) unacked",
                    b, replayed.size(), resent.size(), r.failedReceipts().size(), r.unacked().size());
            lost = null;
            effects.add(h -> h.reconnected(r));
        }
    }

    // -- reading -----------------------------------------------------------------------------------

    /** Bytes read from transport {@code c}; the caller may reuse {@code data} once this returns. */
    public void received(int c, byte[] data, int offset, int length, long now) {
        received(c, data, offset, length, false, now);
    }

    /**
     * Bytes read from transport {@code c}; with {@code owned} the array is handed over for good
     * ({@link StompParser#addOwned}), so that a large body that came whole is not copied.
     */
    public void received(int c, byte[] data, int offset, int length, boolean owned, long now) {
        clock(now);
        if (c != conn || parser == null) {
            return;
        }
        if (state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTING) {
            session.received(millis(now));
        }
        StompException failed = null;
        try {
            try {
                if (owned) {
                    parser.addOwned(data, offset, length);
                } else {
                    parser.add(data, offset, length);
                }
            } catch (StompFrameException e) {
                // The frames completed before the bad byte are handled below all the same.
                failed = invalidData(e);
            }
            StompFrame frame;
            while (c == conn && parser != null && (frame = parser.get()) != null) {
                settings.metrics().frameReceived(frame.command(), frame.wireLength());
                onFrame(frame, now);
            }
        } catch (StompFrameException e) {
            failed = failed != null ? failed : invalidData(e);
        } catch (RuntimeException | Error e) {
            // Whatever went wrong while reading (OutOfMemoryError included) ends the connection
            // visibly, rather than leaving a client that looks connected and reads nothing.
            failed = new StompConnectionException("reading from " + broker + " failed: " + e, e);
        }
        // The frames that came behind a broker's ERROR in the same chunk, or before invalid bytes,
        // were handled like any other (a RECEIPT completes its frame, but for RabbitMQ's first one
        // behind an ERROR naming no frame; a MESSAGE is delivered: with ack auto the broker counts it
        // as delivered), not dropped with the connection. An ERROR is what ends it, invalid bytes
        // behind it suppressed in it.
        StompBrokerException error = brokerError;
        brokerError = null;
        unnamedRefusal = null;
        if (error != null) {
            if (failed != null) {
                error.addSuppressed(failed);
            }
            lose(error, now);
        } else if (failed != null) {
            lossOrFailedAttempt(failed, now);
        }
    }

    private StompConnectionException invalidData(StompFrameException e) {
        return new StompConnectionException("invalid data from " + broker + ": " + e.getMessage(), e);
    }

    /** Transport {@code c} ended (closed by the peer, reset, or failed). */
    public void closed(int c, Throwable cause, long now) {
        clock(now);
        if (c != conn) {
            return;
        }
        StompException e = cause instanceof StompConnectionException ? (StompConnectionException) cause
                : new StompConnectionException("connection to " + broker + " lost" + (cause == null ? "" : ": " + cause.getMessage()), cause);
        lossOrFailedAttempt(e, now);
    }

    private void lossOrFailedAttempt(StompException cause, long now) {
        if (handshaking()) {
            attemptFailed(cause, now);
        } else {
            lose(cause, now);
        }
    }

    /**
     * Reading is paused on purpose (the client holds as many messages as it may) or resumed: the
     * server-silence check waits while it is paused, and counts from the resume, since the beats
     * that piled up meanwhile are read only then.
     */
    public void readingPaused(boolean paused, long now) {
        clock(now);
        if (readingPaused && !paused && session.lastReceived() >= 0) {
            session.received(millis(now));
        }
        readingPaused = paused;
    }

    private void onFrame(StompFrame frame, long now) {
        if (log.debugEnabled()) {
            log.debug("<<< {}", frame.info());
        }
        if (handshaking()) {
            if (frame.command() == StompCommand.CONNECTED) {
                onConnected(frame, now);
            } else if (frame.command() == StompCommand.ERROR) {
                attemptFailed(new StompBrokerException(frame), now);
            } else {
                attemptFailed(new StompConnectionException("expected CONNECTED from " + broker + ", got " + frame.command()), now);
            }
            return;
        }
        switch (frame.command()) {
            case MESSAGE -> onMessage(frame);
            case RECEIPT -> {
                String id = frame.header(StompHeaders.RECEIPT_ID);
                Pending about = unnamedRefusal == null || id == null ? null : receipts.get(id);
                if (about != null && about.command() != StompCommand.SEND) {
                    // RabbitMQ's receipt step runs even for the request that failed: the first RECEIPT
                    // behind such an ERROR names the frame the ERROR was about, which did not succeed
                    // (a SEND's RECEIPT is its publisher confirm, which comes when it comes).
                    refused(id, unnamedRefusal);
                    unnamedRefusal = null;
                } else {
                    onReceipt(frame, now);
                }
            }
            case ERROR -> {
                StompBrokerException error = new StompBrokerException(frame);
                log.warn("{} sent ERROR: {}", broker, error.getMessage());
                String about = frame.header(StompHeaders.RECEIPT_ID);
                if (about != null) {
                    refused(about, error);
                } else if (brokerError == null && closedByRabbitMq(frame)) {
                    unnamedRefusal = error;
                }
                // RabbitMQ may send a second ERROR naming the cause ("Processing error" first,
                // when an earlier frame's failure had closed its channel): kept with the first.
                if (brokerError == null) {
                    brokerError = error;
                } else {
                    brokerError.addSuppressed(error);
                }
            }
            default -> log.warn("ignoring unexpected {} from {}", frame.command(), broker);
        }
    }

    /**
     * Whether {@code error} is RabbitMQ's for an AMQP error that closes the connection while it handles
     * a frame: its message is the error's name ({@code not_found}, {@code access_refused}), and the
     * RECEIPT of that frame follows it. Its other ERRORs ("Processing error", "Invalid destination")
     * name no such frame and leave the connection open on its side, so RECEIPTs behind them are real.
     */
    private boolean closedByRabbitMq(StompFrame error) {
        String message = error.header(StompHeaders.MESSAGE);
        return rabbitMq() && message != null && message.matches("[a-z]+(_[a-z]+)*");
    }

    /** Whether {@code cause} is an ERROR that says the broker itself failed (RabbitMQ's "Processing error"), not a frame of ours. */
    private boolean brokersOwnFailure(StompException cause) {
        return cause instanceof StompBrokerException b && rabbitMq() && "Processing error".equals(b.frame().header(StompHeaders.MESSAGE));
    }

    private boolean rabbitMq() {
        String server = session.server();
        return server != null && server.startsWith("RabbitMQ/");
    }

    /** The broker refused the frame that asked for {@code receipt}: never re-send it, nor replay the subscription it made. */
    private void refused(String receipt, StompBrokerException error) {
        session.refused(receipt);
        Pending p = receipts.remove(receipt);
        if (p != null) {
            fail(p.future(), error);
            roomFreed();
        }
    }

    private void onMessage(StompFrame frame) {
        if (state == ConnectionState.DISCONNECTING) {
            // Nobody takes it any more; not acked, so the broker redelivers it if it needed an ack.
            boolean lost;
            try {
                lost = session.message(frame).map(s -> ackMode(s) == AckMode.AUTO).orElse(false);
            } catch (StompProtocolException e) {
                lost = false; // no subscription of ours: not a message of the application's
            }
            unhanded(lost ? 1 : 0, lost ? 0 : 1);
            return;
        }
        Optional<SessionSubscription> sub;
        try {
            sub = session.message(frame);
        } catch (StompProtocolException e) {
            log.warn("dropping invalid MESSAGE: {}", e.getMessage());
            unknownSubscriptionMessages++;
            return;
        }
        if (sub.isEmpty()) {
            unknownSubscriptionMessages++;
            log.debug("dropping MESSAGE for unknown subscription: {}", frame.info());
            return;
        }
        SessionSubscription s = sub.get();
        Delivery d = new Delivery(frame, s, epoch, ackMode(s), ++sequence);
        effects.add(h -> h.deliver(d));
    }

    private static AckMode ackMode(SessionSubscription s) {
        return AckMode.of(s.headers().get(StompHeaders.ACK));
    }

    private void onReceipt(StompFrame frame, long now) {
        String id;
        try {
            id = session.receipt(frame);
        } catch (StompProtocolException e) {
            log.warn("ignoring RECEIPT: {}", e.getMessage());
            return;
        }
        Pending p = receipts.remove(id);
        if (p == null) {
            return;
        }
        settings.metrics().receiptReceived(Math.max(0, now - p.start()));
        complete(p.future());
        if (p.windowed()) {
            roomFreed();
        }
        if (id.equals(byeReceipt)) {
            finishDisconnect(null, now);
        }
    }

    // -- commands ----------------------------------------------------------------------------------

    /**
     * Builds a frame from the session and queues it. With {@code receipt}, the returned future
     * completes when that RECEIPT arrives (or fails on its timeout, the loss, an ERROR naming it);
     * without, it completes once the frame is written when {@code completeOnWrite}, else it is
     * {@code null}.
     *
     * @param settling whether this settles a message (ACK, NACK, or the forward of a failed one),
     *                 which is still allowed while a graceful disconnect waits for handlers
     * @throws StompConnectionException when not connected
     * @throws StompProtocolException   when the session or the encoder refuses the frame; nothing is registered then
     */
    public CompletableFuture<Void> execute(Command command, String receipt, boolean completeOnWrite, boolean settling, long now) {
        clock(now);
        requireLive(settling);
        StompFrame frame = command.build(session, receipt);
        CompletableFuture<Void> result = receipt != null || completeOnWrite ? new CompletableFuture<>() : null;
        try {
            enqueue(frame, receipt == null ? result : null, now);
        } catch (RuntimeException e) {
            String tracked = frame.header(StompHeaders.RECEIPT);
            if (tracked != null) {
                session.cancelReceipt(tracked);
            }
            throw e;
        }
        if (receipt != null) {
            receipts.add(new Pending(receipt, frame.command(), result, now, now + settings.receiptTimeout().toNanos(), -1));
        }
        return result;
    }

    private void requireLive(boolean settling) {
        if (state == ConnectionState.CONNECTED || settling && state == ConnectionState.DISCONNECTING && byeReceipt == null) {
            return;
        }
        throw notConnected();
    }

    /**
     * Refuses a plain SEND when the bytes waiting to be written reached {@code maxPendingWriteBytes}.
     *
     * @throws StompBackpressureException then; the client is told {@link EngineHandler#room()} once there is room
     */
    public void requireWriteRoom() {
        if (pendingWriteBytes >= settings.maxPendingWriteBytes()) {
            roomWanted = true;
            throw new StompBackpressureException("No room to send: " + pendingWriteBytes + " bytes wait to be written"
                    + " (maxPendingWriteBytes " + settings.maxPendingWriteBytes() + ")");
        }
    }

    /**
     * Whether a SEND would be taken now: bytes to write below {@code maxPendingWriteBytes} and,
     * with at-least-once publishing, a place in the window. When not, {@link EngineHandler#room()}
     * follows once there is.
     */
    public boolean roomForSend() {
        boolean room = pendingWriteBytes < settings.maxPendingWriteBytes()
                && (!settings.atLeastOnce() || receipts.windowCount() < settings.maxUnreceipted());
        if (!room) {
            roomWanted = true;
        }
        return room;
    }

    /**
     * At-least-once: a SEND with a receipt, kept until its RECEIPT and written again after a
     * reconnect. Written now when connected, queued for the next connection while reconnecting.
     *
     * @param start when the application made the call: the receipt timeout counts from then
     * @throws StompBackpressureException when the window (by count or bytes) or the write buffer is full
     */
    public CompletableFuture<Void> publish(StompFrame frame, long start, long now) {
        clock(now);
        String rid = frame.header(StompHeaders.RECEIPT);
        if (state != ConnectionState.CONNECTED && state != ConnectionState.RECONNECTING) {
            throw notConnected();
        }
        long bytes = frame.bodyLength();
        if (receipts.windowCount() >= settings.maxUnreceipted()) {
            roomWanted = true;
            throw new StompBackpressureException("No room to send '" + rid + "': " + settings.maxUnreceipted()
                    + " SENDs already await their RECEIPT (maxUnreceipted)");
        }
        if (receipts.windowCount() > 0 && receipts.windowBytes() + bytes > settings.maxUnreceiptedBytes()) {
            roomWanted = true;
            throw new StompBackpressureException("No room to send '" + rid + "': the SENDs awaiting their RECEIPT already hold "
                    + receipts.windowBytes() + " of " + settings.maxUnreceiptedBytes() + " bytes (maxUnreceiptedBytes)");
        }
        if (receipts.contains(rid) || session.isKept(rid)) {
            throw new StompProtocolException("Receipt already pending: " + rid);
        }
        if (state == ConnectionState.CONNECTED) {
            requireWriteRoom();
            StompFrame f = session.send(frame);
            try {
                enqueue(f, null, now);
            } catch (RuntimeException e) {
                session.cancelReceipt(rid);
                throw e;
            }
        } else {
            encoder().encodedLength(frame); // refuse now what could never be written
            session.queue(frame);
            log.debug("queued {} until the connection is back", rid);
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        receipts.add(new Pending(rid, StompCommand.SEND, result, start, start + settings.receiptTimeout().toNanos(), bytes));
        return result;
    }

    private StompEncoder encoder() {
        return encoder != null ? encoder : StompEncoder.of(session.version());
    }

    /** Fails with "transaction lost" unless {@code txEpoch} is the live connection's. */
    public void requireEpoch(String transaction, long txEpoch) {
        if (txEpoch != epoch) {
            throw new StompConnectionException("transaction " + transaction + " was lost with the connection it began on");
        }
    }

    // -- acknowledging -----------------------------------------------------------------------------

    /**
     * The client dropped these messages without handing them to the application: a disconnect the
     * application asked for came first. Under ack {@code auto} they are lost, since the broker counted
     * them delivered; the others are not acked, and the broker redelivers them. Counted in the metrics
     * at once; said in the log when the disconnect under way is done, or at once when none is.
     */
    public void unhanded(Iterable<Delivery> dropped) {
        long lost = 0;
        long returned = 0;
        for (Delivery d : dropped) {
            if (d.needsAck()) {
                returned++;
            } else {
                lost++;
            }
        }
        unhanded(lost, returned);
    }

    private void unhanded(long lost, long returned) {
        if (lost > 0) {
            settings.metrics().messagesUnhanded((int) lost, true);
        }
        if (returned > 0) {
            settings.metrics().messagesUnhanded((int) returned, false);
        }
        if (state == ConnectionState.DISCONNECTING) {
            unhandedLost += lost;
            unhandedReturned += returned;
        } else {
            sayUnhanded(lost, returned);
        }
    }

    private void sayUnhanded(long lost, long returned) {
        if (lost > 0) {
            log.warn("{} message(s) under ack auto were read and never handed to the application before the disconnect: the broker "
                    + "counted them delivered, so they are lost (with ack client-individual the broker redelivers such messages)", lost);
        }
        if (returned > 0) {
            log.info("{} message(s) were read and never handed to the application before the disconnect: not acked, so the broker "
                    + "redelivers them", returned);
        }
    }

    /** Records that the application now holds {@code d} (for acks by frame and the reconnect report). */
    public void handedOut(Delivery d) {
        if (d.needsAck()) {
            (d.epoch() == epoch ? awaitingAck : stale).add(d);
        }
    }

    /** The delivery of a frame handed out, and whether it can still be acked. */
    public enum AckCheck { OK, EARLIER_CONNECTION, NOT_AWAITING }

    /** Whether {@code message} (handed out with {@link #handedOut}) can be acked now. */
    public AckCheck ackCheck(StompFrame message) {
        if (awaitingAck.contains(message)) {
            return AckCheck.OK;
        }
        return stale.contains(message) ? AckCheck.EARLIER_CONNECTION : AckCheck.NOT_AWAITING;
    }

    /**
     * ACKs or NACKs a delivery of the live connection; one of an earlier connection is never acked
     * (the broker redelivers it).
     *
     * @return the receipt future ({@code null} without receipt), or {@code null} when {@code d}
     *         came on an earlier connection and nothing was written
     */
    public CompletableFuture<Void> settle(Delivery d, boolean nack, String transaction, String receipt, long now) {
        if (d.epoch() != epoch || !d.needsAck()) {
            return null;
        }
        StompFrame target = transaction == null ? d.frame() : d.frame().withHeader(StompHeaders.TRANSACTION, transaction);
        CompletableFuture<Void> r = execute((s, rid) -> nack ? s.nack(target, rid) : s.ack(target, rid), receipt, false, true, now);
        if (nack) {
            settings.metrics().messageNacked();
        } else {
            settings.metrics().messageAcked();
        }
        awaitingAck.settle(d); // under ack client, with the earlier messages of its subscription
        return r;
    }

    /** The delivery handed out for {@code message}, or {@code null}. */
    public Delivery delivery(StompFrame message) {
        return awaitingAck.get(message);
    }

    // -- writing -----------------------------------------------------------------------------------

    private void enqueue(StompFrame frame, CompletableFuture<Void> written, long now) {
        StompEncoder e = encoder();
        int length = e.encodedLength(frame); // validates: a frame the encoder refuses fails here, at once
        if (pendingWriteBytes == 0) {
            progressAt = now;
        }
        pendingWriteBytes += length;
        outbound.add(new Outbound(conn, frame, e, length, written));
    }

    public boolean hasWrites() {
        return !outbound.isEmpty();
    }

    /** The next thing to write, in order, or {@code null}. */
    public Outbound nextWrite() {
        return outbound.poll();
    }

    /** {@code o} was written (and flushed). */
    public void written(Outbound o, long now) {
        clock(now);
        if (o.frame() != null) {
            // Counted even when the connection has ended since: a DISCONNECT's RECEIPT can be read
            // before the writer reports the DISCONNECT written.
            settings.metrics().frameSent(o.frame().command(), o.length());
        }
        if (o.conn() != conn || parser == null) {
            complete(o.written);
            return;
        }
        pendingWriteBytes = Math.max(0, pendingWriteBytes - o.length());
        progressAt = now;
        session.sent(millis(now));
        complete(o.written);
        if (roomWanted && pendingWriteBytes < settings.maxPendingWriteBytes()) {
            roomFreed();
        }
    }

    /** Writing {@code o} failed: the connection is lost. */
    public void writeFailed(Outbound o, Throwable cause, long now) {
        clock(now);
        if (o.conn() != conn) {
            // Written to a connection that is gone: it failed with that connection, for its reason.
            fail(o.written, failure != null ? failure : new StompConnectionException("connection to " + broker + " closed", cause));
            return;
        }
        StompConnectionException e = new StompConnectionException("write to " + broker + " failed: " + cause, cause);
        fail(o.written, e);
        lossOrFailedAttempt(e, now);
    }

    private void roomFreed() {
        if (roomWanted && receipts.windowCount() < settings.maxUnreceipted() && pendingWriteBytes < settings.maxPendingWriteBytes()) {
            roomWanted = false;
            effects.add(EngineHandler::room);
        }
    }

    // -- time --------------------------------------------------------------------------------------

    /** Heart-beats, server silence, write stalls, receipt timeouts, connect attempts and deadlines. */
    public void tick(long now) {
        clock(now);
        for (Pending p : receipts.expired(now)) {
            session.cancelReceipt(p.id());
            if (p.id().equals(byeReceipt)) {
                fail(disconnecting, new StompReceiptTimeoutException(p.id(), disconnectTimeout));
                disconnecting = null;
                log.warn("no receipt for DISCONNECT from {} within {} ms; closing anyway", broker, disconnectTimeout.toMillis());
                finishDisconnect(null, now);
                continue;
            }
            settings.metrics().receiptTimedOut();
            if (p.command() == StompCommand.SUBSCRIBE) {
                abandonSubscription(p.id(), now);
            }
            fail(p.future(), new StompReceiptTimeoutException(p.id(), settings.receiptTimeout()));
        }
        roomFreed();
        if (attemptAt != NONE && now >= attemptAt) {
            startAttempt(now);
        }
        if (connectedDeadline != NONE && now >= connectedDeadline && handshaking()) {
            attemptFailed(new StompConnectionException("no CONNECTED from " + broker + " within "
                    + settings.connectedTimeout().toMillis() + " ms"), now);
        }
        if (state == ConnectionState.DISCONNECTING && byeReceipt == null && now >= disconnectDeadline) {
            log.warn("handlers did not finish within the disconnect timeout of {} ms; disconnecting anyway",
                    disconnectTimeout.toMillis());
            sendDisconnect(now);
        }
        if (parser != null && (state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTING)) {
            watch(now);
        }
    }

    private void watch(long now) {
        long ms = millis(now);
        if (pendingWriteBytes > 0 && now - progressAt > settings.writeTimeout().toNanos()) {
            lose(new StompConnectionException("write to " + broker + " blocked for more than "
                    + settings.writeTimeout().toMillis() + " ms (" + pendingWriteBytes + " bytes waiting)"), now);
            return;
        }
        if (!readingPaused && session.serverOverdue(ms)) {
            settings.metrics().heartBeatMissed();
            long period = session.serverHeartBeat();
            lose(new StompConnectionException("server silent for " + (ms - session.lastReceived()) + " ms (heart-beat every "
                    + period + " ms, tolerated " + StompSession.toleratedSilence(period, session.graceFactor()) + " ms: "
                    + session.graceFactor() + " × the period + " + StompSession.errorMargin(period) + " ms)"), now);
            return;
        }
        if (outbound.isEmpty() && pendingWriteBytes == 0 && session.beatDue(ms)) {
            progressAt = now;
            pendingWriteBytes = 1;
            outbound.add(new Outbound(conn, null, encoder, 1, null));
        }
    }

    private void clock(long now) {
        if (!clockStarted) {
            clockStarted = true;
            originNanos = now - 1_000_000_000L; // the session's millis stay positive from the first call on
        }
    }

    private long millis(long now) {
        return (now - originNanos) / 1_000_000;
    }

    // -- losing ------------------------------------------------------------------------------------

    private void lose(StompException cause, long now) {
        if (state != ConnectionState.CONNECTED && state != ConnectionState.DISCONNECTING) {
            return;
        }
        boolean brokersOwn = brokersOwnFailure(cause); // before the session forgets which broker it was
        boolean recover = state == ConnectionState.CONNECTED && settings.autoReconnect();
        log.warn("connection to {} lost: {}", broker, cause.getMessage());
        settings.metrics().connectionClosed();
        dropTransport();
        session.close(false);
        if (!recover) {
            session.dropUnreceipted();
        }
        failure = cause instanceof StompConnectionException ? cause
                : new StompConnectionException("connection to " + broker + " lost: " + cause.getMessage(), cause);
        List<String> failed = receiptsAtLoss(cause, brokersOwn, recover);
        List<StompFrame> unacked = awaitingAck.frames();
        stale = awaitingAck;
        awaitingAck = new AwaitingAcks();
        long lostEpoch = epoch;
        effects.add(h -> h.connectionLost(lostEpoch, cause));
        if (!recover) {
            boolean byApplication = state == ConnectionState.DISCONNECTING;
            state = ConnectionState.DISCONNECTED;
            failReceipts(failure);
            if (byApplication) {
                finishDisconnect(cause, now);
            } else {
                effects.add(h -> h.ended(cause));
            }
            return;
        }
        state = ConnectionState.RECONNECTING;
        lost = new Lost(cause, failed, unacked);
        lastAttemptFailure = null;
        attemptFailures.clear();
        connectDeadline = NONE;
        if (cause instanceof StompBrokerException && cycleOnTrial != null && now - connectedAt < SETTLED.toNanos()) {
            log.warn("{} ended the connection with an ERROR {} ms after it was made: backing off as after a failed attempt",
                    broker, (now - connectedAt) / 1_000_000);
            attempts = cycleOnTrial;
        } else {
            attempts = reconnectSchedule.iterator();
        }
        cycleOnTrial = null;
        scheduleAttempt(now);
    }

    /**
     * What becomes of the awaited receipts when the connection is lost; returns the ids of those that
     * failed. At-least-once SENDs the session keeps are re-sent after the reconnect, not failed; a
     * SUBSCRIBE waiting for its RECEIPT is replayed and asks for it again; an UNSUBSCRIBE completes.
     */
    private List<String> receiptsAtLoss(StompException cause, boolean brokersOwn, boolean recover) {
        // The others fail, with the broker's ERROR when that ended the connection, the frame included.
        StompException receiptFailure = cause instanceof StompBrokerException ? cause
                : new StompConnectionException("connection lost before the RECEIPT: " + cause.getMessage(), cause);
        Set<String> resubscribing = recover ? awaitedSubscribeReceipts() : new HashSet<>();
        if (cause instanceof StompBrokerException && !brokersOwn) {
            // An ERROR that names no frame may be about a SUBSCRIBE waiting for its RECEIPT (Artemis's
            // bad selector) or not: the SUBSCRIBE is tried once more, and if that connection too ends
            // with an ERROR before its RECEIPT, it is taken as refused, fails with that ERROR, and is not
            // made again. RabbitMQ's "Processing error" (its own crash, as while a queue's process
            // restarts) refuses nothing and spends no try: such a SUBSCRIBE waits for its receipt timeout.
            for (Iterator<String> it = resubscribing.iterator(); it.hasNext(); ) {
                String id = it.next();
                if (!retriedAfterError.add(id)) {
                    it.remove();
                    session.refused(id);
                }
            }
        }
        retriedAfterError.retainAll(resubscribing);
        List<Pending> cut = receipts.removeIf(p -> !session.isKept(p.id()) && !resubscribing.contains(p.id()));
        if (recover) {
            // An UNSUBSCRIBE the loss cut off did what it was for: its subscription went with the
            // connection and is not made again on the next one.
            for (Iterator<Pending> it = cut.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.command() == StompCommand.UNSUBSCRIBE) {
                    it.remove();
                    complete(p.future());
                }
            }
        }
        return ids(cut, receiptFailure);
    }

    /**
     * A SUBSCRIBE whose RECEIPT never came failed, so nothing of it stays behind: it is not replayed
     * after a reconnect (a broker that refuses it without naming it, as RabbitMQ does, would otherwise
     * be reconnected to for ever), and it is unsubscribed now if connected, in case the broker took it
     * after all.
     */
    private void abandonSubscription(String receipt, long now) {
        session.subscribedWith(receipt).ifPresent(s -> {
            if (state == ConnectionState.CONNECTED) {
                enqueue(session.unsubscribe(s.token(), null), null, now);
            } else {
                session.refused(receipt);
            }
            log.warn("no RECEIPT for the SUBSCRIBE to {} within {} ms: given up, not subscribed", s.destination(),
                    settings.receiptTimeout().toMillis());
        });
    }

    /** The receipts the SUBSCRIBEs of the active subscriptions asked for and still wait for. */
    private Set<String> awaitedSubscribeReceipts() {
        Set<String> ids = new HashSet<>();
        for (SessionSubscription s : session.subscriptions()) {
            if (s.receipt() != null && receipts.contains(s.receipt())) {
                ids.add(s.receipt());
            }
        }
        return ids;
    }

    private List<String> ids(List<Pending> taken, StompException cause) {
        List<String> ids = new ArrayList<>(taken.size());
        for (Pending p : taken) {
            fail(p.future(), cause);
            ids.add(p.id());
        }
        if (!taken.isEmpty()) {
            roomFreed();
        }
        return ids;
    }

    private void failReceipts(StompException cause) {
        ids(receipts.removeIf(p -> true), cause);
    }

    // -- disconnecting and closing -----------------------------------------------------------------

    /**
     * Starts a graceful disconnect. Connected: the state becomes DISCONNECTING and the future
     * completes once the DISCONNECT's RECEIPT arrived (fails with a receipt timeout when
     * {@code disconnectTimeout}, counted from now, passes first). The client calls
     * {@link #sendDisconnect} when it has nothing left to settle, at once if it has nothing to wait
     * for; the engine sends it anyway when the deadline passes. Connecting or reconnecting: gives
     * up at once, failing what waits. Otherwise: a completed future.
     */
    public CompletableFuture<Void> disconnect(long now) {
        return disconnect(now, settings.disconnectTimeout());
    }

    /** {@link #disconnect(long)} bounded by {@code timeout} instead of the configured disconnect timeout. */
    public CompletableFuture<Void> disconnect(long now, Duration timeout) {
        clock(now);
        switch (state) {
            case CONNECTED -> {
                state = ConnectionState.DISCONNECTING;
                disconnecting = new CompletableFuture<>();
                disconnectTimeout = timeout;
                disconnectDeadline = now + timeout.toNanos();
                return disconnecting;
            }
            case DISCONNECTING -> {
                return disconnecting;
            }
            case CONNECTING, RECONNECTING -> {
                // The walk sees nothing of this until its next step: what waits for it (kept
                // at-least-once SENDs among it) fails now, not after the back-off.
                StompConnectionException e = new StompConnectionException(state == ConnectionState.CONNECTING
                        ? "connecting abandoned: client disconnected" : "disconnected while reconnecting");
                boolean reconnecting = state == ConnectionState.RECONNECTING;
                state = ConnectionState.DISCONNECTED;
                giveUpQuietly(e);
                if (reconnecting) {
                    effects.add(h -> h.ended(null));
                }
                return CompletableFuture.completedFuture(null);
            }
            default -> {
                return CompletableFuture.completedFuture(null);
            }
        }
    }

    private void giveUpQuietly(StompException cause) {
        attemptAt = NONE;
        nextAttempt = null;
        attempts = null;
        lost = null;
        dropTransport();
        session.close(false);
        session.dropUnreceipted();
        failReceipts(cause);
        if (connecting != null) {
            fail(connecting, cause);
            connecting = null;
        }
    }

    /** Writes DISCONNECT with a receipt (once; only while disconnecting). */
    public void sendDisconnect(long now) {
        clock(now);
        if (state != ConnectionState.DISCONNECTING || byeReceipt != null) {
            return;
        }
        String rid = newReceiptId("bye");
        byeReceipt = rid;
        StompFrame bye = session.disconnect(rid);
        enqueue(bye, null, now);
        long deadline = Math.max(now + 1, disconnectDeadline);
        disconnectDeadline = NONE; // the RECEIPT's deadline from here on
        receipts.add(new Pending(rid, StompCommand.DISCONNECT, new CompletableFuture<>(), now, deadline, -1));
    }

    private void finishDisconnect(Throwable cause, long now) {
        CompletableFuture<Void> done = disconnecting;
        disconnecting = null;
        byeReceipt = null;
        disconnectDeadline = NONE;
        if (conn != 0) {
            settings.metrics().connectionClosed();
        }
        dropTransport();
        session.close(true);
        state = ConnectionState.DISCONNECTED;
        awaitingAck = new AwaitingAcks();
        stale = new AwaitingAcks();
        failReceipts(new StompConnectionException("disconnected"));
        sayUnhanded(unhandedLost, unhandedReturned);
        unhandedLost = 0;
        unhandedReturned = 0;
        log.info("disconnected from {}{}", broker, cause == null ? "" : " after: " + cause.getMessage());
        // Ended first: whoever waits for the disconnect finds the connection's end already told.
        effects.add(h -> h.ended(null));
        complete(done);
    }

    /** Closes at once: the transport, every wait (failed with "client closed"), for good. */
    public void close(long now) {
        clock(now);
        if (state == ConnectionState.CLOSED) {
            return;
        }
        boolean live = state == ConnectionState.CONNECTED || state == ConnectionState.DISCONNECTING;
        boolean ended = state == ConnectionState.NEW || state == ConnectionState.DISCONNECTED;
        if (live) {
            settings.metrics().connectionClosed();
        }
        state = ConnectionState.CLOSED;
        sayUnhanded(unhandedLost, unhandedReturned); // a disconnect under way held these to say at its end, which this is
        unhandedLost = 0;
        unhandedReturned = 0;
        StompConnectionException e = new StompConnectionException("client closed");
        giveUpQuietly(e);
        CompletableFuture<Void> done = disconnecting;
        disconnecting = null;
        complete(done);
        if (!ended) {
            effects.add(h -> h.ended(null));
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void complete(CompletableFuture<Void> f) {
        if (f != null) {
            effects.add(h -> h.complete(f));
        }
    }

    private void fail(CompletableFuture<?> f, Throwable cause) {
        if (f != null) {
            effects.add(h -> h.fail(f, cause));
        }
    }

    @Override
    public String toString() {
        return "ConnectionEngine[" + state.name().toLowerCase() + ", " + broker + ", epoch " + epoch + ", " + receipts.size()
                + " receipt(s), " + pendingWriteBytes + " bytes to write]";
    }
}
