// Over 600 lines on purpose: one connection of the test broker, where reading, the broker's rules,
// the fault hooks and the trace share the connection's state; it is test code, read one rule at a time.
package dev.stompbox.testkit;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.Header;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The server side of one client connection to a {@link StompTestServer}: what the client sent,
 * what it was sent, the faults to apply, and ways to inject bytes or close the connection.
 *
 * <p>Every frame in either direction is recorded in {@link #trace()}; the await methods block,
 * never longer than the timeout they are given, until a matching frame is in the trace, and fail
 * with an {@link AssertionError} that shows the trace otherwise. Thread-safe.
 *
 * <pre>{@code
 * ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
 * StompFrame send = c.awaitReceived(f -> f.command() == StompCommand.SEND, Duration.ofSeconds(5));
 * c.faults().stopHeartBeats();
 * c.sendRaw("garbage\n\n\0".getBytes(StandardCharsets.US_ASCII));
 * c.awaitClosed(Duration.ofSeconds(5));
 * }</pre>
 */
public final class ServerConnection {
    private static final StompFrame BEAT_MARKER = StompFrame.of(StompCommand.DISCONNECT);
    private static final long SILENCE_CHECK_MIN_MILLIS = 10;
    private static final long BEAT_TICK_MILLIS = 25;
    private static final long BYTE_BY_BYTE_RATE = 1000;
    private static final long READ_STOPPED_POLL_MILLIS = 10;

    private final StompTestServer server;
    private final Broker broker;
    private final int index;
    private final Socket socket;
    private final long acceptedNanos = System.nanoTime();
    private final Faults faults;
    private final StompParser parser;
    private final BlockingQueue<Outbound> outbound = new LinkedBlockingQueue<>();

    private volatile StompVersion version;
    private volatile String session;
    private volatile long sendPeriod;
    private volatile long expectPeriod;
    private volatile long lastReceivedNanos = System.nanoTime();
    private volatile long lastBeatNanos = System.nanoTime();
    private volatile boolean open = true;
    private volatile boolean closing;
    private volatile String closeReason;
    private final AtomicLong beatsSent = new AtomicLong();
    private volatile long beatsReceived;
    private int framesHandled;

    private final Object traceLock = new Object();
    private final ArrayDeque<TracedFrame> trace = new ArrayDeque<>();
    private long traceDropped; // entries evicted from the front to respect the server's trace limit

    // Broker state of this connection, guarded by the broker's monitor.
    private final Map<String, Broker.Subscription> subscriptions = new HashMap<>();
    private final LinkedHashMap<String, Broker.Delivery> unacked = new LinkedHashMap<>();
    private final Map<String, List<TxAction>> transactions = new HashMap<>();

    private record Outbound(byte[] bytes, StompFrame frame, boolean close) {
    }

    /** Work a transaction applies on COMMIT (or undoes on ABORT). */
    private record TxAction(Broker.Message send, List<Broker.Delivery> acked, boolean nack) {
    }

    ServerConnection(StompTestServer server, Broker broker, int index, Socket socket, Faults faults) {
        this.server = server;
        this.broker = broker;
        this.index = index;
        this.socket = socket;
        this.faults = faults;
        this.parser = new StompParser(StompVersion.latest(), server.limits());
    }

    void start() {
        Thread reader = new Thread(this::readLoop, "stompbox-testkit-" + server.port() + "-reader-" + index);
        Thread writer = new Thread(this::writeLoop, "stompbox-testkit-" + server.port() + "-writer-" + index);
        reader.setDaemon(true);
        writer.setDaemon(true);
        reader.start();
        writer.start();
    }

    // -- public API -------------------------------------------------------------------------------

    /** 0 for the first connection the server accepted, 1 for the next, and so on. */
    public int index() {
        return index;
    }

    /** The live faults of this connection. */
    public Faults faults() {
        return faults;
    }

    /** The negotiated version, or {@code null} before CONNECTED was sent. */
    public StompVersion version() {
        return version;
    }

    /** The session id sent in CONNECTED, or {@code null}. */
    public String session() {
        return session;
    }

    /** Negotiated period of the server's beats in ms (0 = none). */
    public long serverHeartBeatMillis() {
        return sendPeriod;
    }

    /** Negotiated period of the client's beats in ms (0 = none). */
    public long clientHeartBeatMillis() {
        return expectPeriod;
    }

    /** Heart-beats written to the client. */
    public long heartBeatsSent() {
        return beatsSent.get();
    }

    /** Heart-beats (EOLs between frames) received from the client. */
    public long heartBeatsReceived() {
        return beatsReceived;
    }

    public boolean isOpen() {
        return open;
    }

    /** Why the connection closed ({@code null} while open), e.g. "client closed the connection". */
    public String closeReason() {
        return closeReason;
    }

    /**
     * A snapshot of everything received and sent so far, in order; at most the server's
     * {@linkplain StompTestServer#traceLimit(int) trace limit} of the latest entries.
     */
    public List<TracedFrame> trace() {
        synchronized (traceLock) {
            return List.copyOf(trace);
        }
    }

    /** How many of the oldest trace entries were dropped to stay within the trace limit. */
    public long traceDropped() {
        synchronized (traceLock) {
            return traceDropped;
        }
    }

    /** The frames received from the client so far. */
    public List<StompFrame> received() {
        return frames(TracedFrame.Direction.RECEIVED);
    }

    /** The frames written to the client so far. */
    public List<StompFrame> sent() {
        return frames(TracedFrame.Direction.SENT);
    }

    private List<StompFrame> frames(TracedFrame.Direction direction) {
        List<StompFrame> out = new ArrayList<>();
        for (TracedFrame t : trace()) {
            if (t.direction() == direction && t.frame() != null) {
                out.add(t.frame());
            }
        }
        return out;
    }

    /** Waits for a received frame that matches (one already received counts). */
    public StompFrame awaitReceived(Predicate<StompFrame> match, Duration timeout) {
        return await(TracedFrame.Direction.RECEIVED, match, timeout, "a received frame matching the predicate");
    }

    /** Waits for a received frame of this command. */
    public StompFrame awaitReceived(StompCommand command, Duration timeout) {
        return await(TracedFrame.Direction.RECEIVED, f -> f.command() == command, timeout, "a received " + command);
    }

    /** Waits for a frame written to the client that matches. */
    public StompFrame awaitSent(Predicate<StompFrame> match, Duration timeout) {
        return await(TracedFrame.Direction.SENT, match, timeout, "a sent frame matching the predicate");
    }

    /** Waits for a frame of this command written to the client. */
    public StompFrame awaitSent(StompCommand command, Duration timeout) {
        return await(TracedFrame.Direction.SENT, f -> f.command() == command, timeout, "a sent " + command);
    }

    /** Waits until the connection is closed; returns the reason. */
    public String awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (traceLock) {
            while (open) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("connection #" + index + " still open after " + timeout.toMillis() + " ms\n" + traceDump());
                }
                waitNanos(left);
            }
            return closeReason;
        }
    }

    private StompFrame await(TracedFrame.Direction direction, Predicate<StompFrame> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long seen = 0; // entries already looked at, counted from the first ever recorded
        synchronized (traceLock) {
            while (true) {
                long skip = Math.max(0, seen - traceDropped);
                for (TracedFrame t : trace) {
                    if (skip > 0) {
                        skip--;
                        continue;
                    }
                    if (t.direction() == direction && t.frame() != null && match.test(t.frame())) {
                        return t.frame();
                    }
                }
                seen = traceDropped + trace.size();
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + what + " on connection #" + index + " within " + timeout.toMillis()
                            + " ms\n" + traceDump());
                }
                waitNanos(left);
            }
        }
    }

    private void waitNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(traceLock, nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting on connection #" + index, e);
        }
    }

    /** Writes a frame to the client, encoded for the negotiated version (1.2 before CONNECTED). */
    public void send(StompFrame frame) {
        enqueue(frame);
    }

    /** Writes raw bytes to the client: garbage, half a frame, anything. */
    public void sendRaw(byte[] bytes) {
        outbound.add(new Outbound(bytes.clone(), null, false));
    }

    /**
     * Sends a MESSAGE outside any subscription bookkeeping, e.g. for a subscription the client does
     * not have ({@code subscription} may be anything).
     */
    public void sendMessage(String subscription, String destination, byte[] body) {
        StompFrame.Builder b = StompFrame.builder(StompCommand.MESSAGE)
                .header(StompHeaders.DESTINATION, destination)
                .header(StompHeaders.MESSAGE_ID, "injected-" + broker.nextDeliveryId())
                .header(StompHeaders.SUBSCRIPTION, subscription)
                .header(StompHeaders.ACK, "injected-" + broker.nextDeliveryId());
        enqueue(b.bodyWithoutCopy(body.clone()).build());
    }

    /** Closes the connection after writing what is already queued (a FIN, or an RST with {@link Faults#resetOnClose()}). */
    public void close() {
        closeAfterFlush("closed by the test");
    }

    /** Resets the connection at once (RST, {@code SO_LINGER 0}), dropping anything queued. */
    public void reset() {
        closeNow("reset by the test", true);
    }

    /** The trace as text, one entry a line, passcodes masked. */
    public String traceDump() {
        StringBuilder sb = new StringBuilder();
        sb.append("connection #").append(index).append(" (version ").append(version)
                .append(open ? ", open" : ", closed: " + closeReason).append(")\n");
        for (TracedFrame t : trace()) {
            sb.append("  ").append(t).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "ServerConnection#" + index + (open ? "[open]" : "[closed: " + closeReason + "]");
    }

    // -- reading and handling ---------------------------------------------------------------------

    private void readLoop() {
        byte[] buf = new byte[8192];
        try (InputStream in = socket.getInputStream()) {
            int n;
            while (awaitReadingAllowed() && (n = in.read(buf, 0, readSlice(buf.length))) > 0) {
                long rate = faults.readRate();
                if (rate > 0) {
                    pace(n, rate);
                }
                lastReceivedNanos = System.nanoTime();
                try {
                    parser.add(buf, 0, n);
                    beatsReceived = parser.heartBeats();
                    StompFrame frame;
                    while ((frame = parser.get()) != null) {
                        record(TracedFrame.Direction.RECEIVED, frame, null);
                        if (!closing) {
                            handle(frame);
                        }
                    }
                } catch (StompFrameException e) {
                    protocolError(e.getMessage(), null);
                } catch (RuntimeException e) {
                    // A bug here, or a test's predicate that threw: end the connection visibly.
                    e.printStackTrace();
                    closeNow("test server failed: " + e, true);
                }
                if (!open) {
                    return;
                }
            }
            closeNow("client closed the connection", false);
        } catch (IOException e) {
            closeNow(open ? "read failed: " + e.getMessage() : closeReason, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeNow("reader interrupted", false);
        }
    }

    /** How much one read may take: with {@link Faults#readSlowly} a fiftieth of a second's worth, so the pace stays even. */
    private int readSlice(int max) {
        long rate = faults.readRate();
        return rate > 0 ? (int) Math.max(1, Math.min(max, rate / 50)) : max;
    }

    /** Holds the reader while {@link Faults#stopReading()} is on; false once the connection is closed. */
    private boolean awaitReadingAllowed() throws IOException {
        while (faults.readingStopped() && open) {
            try {
                Thread.sleep(READ_STOPPED_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        return open;
    }

    private void handle(StompFrame frame) {
        if (faults.closesOn(frame)) {
            closeNow("fault: closed on " + frame.command(), false);
            return;
        }
        try {
            boolean answered = dispatch(frame);
            if (answered) {
                receipt(frame);
            }
        } catch (StompException e) {
            protocolError(e.getMessage(), frame);
            return;
        }
        framesHandled++;
        faults.handled(frame);
        int closeAfter = faults.closeAfterFrames();
        if (closeAfter > 0 && framesHandled >= closeAfter && !closing) {
            closeAfterFlush("fault: closed after " + framesHandled + " frames");
        }
    }

    /** Handles one client frame; false when no RECEIPT should follow (CONNECT, or the connection is going). */
    private boolean dispatch(StompFrame frame) {
        StompCommand command = frame.command();
        if (command == StompCommand.CONNECT || command == StompCommand.STOMP) {
            connect(frame);
            return false;
        }
        if (version == null) {
            throw new StompException("Expected CONNECT or STOMP, got " + command);
        }
        switch (command) {
            case SEND -> publish(frame);
            case SUBSCRIBE -> subscribe(frame);
            case UNSUBSCRIBE -> unsubscribe(frame);
            case ACK -> acknowledge(frame, false);
            case NACK -> acknowledge(frame, true);
            case BEGIN -> begin(frame);
            case COMMIT -> finish(frame, true);
            case ABORT -> finish(frame, false);
            case DISCONNECT -> {
                receipt(frame);
                closeAfterFlush("client sent DISCONNECT");
                return false;
            }
            default -> throw new StompException("Unexpected " + command + " frame from a client");
        }
        return true;
    }

    private void connect(StompFrame frame) {
        if (version != null) {
            throw new StompException("Already connected");
        }
        if (faults.neverAnswersConnect()) {
            return;
        }
        if (faults.connectError() != null) {
            protocolError(faults.connectError(), frame);
            return;
        }
        StompVersion chosen = server.negotiateVersion(frame.header(StompHeaders.ACCEPT_VERSION));
        if (chosen == null) {
            protocolError("Supported protocol versions are " + server.versionsText(), frame);
            return;
        }
        if (frame.command() == StompCommand.STOMP && chosen == StompVersion.V1_0) {
            protocolError("STOMP frame requires version 1.1 or later", frame);
            return;
        }
        if (!server.acceptsCredentials(frame.header(StompHeaders.LOGIN), frame.header(StompHeaders.PASSCODE))) {
            protocolError("Authentication failed: bad login or passcode", frame);
            return;
        }
        StompFrame.Builder connected = StompFrame.builder(StompCommand.CONNECTED);
        session = "session-" + server.port() + "-" + index;
        if (chosen != StompVersion.V1_0) {
            HeartBeat client = HeartBeat.parse(frame.header(StompHeaders.HEART_BEAT));
            HeartBeat offer = server.heartBeatOffer(client);
            sendPeriod = HeartBeat.negotiate(offer.send(), client.receive());
            expectPeriod = HeartBeat.negotiate(client.send(), offer.receive());
            connected.header(StompHeaders.VERSION, chosen.text()).header(StompHeaders.HEART_BEAT, offer.toHeaderValue());
        }
        connected.header(StompHeaders.SESSION, session).header(StompHeaders.SERVER, server.serverName());
        version = chosen;
        parser.version(chosen);
        enqueue(connected.build());
        scheduleBeat();
        scheduleSilenceCheck();
    }

    private void publish(StompFrame frame) {
        String destination = required(frame, StompHeaders.DESTINATION);
        List<Header> headers = new ArrayList<>();
        for (Header h : frame.headers()) {
            String n = h.name();
            if (!n.equals(StompHeaders.DESTINATION) && !n.equals(StompHeaders.TRANSACTION) && !n.equals(StompHeaders.CONTENT_LENGTH)) {
                headers.add(h);
            }
        }
        String tx = frame.header(StompHeaders.TRANSACTION);
        synchronized (broker) {
            Broker.Message message = broker.newMessage(destination, headers, frame.body());
            if (tx == null) {
                broker.dispatch(message);
            } else {
                transaction(tx).add(new TxAction(message, null, false));
            }
        }
    }

    private void subscribe(StompFrame frame) {
        String destination = required(frame, StompHeaders.DESTINATION);
        String id = frame.header(StompHeaders.ID);
        if (id == null && version != StompVersion.V1_0) {
            throw new StompException("SUBSCRIBE needs an id header in STOMP " + version);
        }
        AckMode mode = AckMode.of(frame.header(StompHeaders.ACK));
        String key = id != null ? id : destination;
        synchronized (broker) {
            if (subscriptions.containsKey(key)) {
                throw new StompException("Subscription " + key + " already exists");
            }
            Broker.Subscription s = new Broker.Subscription(this, id, destination, mode);
            subscriptions.put(key, s);
            broker.subscribe(s);
        }
    }

    private void unsubscribe(StompFrame frame) {
        String key = frame.header(StompHeaders.ID);
        if (key == null && version == StompVersion.V1_0) {
            key = frame.header(StompHeaders.DESTINATION);
        }
        if (key == null) {
            throw new StompException("UNSUBSCRIBE needs an id header");
        }
        synchronized (broker) {
            Broker.Subscription s = subscriptions.remove(key);
            if (s == null) {
                throw new StompException("No subscription " + key);
            }
            broker.unsubscribe(s);
            broker.redeliver(takeUnacked(d -> d.subscription() == s));
        }
    }

    private void acknowledge(StompFrame frame, boolean nack) {
        String key = ackKey(frame);
        String tx = frame.header(StompHeaders.TRANSACTION);
        synchronized (broker) {
            Broker.Delivery target = unacked.get(key);
            if (target == null) {
                throw new StompException("Unknown " + frame.command() + " id: " + key);
            }
            List<Broker.Delivery> covered;
            if (target.subscription().mode != AckMode.CLIENT) {
                covered = List.of(target); // a lookup, not a walk: acking a backlog one by one stays linear
            } else {
                // Cumulative: the subscription's deliveries up to this one, found from the oldest on
                // (unacked is in delivery order) and no further.
                covered = new ArrayList<>();
                for (Broker.Delivery d : unacked.values()) {
                    if (d.sequence() > target.sequence()) {
                        break;
                    }
                    if (d.subscription() == target.subscription()) {
                        covered.add(d);
                    }
                }
            }
            if (tx != null) {
                transaction(tx).add(new TxAction(null, covered, nack));
                return;
            }
            settle(covered, nack);
        }
    }

    private void settle(List<Broker.Delivery> deliveries, boolean nack) {
        for (Broker.Delivery d : deliveries) {
            unacked.remove(d.ackKey());
        }
        if (nack) {
            broker.redeliver(deliveries);
        }
    }

    private String ackKey(StompFrame frame) {
        switch (version) {
            case V1_2:
                return required(frame, StompHeaders.ID);
            case V1_1:
                return required(frame, StompHeaders.SUBSCRIPTION) + "\u0000" + required(frame, StompHeaders.MESSAGE_ID);
            default:
                return required(frame, StompHeaders.MESSAGE_ID);
        }
    }

    private void begin(StompFrame frame) {
        String tx = required(frame, StompHeaders.TRANSACTION);
        synchronized (broker) {
            if (transactions.containsKey(tx)) {
                throw new StompException("Transaction " + tx + " already begun");
            }
            transactions.put(tx, new ArrayList<>());
        }
    }

    private void finish(StompFrame frame, boolean commit) {
        String tx = required(frame, StompHeaders.TRANSACTION);
        synchronized (broker) {
            List<TxAction> actions = transactions.remove(tx);
            if (actions == null) {
                throw new StompException("Unknown transaction " + tx);
            }
            for (TxAction a : actions) {
                if (a.send() != null) {
                    if (commit) {
                        broker.dispatch(a.send());
                    }
                } else if (commit) {
                    settle(stillUnacked(a.acked()), a.nack());
                } else {
                    // An aborted ACK undoes the acknowledgement: the messages go back for redelivery.
                    settle(stillUnacked(a.acked()), true);
                }
            }
        }
    }

    private List<Broker.Delivery> stillUnacked(List<Broker.Delivery> deliveries) {
        List<Broker.Delivery> out = new ArrayList<>();
        for (Broker.Delivery d : deliveries) {
            if (unacked.get(d.ackKey()) == d) {
                out.add(d);
            }
        }
        return out;
    }

    private List<TxAction> transaction(String tx) {
        List<TxAction> actions = transactions.get(tx);
        if (actions == null) {
            throw new StompException("Unknown transaction " + tx);
        }
        return actions;
    }

    private static String required(StompFrame frame, String header) {
        String v = frame.header(header);
        if (v == null) {
            throw new StompException(frame.command() + " needs a " + header + " header");
        }
        return v;
    }

    private void receipt(StompFrame frame) {
        String receipt = frame.header(StompHeaders.RECEIPT);
        if (receipt != null && !faults.withholdsReceiptFor(frame)) {
            enqueue(StompFrame.builder(StompCommand.RECEIPT).header(StompHeaders.RECEIPT_ID, receipt).build());
        }
    }

    private void protocolError(String message, StompFrame cause) {
        StompFrame.Builder error = StompFrame.builder(StompCommand.ERROR).header(StompHeaders.MESSAGE, oneLine(message));
        String receipt = cause == null ? null : cause.header(StompHeaders.RECEIPT);
        if (receipt != null) {
            error.header(StompHeaders.RECEIPT_ID, receipt);
        }
        error.header(StompHeaders.CONTENT_TYPE, "text/plain").body(message);
        enqueueServerFrame(error.build());
        closeAfterFlush("protocol error: " + message);
    }

    private static String oneLine(String s) {
        return s.replace('\n', ' ').replace('\r', ' ');
    }

    // -- delivery (called under the broker's monitor) ---------------------------------------------

    void deliver(Broker.Subscription s, Broker.Message m) {
        long sequence = broker.nextDeliveryId();
        String ackValue = "ack-" + sequence;
        StompFrame.Builder b = StompFrame.builder(StompCommand.MESSAGE)
                .header(StompHeaders.DESTINATION, m.destination)
                .header(StompHeaders.MESSAGE_ID, m.id);
        if (s.id != null) {
            b.header(StompHeaders.SUBSCRIPTION, s.id);
        }
        if (version == StompVersion.V1_2 && s.mode != AckMode.AUTO) {
            b.header(StompHeaders.ACK, ackValue);
        }
        if (m.redelivered) {
            b.header("redelivered", "true");
        }
        StompFrame frame = b.headers(m.headers).bodyWithoutCopy(m.body).build();
        String key = switch (version) {
            case V1_2 -> ackValue;
            case V1_1 -> s.id + "\u0000" + m.id;
            default -> m.id;
        };
        Broker.Delivery delivery = new Broker.Delivery(m, s, key, sequence);
        if (s.mode != AckMode.AUTO) {
            unacked.remove(key); // a key delivered again goes to the end: unacked stays in delivery order
            unacked.put(key, delivery);
        }
        enqueueServerFrame(frame);
        if (faults.duplicates(frame)) {
            enqueueServerFrame(frame);
        }
        Duration redeliverAfter = faults.redeliveryDelay();
        if (redeliverAfter != null && s.mode != AckMode.AUTO) {
            server.timer().schedule(() -> {
                synchronized (broker) {
                    if (open && unacked.get(key) == delivery) {
                        enqueueServerFrame(frame.withHeader("redelivered", "true"));
                    }
                }
            }, redeliverAfter.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    private List<Broker.Delivery> takeUnacked(Predicate<Broker.Delivery> which) {
        List<Broker.Delivery> taken = new ArrayList<>();
        for (Iterator<Broker.Delivery> it = unacked.values().iterator(); it.hasNext(); ) {
            Broker.Delivery d = it.next();
            if (which.test(d)) {
                taken.add(d);
                it.remove();
            }
        }
        return taken;
    }

    // -- heart-beats ------------------------------------------------------------------------------

    /**
     * Beats run on a short tick rather than one timer per period, so that a fault set in the middle
     * of a long period (stop, or beat faster) takes effect at once.
     */
    private void scheduleBeat() {
        server.timer().schedule(this::beatTick, BEAT_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void beatTick() {
        if (!open) {
            return;
        }
        Duration override = faults.heartBeatPeriod();
        long periodNanos = override != null ? override.toNanos() : TimeUnit.MILLISECONDS.toNanos(sendPeriod);
        long now = System.nanoTime();
        if (periodNanos > 0 && !closing && !faults.heartBeatsStopped() && now - lastBeatNanos >= periodNanos) {
            lastBeatNanos = now;
            outbound.add(new Outbound(StompEncoder.heartBeat(), BEAT_MARKER, false));
        }
        long next = periodNanos > 0 ? Math.min(BEAT_TICK_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(periodNanos) / 2)) : BEAT_TICK_MILLIS;
        server.timer().schedule(this::beatTick, next, TimeUnit.MILLISECONDS);
    }

    private void scheduleSilenceCheck() {
        if (expectPeriod <= 0 || !open) {
            return;
        }
        long limitNanos = (long) (TimeUnit.MILLISECONDS.toNanos(expectPeriod) * server.silenceGrace());
        long checkEvery = Math.max(SILENCE_CHECK_MIN_MILLIS, expectPeriod / 4);
        server.timer().schedule(() -> {
            long silent = System.nanoTime() - lastReceivedNanos;
            if (open && silent > limitNanos) {
                closeNow("client silent for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms (heart-beat expected every "
                        + expectPeriod + " ms)", false);
                return;
            }
            scheduleSilenceCheck();
        }, checkEvery, TimeUnit.MILLISECONDS);
    }

    // -- writing ----------------------------------------------------------------------------------

    private void enqueue(StompFrame frame) {
        StompVersion v = version == null ? StompVersion.V1_2 : version;
        outbound.add(new Outbound(StompEncoder.of(v).encode(frame), frame, false));
    }

    /** For frames the server makes up itself: if the version cannot carry them, 1.2 rules it is. */
    private void enqueueServerFrame(StompFrame frame) {
        try {
            enqueue(frame);
        } catch (StompException e) {
            outbound.add(new Outbound(StompEncoder.of(StompVersion.V1_2).encode(frame), frame, false));
        }
    }

    private void closeAfterFlush(String reason) {
        closing = true;
        closeReasonIfUnset(reason);
        leaveBroker();
        outbound.add(new Outbound(null, null, true));
    }

    /** No new deliveries from here on; what is unacknowledged goes back to the broker on close. */
    private void leaveBroker() {
        synchronized (broker) {
            for (Broker.Subscription s : subscriptions.values()) {
                broker.unsubscribe(s);
            }
        }
    }

    private void closeReasonIfUnset(String reason) {
        synchronized (traceLock) {
            if (closeReason == null) {
                closeReason = reason;
            }
        }
    }

    private void writeLoop() {
        try {
            OutputStream out = socket.getOutputStream();
            while (open) {
                Outbound o = outbound.poll(200, TimeUnit.MILLISECONDS);
                if (o == null) {
                    continue;
                }
                if (o.close()) {
                    closeNow(closeReason, false);
                    return;
                }
                boolean beat = o.frame() == BEAT_MARKER;
                Duration delay = faults.frameDelay();
                if (!beat && delay != null && !delay.isZero()) {
                    Thread.sleep(delay.toMillis(), delay.toNanosPart() % 1_000_000);
                }
                // Traced before the bytes go out: whatever the client has seen is already in the trace.
                if (!beat) {
                    record(TracedFrame.Direction.SENT, o.frame(), o.frame() == null ? o.bytes() : null);
                }
                write(out, o.bytes());
                if (beat) {
                    beatsSent.incrementAndGet();
                }
            }
        } catch (IOException e) {
            closeNow(open ? "write failed: " + e.getMessage() : closeReason, false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeNow("writer interrupted", false);
        }
    }

    private void write(OutputStream out, byte[] bytes) throws IOException, InterruptedException {
        long rate = faults.throttle();
        if (faults.byteByByte()) {
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                // A pause per byte, or TCP may merge the bytes into one read on the client side.
                pace(1, rate > 0 ? Math.min(rate, BYTE_BY_BYTE_RATE) : BYTE_BY_BYTE_RATE);
            }
            return;
        }
        if (rate > 0) {
            int slice = (int) Math.max(1, rate / 50);
            for (int at = 0; at < bytes.length; at += slice) {
                int n = Math.min(slice, bytes.length - at);
                out.write(bytes, at, n);
                out.flush();
                pace(n, rate);
            }
            return;
        }
        out.write(bytes);
        out.flush();
    }

    private static void pace(int bytes, long bytesPerSecond) throws InterruptedException {
        long nanos = bytes * 1_000_000_000L / bytesPerSecond;
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    // -- closing and tracing ----------------------------------------------------------------------

    void closeNow(String reason, boolean reset) {
        synchronized (traceLock) {
            if (!open) {
                return;
            }
            open = false;
            closing = true;
            if (closeReason == null || reset) {
                closeReason = reason;
            }
            traceLock.notifyAll();
        }
        try {
            if (reset || faults.resetsOnClose()) {
                socket.setSoLinger(true, 0);
            }
            socket.close();
        } catch (IOException ignored) {
            // Closing is all that is left to do.
        }
        leaveBroker();
        synchronized (broker) {
            subscriptions.clear();
            transactions.clear();
            broker.redeliver(takeUnacked(d -> true));
        }
        server.connectionClosed(this);
    }

    private void record(TracedFrame.Direction direction, StompFrame frame, byte[] raw) {
        synchronized (traceLock) {
            trace.addLast(new TracedFrame(direction, frame, raw == null ? null : Arrays.copyOf(raw, raw.length),
                    Duration.ofNanos(System.nanoTime() - acceptedNanos)));
            if (trace.size() > server.traceLimit()) {
                trace.removeFirst();
                traceDropped++;
            }
            traceLock.notifyAll();
        }
    }
}
