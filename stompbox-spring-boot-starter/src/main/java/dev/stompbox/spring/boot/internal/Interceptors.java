package dev.stompbox.spring.boot.internal;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.interceptor.MessageScope;
import dev.stompbox.protocol.interceptor.SendScope;
import dev.stompbox.protocol.interceptor.StompInterceptor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The application's {@link StompInterceptor} beans as one, in their order: each sees a SEND or a
 * MESSAGE in turn, and their scopes end in the reverse order, as nested scopes do.
 */
public final class Interceptors implements StompInterceptor {
    private final List<StompInterceptor> all;

    private Interceptors(List<StompInterceptor> all) {
        this.all = List.copyOf(all);
    }

    /** {@link StompInterceptor#NONE} for none, the one itself for one, else all of them in order. */
    public static StompInterceptor of(List<StompInterceptor> interceptors) {
        return interceptors.isEmpty() ? NONE : interceptors.size() == 1 ? interceptors.get(0) : new Interceptors(interceptors);
    }

    @Override
    public SendScope beforeSend(String destination, Map<String, String> headers) {
        List<SendScope> scopes = new ArrayList<>(all.size());
        for (StompInterceptor i : all) {
            scopes.add(i.beforeSend(destination, headers));
        }
        return failure -> {
            for (int i = scopes.size() - 1; i >= 0; i--) {
                scopes.get(i).sent(failure);
            }
        };
    }

    @Override
    public MessageScope beforeMessage(StompFrame message, Delivery delivery) {
        List<MessageScope> scopes = new ArrayList<>(all.size());
        for (StompInterceptor i : all) {
            scopes.add(i.beforeMessage(message, delivery));
        }
        return new MessageScope() {
            @Override
            public void close() {
                for (int i = scopes.size() - 1; i >= 0; i--) {
                    scopes.get(i).close();
                }
            }

            @Override
            public void handled(Throwable failure) {
                for (int i = scopes.size() - 1; i >= 0; i--) {
                    scopes.get(i).handled(failure);
                }
            }
        };
    }
}
