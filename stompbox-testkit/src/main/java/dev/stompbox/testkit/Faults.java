package dev.stompbox.testkit;

import dev.stompbox.protocol.StompFrame;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The ways a {@link ServerConnection} misbehaves on demand. Get the live faults of a connection with
 * {@link ServerConnection#faults()} (they apply from the next frame or beat on), or those of the
 * connection the server accepts next with {@link StompTestServer#nextConnectionFaults()}. Every
 * method returns {@code this} for chaining; {@link #clear()} puts the connection back to normal.
 * Thread-safe.
 *
 * <pre>{@code
 * server.nextConnectionFaults().withholdReceipts().delayFrames(Duration.ofMillis(200));
 * ServerConnection c = server.awaitConnection(Duration.ofSeconds(5));
 * c.faults().stopHeartBeats();       // keep the socket open, send no more beats
 * }</pre>
 */
public final class Faults {
    private volatile int closeAfterFrames = -1;
    private volatile Predicate<StompFrame> closeOnFrame;
    private volatile boolean resetOnClose;
    private volatile boolean neverAnswerConnect;
    private volatile String answerConnectWithError;
    private volatile Predicate<StompFrame> withholdReceipts;
    private volatile boolean stopHeartBeats;
    private volatile Duration heartBeatEvery;
    private volatile Duration delayFrames;
    private volatile boolean byteByByte;
    private volatile long throttleBytesPerSecond;
    private volatile Predicate<StompFrame> duplicateMessages;
    private volatile Duration redeliverAfter;
    private volatile boolean stopReading;
    private volatile long readBytesPerSecond;
    private volatile Predicate<StompFrame> stopReadingAfter;

    /** Closes the connection once this many frames from the client have been handled (answers included). */
    public Faults closeAfterFrames(int frames) {
        if (frames < 1) {
            throw new IllegalArgumentException("frames must be at least 1: " + frames);
        }
        this.closeAfterFrames = frames;
        return this;
    }

    /** Closes the connection, without handling it, when a client frame matches. */
    public Faults closeOnFrame(Predicate<StompFrame> match) {
        this.closeOnFrame = Objects.requireNonNull(match, "match");
        return this;
    }

    /** Makes every close of this connection a reset (RST, {@code SO_LINGER 0}) instead of a FIN. */
    public Faults resetOnClose() {
        this.resetOnClose = true;
        return this;
    }

    /** Leaves CONNECT (and STOMP) unanswered: the client waits for a CONNECTED that never comes. */
    public Faults neverAnswerConnect() {
        this.neverAnswerConnect = true;
        return this;
    }

    /** Answers CONNECT with an ERROR carrying {@code message}, then closes. */
    public Faults answerConnectWithError(String message) {
        this.answerConnectWithError = Objects.requireNonNull(message, "message");
        return this;
    }

    /** Sends no RECEIPT at all. */
    public Faults withholdReceipts() {
        return withholdReceipts(frame -> true);
    }

    /** Sends no RECEIPT for client frames that match. */
    public Faults withholdReceipts(Predicate<StompFrame> match) {
        this.withholdReceipts = Objects.requireNonNull(match, "match");
        return this;
    }

    /** Stops sending heart-beats; the socket stays open and frames still flow. */
    public Faults stopHeartBeats() {
        this.stopHeartBeats = true;
        return this;
    }

    /** Sends heart-beats at this period whatever was negotiated (faster than agreed, say). */
    public Faults heartBeatEvery(Duration period) {
        if (period.isZero() || period.isNegative()) {
            throw new IllegalArgumentException("period must be positive: " + period);
        }
        this.heartBeatEvery = period;
        return this;
    }

    /** Holds each outbound frame back this long before writing it. */
    public Faults delayFrames(Duration delay) {
        this.delayFrames = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Writes outbound frames one byte per write and flush, a millisecond apart, so that each byte
     * reaches the client in a read of its own.
     */
    public Faults writeByteByByte() {
        this.byteByByte = true;
        return this;
    }

    /** Limits outbound bytes to this many per second. */
    public Faults throttle(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.throttleBytesPerSecond = bytesPerSecond;
        return this;
    }

    /** Delivers every MESSAGE twice, back to back. */
    public Faults duplicateMessages() {
        return duplicateMessages(frame -> true);
    }

    /** Delivers MESSAGE frames that match twice, back to back. */
    public Faults duplicateMessages(Predicate<StompFrame> match) {
        this.duplicateMessages = Objects.requireNonNull(match, "match");
        return this;
    }

    /**
     * Delivers each MESSAGE again, with {@code redelivered:true}, this long after the first
     * delivery, if it has not been acknowledged by then (messages of ack mode auto always are).
     */
    public Faults redeliverAfter(Duration delay) {
        this.redeliverAfter = Objects.requireNonNull(delay, "delay");
        return this;
    }

    /**
     * Stops reading from the client (the socket stays open): once the TCP buffers fill, the
     * client's writes block. {@link #clear()} resumes reading.
     */
    public Faults stopReading() {
        this.stopReading = true;
        return this;
    }

    /**
     * Reads from the client at most this many bytes per second (a slow broker, or a slow link in
     * front of one): once the TCP buffers fill, the client's writes wait on it.
     */
    public Faults readSlowly(long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be positive: " + bytesPerSecond);
        }
        this.readBytesPerSecond = bytesPerSecond;
        return this;
    }

    /**
     * Stops reading from the client once it has handled a client frame that matches: for instance,
     * after a CONNECT is answered, everything the client writes next stays unread and its writes
     * block once the TCP buffers fill. {@link #clear()} resumes reading.
     */
    public Faults stopReadingAfter(Predicate<StompFrame> match) {
        this.stopReadingAfter = Objects.requireNonNull(match, "match");
        return this;
    }

    /** Back to normal behaviour. */
    public Faults clear() {
        closeAfterFrames = -1;
        closeOnFrame = null;
        resetOnClose = false;
        neverAnswerConnect = false;
        answerConnectWithError = null;
        withholdReceipts = null;
        stopHeartBeats = false;
        heartBeatEvery = null;
        delayFrames = null;
        byteByByte = false;
        throttleBytesPerSecond = 0;
        duplicateMessages = null;
        redeliverAfter = null;
        stopReading = false;
        stopReadingAfter = null;
        readBytesPerSecond = 0;
        return this;
    }

    Faults copy() {
        Faults f = new Faults();
        f.closeAfterFrames = closeAfterFrames;
        f.closeOnFrame = closeOnFrame;
        f.resetOnClose = resetOnClose;
        f.neverAnswerConnect = neverAnswerConnect;
        f.answerConnectWithError = answerConnectWithError;
        f.withholdReceipts = withholdReceipts;
        f.stopHeartBeats = stopHeartBeats;
        f.heartBeatEvery = heartBeatEvery;
        f.delayFrames = delayFrames;
        f.byteByByte = byteByByte;
        f.throttleBytesPerSecond = throttleBytesPerSecond;
        f.duplicateMessages = duplicateMessages;
        f.redeliverAfter = redeliverAfter;
        f.stopReading = stopReading;
        f.stopReadingAfter = stopReadingAfter;
        f.readBytesPerSecond = readBytesPerSecond;
        return f;
    }

    int closeAfterFrames() {
        return closeAfterFrames;
    }

    boolean closesOn(StompFrame frame) {
        Predicate<StompFrame> p = closeOnFrame;
        return p != null && p.test(frame);
    }

    boolean resetsOnClose() {
        return resetOnClose;
    }

    boolean neverAnswersConnect() {
        return neverAnswerConnect;
    }

    String connectError() {
        return answerConnectWithError;
    }

    boolean withholdsReceiptFor(StompFrame frame) {
        Predicate<StompFrame> p = withholdReceipts;
        return p != null && p.test(frame);
    }

    boolean heartBeatsStopped() {
        return stopHeartBeats;
    }

    Duration heartBeatPeriod() {
        return heartBeatEvery;
    }

    Duration frameDelay() {
        return delayFrames;
    }

    boolean byteByByte() {
        return byteByByte;
    }

    long throttle() {
        return throttleBytesPerSecond;
    }

    boolean duplicates(StompFrame message) {
        Predicate<StompFrame> p = duplicateMessages;
        return p != null && p.test(message);
    }

    long readRate() {
        return readBytesPerSecond;
    }

    boolean readingStopped() {
        return stopReading;
    }

    /** Turns {@link #stopReading()} on when {@code frame}, just handled, matches {@link #stopReadingAfter}. */
    void handled(StompFrame frame) {
        Predicate<StompFrame> p = stopReadingAfter;
        if (p != null && p.test(frame)) {
            stopReading = true;
        }
    }

    Duration redeliveryDelay() {
        return redeliverAfter;
    }
}
