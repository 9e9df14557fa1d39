package dev.stompbox.protocol.metrics;

import dev.stompbox.protocol.StompCommand;

/**
 * The events a Stompbox client reports, for metrics. Both clients call it; the protocol module
 * itself never does. Every method has an empty default, so an implementation overrides what it
 * records. {@link #NONE} records nothing and is what a client uses unless configured otherwise.
 *
 * <p>Implementations must be thread-safe and fast: they are called on I/O threads, once per frame.
 * They must not throw.
 *
 * <p>With Micrometer, use {@code dev.stompbox.micrometer.MicrometerStompMetrics} from the
 * {@code stompbox-micrometer} module:
 *
 * <pre>{@code
 * StompClient client = StompClient.create(StompClientConfig.builder("tcp://broker:61613")
 *         .metrics(MicrometerStompMetrics.of(registry, "orders"))
 *         .build());
 * }</pre>
 */
public interface StompMetrics {
    /** Records nothing. */
    StompMetrics NONE = new StompMetrics() {
    };

    /** A connection attempt ended: {@code reconnect} when it replaced a lost connection. */
    default void connectAttempt(boolean reconnect, boolean success) {
    }

    /** A connection is up (after CONNECTED). */
    default void connectionOpened() {
    }

    /** A connection opened earlier is gone, however it ended. */
    default void connectionClosed() {
    }

    /** A frame was read: its command and its size on the wire in bytes. */
    default void frameReceived(StompCommand command, int bytes) {
    }

    /** A frame was written: its command and its size on the wire in bytes. */
    default void frameSent(StompCommand command, int bytes) {
    }

    /** A MESSAGE was handed to the application (a handler, or a caller of receive). */
    default void messageDelivered() {
    }

    /** A message was acknowledged (ACK sent). */
    default void messageAcked() {
    }

    /** A message was refused (NACK sent). */
    default void messageNacked() {
    }

    /** A message whose handler failed was sent on to an error destination. */
    default void messageForwarded() {
    }

    /**
     * {@code count} MESSAGEs were read and never handed to the application, because a disconnect the
     * application asked for came first: {@code lost} when their ack mode was {@code auto} (the broker
     * counted them delivered), else not acked, so the broker redelivers them.
     */
    default void messagesUnhanded(int count, boolean lost) {
    }

    /** A message handler started running. */
    default void handlerStarted() {
    }

    /** A message handler finished after {@code nanos}; {@code success} false when it failed. */
    default void handlerFinished(long nanos, boolean success) {
    }

    /** A RECEIPT came back {@code nanos} after its frame was handed to the connection. */
    default void receiptReceived(long nanos) {
    }

    /** {@code count} SENDs whose RECEIPT had not come were written again after a reconnect (at-least-once publishing). */
    default void sendsResent(int count) {
    }

    /** A RECEIPT did not come back within the receipt timeout. */
    default void receiptTimedOut() {
    }

    /** The broker was silent for longer than its heart-beat allows. */
    default void heartBeatMissed() {
    }
}
