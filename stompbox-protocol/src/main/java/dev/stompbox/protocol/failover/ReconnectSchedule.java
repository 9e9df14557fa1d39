package dev.stompbox.protocol.failover;

import dev.stompbox.protocol.StompConnectTimeoutException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * The sequence of (broker, delay) a client walks through to connect (stompest's
 * {@code StompFailoverTransport}). It computes; it never sleeps: waiting the delay is the client's
 * job.
 *
 * <p>Each {@link #iterator()} is one cycle of attempts, from a fresh back-off: the first cycle is
 * the startup connect and is limited by {@code startupMaxReconnectAttempts} when that is not 0,
 * every later cycle by {@code maxReconnectAttempts}. One attempt is one broker tried. The first
 * attempt of a cycle has no delay; reconnect attempts wait {@code initialReconnectDelay}, multiplied
 * by {@code backOffMultiplier} each time (with {@code useExponentialBackOff}), capped at
 * {@code maxReconnectDelay}, plus up to {@code reconnectDelayJitter} at random. Brokers are tried in
 * turn, shuffled on each pass with {@code randomize}, local ones first with
 * {@code priorityBackup}. When a cycle is spent, {@code next()} throws
 * {@link StompConnectTimeoutException} ("Reconnect timeout: N attempts"). {@code hasNext()} always
 * answers true, so that a for-each loop ends either by the client breaking out once connected, or
 * with that exception; {@link #spent(Iterator)} tells without throwing.
 *
 * <p>Not thread-safe; one schedule per client.
 *
 * <pre>{@code
 * ReconnectSchedule schedule = new ReconnectSchedule(FailoverUri.parse(uri));
 * for (ReconnectAttempt a : schedule) {          // throws StompConnectTimeoutException when spent
 *     Thread.sleep(a.delay().toMillis());
 *     try { return connect(a.broker()); } catch (IOException e) { log.warn("{} failed", a.broker(), e); }
 * }
 * }</pre>
 */
public final class ReconnectSchedule implements Iterable<ReconnectAttempt> {
    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1");

    private final FailoverUri uri;
    private final Random random;
    private final Set<String> localHosts;
    private boolean started;

    /** A schedule with its own {@link Random} and only loopback names counted as local. */
    public ReconnectSchedule(FailoverUri uri) {
        this(uri, new Random(), Set.of());
    }

    /**
     * @param random     the source for {@code randomize} and jitter (hand in a seeded one for tests)
     * @param localHosts extra host names or addresses {@code priorityBackup} counts as local, besides
     *                   loopback (the protocol layer does no name lookups of its own)
     */
    public ReconnectSchedule(FailoverUri uri, Random random, Set<String> localHosts) {
        this.uri = Objects.requireNonNull(uri, "uri");
        this.random = Objects.requireNonNull(random, "random");
        Set<String> local = new HashSet<>();
        for (String h : localHosts) {
            local.add(h.toLowerCase(Locale.ROOT));
        }
        this.localHosts = Collections.unmodifiableSet(local);
    }

    public FailoverUri uri() {
        return uri;
    }

    /** A new cycle of attempts; the first one ever is the startup cycle. */
    @Override
    public Iterator<ReconnectAttempt> iterator() {
        boolean startup = !started;
        started = true;
        return new Cycle(uri.options().reconnectAttemptsLimit(startup));
    }

    /** Whether a cycle from {@link #iterator()} has handed out every attempt it allows. */
    public static boolean spent(Iterator<ReconnectAttempt> cycle) {
        if (!(cycle instanceof Cycle)) {
            throw new IllegalArgumentException("not a cycle of a ReconnectSchedule: " + cycle);
        }
        return ((Cycle) cycle).spent();
    }

    private boolean isLocal(BrokerAddress b) {
        String h = b.host().toLowerCase(Locale.ROOT);
        return LOOPBACK.contains(h) || h.startsWith("127.") || localHosts.contains(h);
    }

    private final class Cycle implements Iterator<ReconnectAttempt> {
        private final int maxAttempts;
        private final FailoverOptions options = uri.options();
        private double reconnectDelay = options.initialReconnectDelay();
        private int attempts = -1;
        private List<BrokerAddress> pass = List.of();
        private int index;

        Cycle(int maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        /** Always true: a spent cycle ends with an exception from {@link #next()}. */
        @Override
        public boolean hasNext() {
            return true;
        }

        boolean spent() {
            return attempts >= 0 && maxAttempts != -1 && attempts >= maxAttempts;
        }

        @Override
        public ReconnectAttempt next() {
            if (spent()) {
                throw new StompConnectTimeoutException(maxAttempts);
            }
            BrokerAddress broker = nextBroker();
            attempts++;
            return new ReconnectAttempt(broker, delay(), attempts);
        }

        private BrokerAddress nextBroker() {
            if (index >= pass.size()) {
                List<BrokerAddress> list = new ArrayList<>(uri.brokers());
                if (options.randomize()) {
                    Collections.shuffle(list, random);
                }
                if (options.priorityBackup()) {
                    list.sort(Comparator.comparing(b -> !isLocal(b)));
                }
                pass = list;
                index = 0;
            }
            return pass.get(index++);
        }

        private Duration delay() {
            if (attempts == 0) {
                return Duration.ZERO;
            }
            double jitter = options.reconnectDelayJitter() == 0 ? 0 : random.nextDouble() * options.reconnectDelayJitter();
            double millis = Math.max(0, Math.min(reconnectDelay + jitter, options.maxReconnectDelay()));
            if (options.useExponentialBackOff()) {
                reconnectDelay *= options.backOffMultiplier();
            }
            return Duration.ofNanos(Math.round(millis * 1_000_000));
        }
    }
}
