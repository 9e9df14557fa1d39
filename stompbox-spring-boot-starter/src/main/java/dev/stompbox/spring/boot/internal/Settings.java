package dev.stompbox.spring.boot.internal;

import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.connection.ConnectionConfig;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import dev.stompbox.protocol.metrics.StompMetrics;
import dev.stompbox.spring.boot.StompboxProperties;

import javax.net.ssl.SSLContext;
import java.time.Duration;
import java.util.function.Consumer;

/** The {@code stompbox.*} properties both clients share, applied once to either client's builder. */
public final class Settings {
    private Settings() {
    }

    /**
     * The URL the clients are given: with auto-reconnect, one broker is wrapped in {@code failover:(...)}
     * so that the failover defaults (back-off, forever) apply to it; a bare URL means one attempt.
     */
    public static String url(StompboxProperties p) {
        String url = p.getUrl().trim();
        return p.isAutoReconnect() && !url.startsWith("failover:") ? "failover:(" + url + ")" : url;
    }

    public static <B extends ConnectionConfig.Builder<B>> B apply(StompboxProperties p, B b, SSLContext ssl,
                                                                   ConnectionListener listener, StompMetrics metrics,
                                                                   StompInterceptor interceptor) {
        set(p.getLogin(), b::login);
        set(p.getPasscode(), b::passcode);
        set(p.getVirtualHost(), b::virtualHost);
        set(p.getConnectTimeout(), b::connectTimeout);
        set(p.getConnectedTimeout(), b::connectedTimeout);
        set(p.getReceiptTimeout(), b::receiptTimeout);
        set(p.getDisconnectTimeout(), b::disconnectTimeout);
        set(p.getWriteTimeout(), b::writeTimeout);
        StompboxProperties.HeartBeat hb = p.getHeartBeat();
        if (hb.getSend() != null || hb.getReceive() != null) {
            b.heartBeat(new HeartBeat(millis(hb.getSend()), millis(hb.getReceive())));
        }
        set(ssl, b::sslContext);
        b.hostnameVerification(p.getSsl().isHostnameVerification());
        b.autoReconnect(p.isAutoReconnect());
        b.atLeastOnce(p.isAtLeastOnce());
        b.listener(listener);
        b.metrics(metrics);
        b.interceptor(interceptor);
        return b;
    }

    /** Heart-beat milliseconds; an unset direction keeps the library's 10 s. */
    private static long millis(Duration d) {
        return d == null ? 10_000 : d.toMillis();
    }

    private static <T> void set(T value, Consumer<T> setter) {
        if (value != null) {
            setter.accept(value);
        }
    }
}
