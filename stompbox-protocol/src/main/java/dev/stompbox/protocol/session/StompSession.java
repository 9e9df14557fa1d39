// Over 600 lines on purpose: the whole session state machine (stompest's StompSession): every
// command's preconditions and the bookkeeping they share; each method is small and stands alone.
package dev.stompbox.protocol.session;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompProtocolException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.commands.Commands;
import dev.stompbox.protocol.commands.ConnectOptions;
import dev.stompbox.protocol.commands.ConnectedInfo;
import dev.stompbox.protocol.commands.Subscribe;
import dev.stompbox.protocol.commands.SubscriptionToken;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one STOMP session, independent of any transport (stompest's {@code StompSession}):
 * version and heart-beat negotiation, subscriptions with replay after a reconnect, transactions,
 * receipts and heart-beat bookkeeping. It builds the frames to send and reads the frames received;
 * moving bytes is the caller's job, and so is the clock: every time-related method takes
 * {@code now} in milliseconds from a clock of the caller's choosing (a monotonic one is best).
 *
 * <p>With {@code check} on (the default) commands are accepted only in the proper state and an
 * unexpected RECEIPT is an error; with it off, anything goes.
 *
 * <p>Not thread-safe: a client drives it from one thread, or under its own lock.
 *
 * <pre>{@code
 * StompSession session = new StompSession(StompVersion.V1_2);
 * write(session.connect(ConnectOptions.builder().host("/").heartBeat(new HeartBeat(10_000, 10_000)).build()));
 * session.connected(readFrame());                     // negotiates version and heart-beats
 * parser.version(session.version());
 * SubscriptionToken token = session.subscribe("/queue/a", Map.of("ack", "client-individual"), null, handler).token();
 * ...
 * StompFrame frame = readFrame();
 * session.message(frame).ifPresent(s -> ((Handler) s.context()).handle(frame));
 * ...
 * if (session.beatDue(clock.millis())) { write(session.beat()); session.sent(clock.millis()); }
 * if (session.serverOverdue(clock.millis())) { reconnect(); }
 * ...
 * session.close(false);                                // connection lost: keep subscriptions
 * reconnect(); session.connect(...); session.connected(...);
 * for (SessionSubscription s : session.replay()) {
 *     write(session.subscribe(s.destination(), s.headers(), s.receipt(), s.context()).frame());
 * }
 * }</pre>
 */
public final class StompSession {
    /**
     * Default tolerance for server heart-beats: overdue after twice the negotiated period plus the
     * {@linkplain #errorMargin(long) error margin}. Twice, because a live broker may skip a beat:
     * ActiveMQ Classic beats only when its check finds nothing written since the last one, and its
     * gaps reach twice the period (1,983 ms at 1 s, 19,980 ms at 10 s, measured; RELIABILITY.md).
     */
    public static final double DEFAULT_GRACE_FACTOR = 2.0;

    /** The smallest error margin on top of grace × period, in ms (see {@link #errorMargin(long)}). */
    public static final long MIN_ERROR_MARGIN_MILLIS = 500;

    private static final Set<SessionState> RECEIVING = EnumSet.of(SessionState.CONNECTED, SessionState.DISCONNECTING);

    private final StompVersion maxVersion;
    private final boolean check;
    private double graceFactor = DEFAULT_GRACE_FACTOR;

    private SessionState state = SessionState.DISCONNECTED;
    private StompVersion version;
    private List<StompVersion> offered;
    private HeartBeat offeredHeartBeat = HeartBeat.NONE;
    private String id;
    private String server;
    private long clientHeartBeat;
    private long serverHeartBeat;
    private long lastSent = -1;
    private long lastReceived = -1;

    private final Map<SubscriptionToken, SessionSubscription> subscriptions = new LinkedHashMap<>();
    private final Set<String> transactions = new LinkedHashSet<>();
    private final Set<String> receipts = new LinkedHashSet<>();
    private final Map<String, StompFrame> unreceipted = new LinkedHashMap<>();
    private boolean atLeastOnce;
    private long nextSubscriptionId;
    private long nextTransactionId;

    /** A session for up to STOMP 1.2, checking states. */
    public StompSession() {
        this(StompVersion.latest());
    }

    /** A session for up to {@code version}, checking states. */
    public StompSession(StompVersion version) {
        this(version, true);
    }

    /**
     * @param version the highest version to offer, and the version reported while not connected
     * @param check   whether commands are accepted only in the proper state
     */
    public StompSession(StompVersion version, boolean check) {
        this.maxVersion = Objects.requireNonNull(version, "version");
        this.version = version;
        this.check = check;
    }

    // -- state ------------------------------------------------------------------------------------

    public SessionState state() {
        return state;
    }

    /** The negotiated version while connected; otherwise the version the session was created with. */
    public StompVersion version() {
        return version;
    }

    public boolean check() {
        return check;
    }

    /** The session id the server gave in CONNECTED, or {@code null}. */
    public String id() {
        return id;
    }

    /** The server name from CONNECTED, or {@code null}. */
    public String server() {
        return server;
    }

    /**
     * Sets how many negotiated server periods may pass without data, before the error margin,
     * before the server counts as overdue (default {@value #DEFAULT_GRACE_FACTOR}).
     */
    public StompSession graceFactor(double factor) {
        if (!(factor >= 1.0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("grace factor must be finite and at least 1: " + factor);
        }
        this.graceFactor = factor;
        return this;
    }

    public double graceFactor() {
        return graceFactor;
    }

    // -- connection -------------------------------------------------------------------------------

    /** A CONNECT frame; the state becomes CONNECTING. Versions default to all up to the session's. */
    public StompFrame connect(ConnectOptions options) {
        return open(StompCommand.CONNECT, options);
    }

    /** A CONNECT frame with default options. */
    public StompFrame connect() {
        return connect(ConnectOptions.defaults());
    }

    /** A STOMP frame (1.1 and later); the state becomes CONNECTING. */
    public StompFrame stomp(ConnectOptions options) {
        return open(StompCommand.STOMP, options);
    }

    private StompFrame open(StompCommand command, ConnectOptions options) {
        require(command, SessionState.DISCONNECTED);
        ConnectOptions effective = options.versions() == null
                ? options.toBuilder().versions(StompVersion.versions(maxVersion)).build()
                : options;
        StompFrame frame = command == StompCommand.CONNECT ? Commands.connect(effective) : Commands.stomp(effective);
        offered = effective.versions();
        offeredHeartBeat = effective.heartBeat() == null ? HeartBeat.NONE : effective.heartBeat();
        state = SessionState.CONNECTING;
        return frame;
    }

    /**
     * Handles CONNECTED: negotiates the version (none named means 1.0) and heart-beats, records the
     * session id and server; the state becomes CONNECTED.
     */
    public ConnectedInfo connected(StompFrame frame) {
        require(StompCommand.CONNECTED, SessionState.CONNECTING);
        List<StompVersion> versions = offered != null ? offered : StompVersion.versions(maxVersion);
        ConnectedInfo info = Commands.connected(frame, versions);
        version = info.version();
        id = info.session();
        server = info.server();
        if (version.hasHeartBeats()) {
            clientHeartBeat = HeartBeat.negotiate(offeredHeartBeat.send(), info.heartBeat().receive());
            serverHeartBeat = HeartBeat.negotiate(info.heartBeat().send(), offeredHeartBeat.receive());
        } else {
            clientHeartBeat = 0;
            serverHeartBeat = 0;
        }
        state = SessionState.CONNECTED;
        return info;
    }

    /** A DISCONNECT frame (with receipt when not {@code null}); the state becomes DISCONNECTING. */
    public StompFrame disconnect(String receipt) {
        require(StompCommand.DISCONNECT, SessionState.CONNECTED);
        StompFrame frame = Commands.disconnect(receipt);
        track(receipt);
        state = SessionState.DISCONNECTING;
        return frame;
    }

    public StompFrame disconnect() {
        return disconnect(null);
    }

    /** {@link #close(boolean) close(true)}: forget the subscriptions too. */
    public void close() {
        close(true);
    }

    /**
     * Ends the session: state DISCONNECTED, version back to the session's own, and everything tied to
     * the connection forgotten (session id, heart-beats, transactions, receipts).
     *
     * @param flush whether to forget the subscriptions and the SENDs kept by at-least-once
     *              publishing as well; keep them ({@code false}) to {@link #replay()} and
     *              {@link #resend()} them after reconnecting
     */
    public void close(boolean flush) {
        state = SessionState.DISCONNECTED;
        version = maxVersion;
        offered = null;
        offeredHeartBeat = HeartBeat.NONE;
        id = null;
        server = null;
        clientHeartBeat = 0;
        serverHeartBeat = 0;
        lastSent = -1;
        lastReceived = -1;
        transactions.clear();
        receipts.clear();
        if (flush) {
            subscriptions.clear();
            unreceipted.clear();
        }
    }

    // -- messages ---------------------------------------------------------------------------------

    /** A SEND frame with a copy of {@code body}. */
    public StompFrame send(String destination, byte[] body, Map<String, String> headers, String receipt) {
        require(StompCommand.SEND, SessionState.CONNECTED);
        StompFrame frame = Commands.send(destination, body, headers, receipt);
        track(receipt);
        keep(frame);
        return frame;
    }

    /**
     * Accepts a SEND frame built by the caller (for instance with a body adopted without copying) and
     * tracks the receipt it asks for.
     */
    public StompFrame send(StompFrame frame) {
        require(StompCommand.SEND, SessionState.CONNECTED);
        if (frame.command() != StompCommand.SEND || frame.header(StompHeaders.DESTINATION) == null) {
            throw new StompProtocolException("Expected a SEND frame with a destination, got [" + frame.info() + "]");
        }
        track(frame.header(StompHeaders.RECEIPT));
        keep(frame);
        return frame;
    }

    /**
     * A SUBSCRIBE frame and its token; the subscription is remembered with {@code context} until
     * unsubscribed. In 1.1 and later an {@code id} is generated when {@code headers} hold none.
     */
    public Subscribe subscribe(String destination, Map<String, String> headers, String receipt, Object context) {
        require(StompCommand.SUBSCRIBE, SessionState.CONNECTED);
        Map<String, String> all = new LinkedHashMap<>();
        if (headers != null) {
            all.putAll(headers);
        }
        if (!all.containsKey(StompHeaders.ID) && version != StompVersion.V1_0) {
            all.put(StompHeaders.ID, generateSubscriptionId());
        }
        Subscribe result = Commands.subscribe(destination, all, receipt, version);
        if (subscriptions.containsKey(result.token())) {
            throw new StompProtocolException("Already subscribed: " + result.token());
        }
        track(receipt);
        subscriptions.put(result.token(), new SessionSubscription(result.token(), destination, all, receipt, context));
        return result;
    }

    private String generateSubscriptionId() {
        String candidate;
        do {
            candidate = Long.toString(nextSubscriptionId++);
        } while (subscriptions.containsKey(SubscriptionToken.ofId(candidate)));
        return candidate;
    }

    /** An UNSUBSCRIBE frame; the subscription is forgotten. */
    public StompFrame unsubscribe(SubscriptionToken token, String receipt) {
        require(StompCommand.UNSUBSCRIBE, SessionState.CONNECTED);
        if (!subscriptions.containsKey(token)) {
            throw new StompProtocolException("Unknown subscription: " + token);
        }
        StompFrame frame = Commands.unsubscribe(token, receipt, version);
        track(receipt);
        subscriptions.remove(token);
        return frame;
    }

    /**
     * Matches a MESSAGE to its subscription. Empty when the subscription is not (or no longer)
     * active, which is normal right after UNSUBSCRIBE or a replay: drop and count such a message,
     * do not end the session over it.
     *
     * @throws StompProtocolException if the frame is not a valid MESSAGE for the version
     */
    public Optional<SessionSubscription> message(StompFrame frame) {
        require(StompCommand.MESSAGE, RECEIVING);
        SubscriptionToken token = Commands.message(frame, version);
        SessionSubscription match = subscriptions.get(token);
        if (match == null && version == StompVersion.V1_0 && !token.header().equals(StompHeaders.ID)) {
            // 1.0 brokers "should" echo the id as subscription, not must: match by destination.
            for (SessionSubscription s : subscriptions.values()) {
                if (s.destination().equals(token.value())) {
                    return Optional.of(s);
                }
            }
        }
        return Optional.ofNullable(match);
    }

    /** The active subscription of {@code token}, if any. */
    public Optional<SessionSubscription> subscription(SubscriptionToken token) {
        return Optional.ofNullable(subscriptions.get(token));
    }

    /** The active subscriptions, in the order they were made. */
    public List<SessionSubscription> subscriptions() {
        return List.copyOf(subscriptions.values());
    }

    /**
     * Forgets the active subscriptions and returns them, in order, for subscribing again after a
     * reconnect with the same destination, headers (so the same id and token), receipt and context.
     */
    public List<SessionSubscription> replay() {
        List<SessionSubscription> list = new ArrayList<>(subscriptions.values());
        subscriptions.clear();
        return list;
    }

    /** An ACK for a MESSAGE, with the headers the negotiated version needs. */
    public StompFrame ack(StompFrame message, String receipt) {
        require(StompCommand.ACK, SessionState.CONNECTED);
        StompFrame frame = Commands.ack(message, version, transactions, receipt);
        track(receipt);
        return frame;
    }

    /** A NACK for a MESSAGE (1.1 and later). */
    public StompFrame nack(StompFrame message, String receipt) {
        require(StompCommand.NACK, SessionState.CONNECTED);
        StompFrame frame = Commands.nack(message, version, transactions, receipt);
        track(receipt);
        return frame;
    }

    // -- transactions -----------------------------------------------------------------------------

    /** {@code transaction} itself, or a new id unique within this session when it is {@code null}. */
    public String transaction(String transaction) {
        return transaction != null ? transaction : "tx-" + nextTransactionId++;
    }

    /** A BEGIN frame; {@code transaction} {@code null} generates an id (read it from the frame). */
    public StompFrame begin(String transaction, String receipt) {
        require(StompCommand.BEGIN, SessionState.CONNECTED);
        String tx = transaction(transaction);
        if (transactions.contains(tx)) {
            throw new StompProtocolException("Transaction already active: " + tx);
        }
        StompFrame frame = Commands.begin(tx, receipt);
        track(receipt);
        transactions.add(tx);
        return frame;
    }

    /** A COMMIT frame for an active transaction. */
    public StompFrame commit(String transaction, String receipt) {
        return finish(StompCommand.COMMIT, transaction, receipt);
    }

    /** An ABORT frame for an active transaction. */
    public StompFrame abort(String transaction, String receipt) {
        return finish(StompCommand.ABORT, transaction, receipt);
    }

    private StompFrame finish(StompCommand command, String transaction, String receipt) {
        require(command, SessionState.CONNECTED);
        if (!transactions.contains(transaction)) {
            throw new StompProtocolException("Transaction unknown: " + transaction + " (cannot " + command + ")");
        }
        StompFrame frame = command == StompCommand.COMMIT ? Commands.commit(transaction, receipt) : Commands.abort(transaction, receipt);
        track(receipt);
        transactions.remove(transaction);
        return frame;
    }

    /** The active transactions. */
    public Set<String> transactions() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(transactions));
    }

    // -- receipts ---------------------------------------------------------------------------------

    /**
     * Handles a RECEIPT and returns its id. With {@code check} on, a receipt nobody asked for is an
     * error.
     */
    public String receipt(StompFrame frame) {
        require(StompCommand.RECEIPT, RECEIVING);
        String receipt = Commands.receipt(frame);
        unreceipted.remove(receipt);
        if (!receipts.remove(receipt) && check) {
            throw new StompProtocolException("Unexpected receipt: " + receipt);
        }
        return receipt;
    }

    /**
     * Stops tracking a receipt the caller gave up on (it timed out), so that a broker that never
     * answers cannot make the set grow; a late RECEIPT for it is then unexpected.
     *
     * @return whether it was pending
     */
    public boolean cancelReceipt(String receipt) {
        boolean kept = unreceipted.remove(receipt) != null;
        return receipts.remove(receipt) || kept;
    }

    /**
     * The broker refused the frame that asked for {@code receipt} (its ERROR named that receipt):
     * the receipt is no longer tracked, a SEND kept for re-sending is dropped, and a subscription
     * that SUBSCRIBE made is forgotten, so that it is not {@linkplain #replay() replayed} into the
     * same refusal after a reconnect.
     *
     * @return the subscription forgotten, if the refused frame was a SUBSCRIBE
     */
    public Optional<SessionSubscription> refused(String receipt) {
        cancelReceipt(receipt);
        Optional<SessionSubscription> made = subscribedWith(receipt);
        made.ifPresent(s -> subscriptions.remove(s.token()));
        return made;
    }

    /** The active subscription whose SUBSCRIBE asked for {@code receipt}, if any. */
    public Optional<SessionSubscription> subscribedWith(String receipt) {
        for (SessionSubscription s : subscriptions.values()) {
            if (receipt.equals(s.receipt())) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    /** The receipt ids asked for and not yet received, oldest first. */
    public Set<String> pendingReceipts() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(receipts));
    }

    private void track(String receipt) {
        if (receipt == null) {
            return;
        }
        if (!receipts.add(receipt) && check) {
            throw new StompProtocolException("Receipt already pending: " + receipt);
        }
    }

    // -- at-least-once publishing ----------------------------------------------------------------

    /**
     * Turns at-least-once publishing on or off (off by default). While on, every SEND that asks for
     * a receipt and is not part of a transaction ({@link #resendable(StompFrame)}) is kept until its
     * RECEIPT arrives or the caller gives up on it ({@link #cancelReceipt(String)}). The kept SENDs
     * survive {@link #close(boolean) close(false)}, and {@link #resend()} hands them out again,
     * in order and with their original receipt ids, once the next connection is CONNECTED.
     * A broker may therefore see a SEND twice (it arrived, but its RECEIPT did not): consumers can
     * pair the copies by the {@code receipt} header that Artemis and RabbitMQ copy into the MESSAGE.
     *
     * <p>The session does not bound how many SENDs it keeps; the caller does, by not sending more
     * while {@link #unreceiptedCount()} is at its limit.
     */
    public StompSession atLeastOnce(boolean on) {
        this.atLeastOnce = on;
        if (!on) {
            unreceipted.clear();
        }
        return this;
    }

    public boolean atLeastOnce() {
        return atLeastOnce;
    }

    /**
     * Whether at-least-once publishing keeps {@code frame}: a SEND with a {@code receipt} and
     * without a {@code transaction} (a transaction is tied to its connection; re-sending part of
     * one on another connection would commit half of it, so the transaction fails instead).
     */
    public static boolean resendable(StompFrame frame) {
        return frame.command() == StompCommand.SEND && frame.header(StompHeaders.RECEIPT) != null
                && frame.header(StompHeaders.TRANSACTION) == null;
    }

    /**
     * Keeps a SEND made while there is no connection to write it to (during a reconnect), to go out
     * with the next {@link #resend()}, after the SENDs kept before it. Allowed in any state.
     *
     * @throws StompProtocolException if at-least-once publishing is off, the frame is not
     *                                {@link #resendable(StompFrame) resendable}, or (with check on)
     *                                its receipt id is already kept
     */
    public void queue(StompFrame send) {
        if (!atLeastOnce) {
            throw new StompProtocolException("At-least-once publishing is off: a SEND cannot be kept for the next connection");
        }
        if (!resendable(send)) {
            throw new StompProtocolException("Only a SEND with a receipt and no transaction can be kept for the next connection, got ["
                    + send.info() + "]");
        }
        String receipt = send.header(StompHeaders.RECEIPT);
        if (unreceipted.containsKey(receipt) && check) {
            throw new StompProtocolException("Receipt already pending: " + receipt);
        }
        unreceipted.put(receipt, send);
    }

    /**
     * The kept SENDs, oldest first, to write right after CONNECTED (after the subscriptions are
     * {@linkplain #replay() replayed}, before anything new); their receipts are tracked again.
     */
    public List<StompFrame> resend() {
        require(StompCommand.SEND, SessionState.CONNECTED);
        List<StompFrame> frames = new ArrayList<>(unreceipted.values());
        for (StompFrame f : frames) {
            receipts.add(f.header(StompHeaders.RECEIPT));
        }
        return frames;
    }

    /** How many SENDs are kept, waiting for their RECEIPT. */
    public int unreceiptedCount() {
        return unreceipted.size();
    }

    /** Whether the SEND with receipt id {@code receipt} is kept for re-sending. */
    public boolean isKept(String receipt) {
        return unreceipted.containsKey(receipt);
    }

    /**
     * Forgets the kept SENDs (when the caller stops reconnecting) and returns their receipt ids,
     * oldest first, so that the caller can fail what waits on them.
     */
    public List<String> dropUnreceipted() {
        List<String> ids = new ArrayList<>(unreceipted.keySet());
        unreceipted.clear();
        return ids;
    }

    private void keep(StompFrame frame) {
        if (atLeastOnce && resendable(frame)) {
            unreceipted.put(frame.header(StompHeaders.RECEIPT), frame);
        }
    }

    // -- heart-beats ------------------------------------------------------------------------------

    /** The bytes of one heart-beat (1.1 and later). */
    public byte[] beat() {
        return Commands.beat(version);
    }

    /** Records that data (a frame or a beat) was sent at {@code now}; it counts as a client beat. */
    public void sent(long now) {
        lastSent = now;
    }

    /** Records that data was received at {@code now}; any data counts as a server beat. */
    public void received(long now) {
        lastReceived = now;
    }

    /** When data was last sent, or -1 if never since connecting. */
    public long lastSent() {
        return lastSent;
    }

    /** When data was last received, or -1 if never since connecting. */
    public long lastReceived() {
        return lastReceived;
    }

    /** The negotiated period of client beats in ms (0 = none). */
    public long clientHeartBeat() {
        return clientHeartBeat;
    }

    /** The negotiated period of server beats in ms (0 = none). */
    public long serverHeartBeat() {
        return serverHeartBeat;
    }

    /** Whether the client must send something now to keep its promise. */
    public boolean beatDue(long now) {
        return millisUntilBeat(now) == 0;
    }

    /**
     * How long until the client must send something: 0 when due (or nothing was sent yet),
     * {@link Long#MAX_VALUE} when no client beats were negotiated.
     */
    public long millisUntilBeat(long now) {
        if (clientHeartBeat == 0 || state != SessionState.CONNECTED && state != SessionState.DISCONNECTING) {
            return Long.MAX_VALUE;
        }
        if (lastSent < 0) {
            return 0;
        }
        return Math.max(0, lastSent + clientHeartBeat - now);
    }

    /**
     * Whether the server has been silent for longer than {@link #toleratedSilence(long, double)}: {@code graceFactor ×}
     * its negotiated period plus the error margin. False when no server beats were negotiated or nothing was received yet.
     */
    public boolean serverOverdue(long now) {
        return millisUntilServerOverdue(now) == 0;
    }

    /**
     * How long until the server counts as overdue: 0 when it already does, {@link Long#MAX_VALUE}
     * when it never can (no server beats, or nothing received yet).
     */
    public long millisUntilServerOverdue(long now) {
        if (serverHeartBeat == 0 || lastReceived < 0 || state != SessionState.CONNECTED && state != SessionState.DISCONNECTING) {
            return Long.MAX_VALUE;
        }
        long deadline = lastReceived + toleratedSilence(serverHeartBeat, graceFactor);
        return now > deadline ? 0 : deadline - now + 1;
    }

    /** The longest silence tolerated by default from a server that beats every {@code period} ms. */
    public static long toleratedSilence(long period) {
        return toleratedSilence(period, DEFAULT_GRACE_FACTOR);
    }

    /**
     * The longest silence tolerated from a server that beats every {@code period} ms:
     * {@code graceFactor × period} plus {@link #errorMargin(long)}. At the defaults, 2,500 ms for a
     * 1 s period and 21,000 ms for 10 s.
     */
    public static long toleratedSilence(long period, double graceFactor) {
        return (long) Math.ceil(period * graceFactor) + errorMargin(period);
    }

    /**
     * The error margin the specification asks a receiver to allow for timing inaccuracies: a tenth
     * of the period, at least {@value #MIN_ERROR_MARGIN_MILLIS} ms. Scheduling delays do not shrink
     * with the period, so the floor is absolute. Measured (RELIABILITY.md), a beat came at most 13 ms
     * late, and the worst silence a client saw from a live broker was 2,002 ms at a 1 s period
     * (ActiveMQ Classic skipping a beat, on a loaded CI machine): the floor is 25 times that excess.
     */
    public static long errorMargin(long period) {
        return Math.max(MIN_ERROR_MARGIN_MILLIS, period / 10);
    }

    // ---------------------------------------------------------------------------------------------

    private void require(StompCommand command, SessionState expected) {
        if (check && state != expected) {
            throw new StompProtocolException("Cannot handle " + command + " in state " + state + " (expected " + expected + ")");
        }
    }

    private void require(StompCommand command, Set<SessionState> expected) {
        if (check && !expected.contains(state)) {
            throw new StompProtocolException("Cannot handle " + command + " in state " + state + " (expected one of " + expected + ")");
        }
    }

    @Override
    public String toString() {
        return "StompSession[state=" + state + ", version=" + version + ", id=" + id + ", subscriptions="
                + subscriptions.size() + ", transactions=" + transactions.size() + ", receipts=" + receipts.size()
                + (atLeastOnce ? ", unreceipted=" + unreceipted.size() : "") + "]";
    }
}
