package dev.stompbox.protocol.failover;

import java.time.Duration;

/**
 * One step of a {@link ReconnectSchedule}: wait {@code delay}, then try {@code broker}.
 * {@code attempt} is 0 for the initial try and counts reconnect attempts after it.
 *
 * <pre>{@code
 * ReconnectAttempt a = attempts.next();
 * Thread.sleep(a.delay().toMillis());
 * connect(a.broker());
 * }</pre>
 */
public record ReconnectAttempt(BrokerAddress broker, Duration delay, int attempt) {
}
