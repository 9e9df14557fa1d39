package dev.stompbox.async;

import java.util.concurrent.Executor;

/**
 * How one subscription's handler runs and how its failures are handled.
 *
 * <ul>
 *   <li>{@code concurrency} (default 1): handlers of this subscription running at once. Above 1 the
 *       ack mode must be {@code auto} or {@code client-individual} ({@code client} acks are
 *       cumulative and would ack messages still in flight or failed).</li>
 *   <li>{@code executor}: where the handler runs (default: the client's executor).</li>
 *   <li>{@code onEventLoop}: run the handler on the Netty event loop; only for handlers that never
 *       block.</li>
 *   <li>{@code errorDestination}: a failed message is sent there (body, application headers,
 *       {@code persistent} and {@code priority}, and {@code stompbox-error*} headers), then
 *       acknowledged once the broker confirmed the send; {@code errorHeaders} adds headers to that
 *       SEND or replaces the message's own.</li>
 *   <li>{@code nackOnError}: with no error destination, NACK a failed message (STOMP 1.1 and later)
 *       instead of disconnecting.</li>
 *   <li>{@code onMessageFailed}: a custom {@link FailureHandler} overriding both.</li>
 *   <li>{@code prefetch} (default: not asked): at most this many unacknowledged messages in flight,
 *       asked of the broker with its own header ({@code activemq.prefetchSize} on ActiveMQ Classic,
 *       {@code prefetch-count} on RabbitMQ); ActiveMQ Artemis counts in bytes and cannot be asked,
 *       which the client logs once (see {@link dev.stompbox.protocol.commands.Prefetch}).</li>
 *   <li>{@code confirm} (default on): ask for a RECEIPT on the SUBSCRIBE, so that
 *       {@code subscribe(...)} completes only once the broker accepted it, and fails with the
 *       broker's ERROR ({@link dev.stompbox.protocol.StompBrokerException}) when it refuses the
 *       destination or the selector. Off: it completes once the SUBSCRIBE is written.</li>
 * </ul>
 * Without any of these a failure makes the client disconnect gracefully, which is what NACK means
 * in STOMP 1.0: the broker redelivers the message. Immutable.
 *
 * <pre>{@code
 * SubscriptionOptions options = SubscriptionOptions.builder()
 *         .concurrency(8)
 *         .errorDestination("/queue/testTransformerError")
 *         .build();
 * }</pre>
 */
public final class SubscriptionOptions {
    private static final SubscriptionOptions DEFAULTS = builder().build();

    private final int concurrency;
    private final Executor executor;
    private final boolean onEventLoop;
    private final String errorDestination;
    private final java.util.Map<String, String> errorHeaders;
    private final boolean nackOnError;
    private final FailureHandler onMessageFailed;
    private final boolean confirm;
    private final int prefetch;

    private SubscriptionOptions(Builder b) {
        this.concurrency = b.concurrency;
        this.executor = b.executor;
        this.onEventLoop = b.onEventLoop;
        this.errorDestination = b.errorDestination;
        this.errorHeaders = java.util.Map.copyOf(b.errorHeaders);
        this.nackOnError = b.nackOnError;
        this.onMessageFailed = b.onMessageFailed;
        this.confirm = b.confirm;
        this.prefetch = b.prefetch;
    }

    /** Unacknowledged messages in flight to ask the broker for; 0 when not asked. */
    public int prefetch() {
        return prefetch;
    }

    /** Whether {@code subscribe} waits for the broker's RECEIPT; see the class documentation. */
    public boolean confirm() {
        return confirm;
    }

    public static SubscriptionOptions defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int concurrency() {
        return concurrency;
    }

    public Executor executor() {
        return executor;
    }

    public boolean onEventLoop() {
        return onEventLoop;
    }

    public String errorDestination() {
        return errorDestination;
    }

    /** Headers the forward to the error destination carries, over the message's own. */
    public java.util.Map<String, String> errorHeaders() {
        return errorHeaders;
    }

    public boolean nackOnError() {
        return nackOnError;
    }

    public FailureHandler onMessageFailed() {
        return onMessageFailed;
    }

    /** Builds {@link SubscriptionOptions}. */
    public static final class Builder {
        private boolean confirm = true;
        private int prefetch;
        private int concurrency = 1;
        private Executor executor;
        private boolean onEventLoop;
        private String errorDestination;
        private final java.util.Map<String, String> errorHeaders = new java.util.LinkedHashMap<>();
        private boolean nackOnError;
        private FailureHandler onMessageFailed;

        private Builder() {
        }

        public Builder concurrency(int concurrency) {
            if (concurrency < 1) {
                throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
            }
            this.concurrency = concurrency;
            return this;
        }

        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        public Builder onEventLoop(boolean onEventLoop) {
            this.onEventLoop = onEventLoop;
            return this;
        }

        /** A header for the forward to the error destination (say {@code persistent:true}), over the message's own. */
        public Builder errorHeader(String name, String value) {
            errorHeaders.put(java.util.Objects.requireNonNull(name, "name"), java.util.Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder errorDestination(String destination) {
            this.errorDestination = destination;
            return this;
        }

        public Builder nackOnError(boolean nack) {
            this.nackOnError = nack;
            return this;
        }

        public Builder onMessageFailed(FailureHandler handler) {
            this.onMessageFailed = handler;
            return this;
        }

        /**
         * At most this many unacknowledged messages in flight, asked of the broker with the header
         * it knows (about the concurrency you allow is right: what the broker has sent and the
         * client has not handled waits here, not at another consumer).
         */
        public Builder prefetch(int messages) {
            if (messages < 1) {
                throw new IllegalArgumentException("prefetch must be at least 1: " + messages);
            }
            this.prefetch = messages;
            return this;
        }

        /** Whether {@code subscribe} completes only on the broker's RECEIPT (default on). */
        public Builder confirm(boolean on) {
            this.confirm = on;
            return this;
        }

        public SubscriptionOptions build() {
            return new SubscriptionOptions(this);
        }
    }
}
