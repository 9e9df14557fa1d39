package dev.stompbox.protocol.interceptor;

/**
 * What a {@link StompInterceptor} hears of one SEND: how it ended, on whatever thread that is known.
 *
 * <pre>{@code
 * return failure -> log.debug("sent: {}", failure == null ? "ok" : failure.toString());
 * }</pre>
 */
@FunctionalInterface
public interface SendScope {
    /** Hears nothing. */
    SendScope NONE = failure -> {
    };

    /**
     * The send ended: written (or receipted, when a receipt was awaited) with {@code failure}
     * {@code null}, or failed with it. Called once.
     */
    void sent(Throwable failure);
}
