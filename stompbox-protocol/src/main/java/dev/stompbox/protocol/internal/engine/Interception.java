package dev.stompbox.protocol.internal.engine;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompHeaders;
import dev.stompbox.protocol.interceptor.MessageScope;
import dev.stompbox.protocol.interceptor.SendScope;
import dev.stompbox.protocol.interceptor.StompInterceptor;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * How both clients call a {@link StompInterceptor}, written once: the SEND built by the
 * application with what the interceptor added, and a pulled MESSAGE's scope opened and ended.
 */
public final class Interception {
    private Interception() {
    }

    /** A SEND frame and the scope that hears how it ended. */
    public record Send(StompFrame frame, SendScope scope) {
    }

    /**
     * {@code frame} as the interceptor leaves it: it sees the frame's headers (the first of a repeated
     * one) and what it adds or changes is set on the frame.
     */
    public static Send beforeSend(StompInterceptor interceptor, StompFrame frame) {
        Map<String, String> headers = frame.headerMap();
        Map<String, String> before = new LinkedHashMap<>(headers);
        SendScope scope = interceptor.beforeSend(frame.header(StompHeaders.DESTINATION), headers);
        StompFrame out = frame;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!Objects.equals(before.get(h.getKey()), h.getValue())) {
                out = out.withHeader(h.getKey(), h.getValue());
            }
        }
        return new Send(out, scope);
    }

    /** The blocking client's send under {@code scope}: it hears how the send ended, returned or thrown. */
    public static <T> T around(SendScope scope, Supplier<T> send) {
        T result;
        try {
            result = send.get();
        } catch (RuntimeException | Error e) {
            scope.sent(e);
            throw e;
        }
        scope.sent(null);
        return result;
    }

    /**
     * The asynchronous client's send under the scope {@code before} opens: it hears how the send's
     * future ended; an interceptor that throws fails the future returned, and nothing is sent.
     */
    public static <T> CompletableFuture<T> aroundAsync(Supplier<SendScope> before, Supplier<CompletableFuture<T>> send) {
        SendScope scope;
        try {
            scope = before.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CompletableFuture<T> sent;
        try {
            sent = send.get();
        } catch (RuntimeException | Error e) {
            scope.sent(e);
            throw e;
        }
        sent.whenComplete((v, e) -> scope.sent(e));
        return sent;
    }

    /** A MESSAGE the blocking client's receive returns: its scope is opened and ended at once. */
    public static StompFrame received(StompInterceptor interceptor, StompFrame message) {
        if (interceptor != StompInterceptor.NONE && message != null) {
            MessageScope scope = interceptor.beforeMessage(message, StompInterceptor.Delivery.RECEIVE);
            scope.close();
            scope.handled(null);
        }
        return message;
    }
}
