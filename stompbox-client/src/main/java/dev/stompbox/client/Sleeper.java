package dev.stompbox.client;

import java.time.Duration;

/**
 * How the client waits out a reconnect delay. The default sleeps the calling thread; tests hand in
 * one that records the delays instead.
 *
 * <pre>{@code
 * List<Duration> slept = new ArrayList<>();
 * StompClientConfig config = StompClientConfig.builder(uri).sleeper(slept::add).build();
 * }</pre>
 */
@FunctionalInterface
public interface Sleeper {
    /** Sleeps the real time away. */
    Sleeper SYSTEM = d -> Thread.sleep(d.toMillis(), d.toNanosPart() % 1_000_000);

    void sleep(Duration duration) throws InterruptedException;
}
