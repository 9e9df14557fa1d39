package dev.stompbox.spring.listener;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncSubscription;
import dev.stompbox.spring.boot.StompboxClientLifecycle;
import dev.stompbox.spring.boot.StompboxProperties;
import dev.stompbox.spring.boot.internal.Stopping;
import dev.stompbox.spring.listener.internal.ListenerEndpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Subscribes every {@link StompListener} method once the client is connected (the client replays
 * the subscriptions after each reconnect), and a listener of a bean made later (a {@code @Lazy} one)
 * when that bean is made; when the context stops, it unsubscribes them and waits
 * for the methods still running, at most {@code stompbox.listener.shutdown-timeout}, before the
 * client disconnects. A listener the broker refuses (an unknown destination, a bad selector) is
 * logged as an error and left out; the others go on. Thread-safe.
 *
 * <pre>{@code
 * @Autowired StompListenerContainer listeners;
 * listeners.subscribed();   // {"orders.on" -> "/queue/orders"} once the broker accepted it
 * }</pre>
 */
public class StompListenerContainer implements SmartLifecycle {
    /** After the client has connected; stops before it disconnects. */
    public static final int PHASE = StompboxClientLifecycle.PHASE + 1024;

    private static final Logger log = LoggerFactory.getLogger(StompListenerContainer.class);

    private final StompboxClientLifecycle connection;
    private final AsyncStompClient client;
    private final StompListenerMethodProcessor methods;
    private final StompboxProperties.Listener properties;
    private final Map<ListenerEndpoint, AsyncSubscription> subscriptions = new ConcurrentHashMap<>();
    /** The listeners asked for since the last start: each once, whether found before the start or after it. */
    private final java.util.Set<ListenerEndpoint> requested = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile CompletableFuture<Void> subscribing = CompletableFuture.completedFuture(null);

    public StompListenerContainer(StompboxClientLifecycle connection, AsyncStompClient client, StompListenerMethodProcessor methods,
                                  StompboxProperties.Listener properties) {
        this.connection = connection;
        this.client = client;
        this.methods = methods;
        this.properties = properties;
        methods.onAdded(this::added);
    }

    /** The listener methods the broker accepted, by name ({@code bean.method}), with their destinations. */
    public Map<String, String> subscribed() {
        Map<String, String> out = new java.util.TreeMap<>();
        subscriptions.keySet().forEach(e -> out.put(e.name(), e.destination()));
        return out;
    }

    /** Completes once every listener method has been subscribed or refused, after each start. */
    public CompletableFuture<Void> subscribing() {
        return subscribing;
    }

    /** Listener methods running now. */
    public int running() {
        return methods.inFlight().running();
    }

    @Override
    public boolean isAutoStartup() {
        return properties.isAutoStartup();
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        running = true;
        List<ListenerEndpoint> endpoints = methods.endpoints();
        subscribing = connection.connected().thenCompose(c -> {
            List<CompletableFuture<?>> each = new ArrayList<>();
            for (ListenerEndpoint e : endpoints) {
                each.add(subscribe(e));
            }
            return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new));
        });
    }

    /** A listener method found while running (its bean was made after the start): subscribed now. */
    private synchronized void added(ListenerEndpoint e) {
        if (running) {
            CompletableFuture<Void> late = connection.connected().thenCompose(c -> subscribe(e));
            subscribing = CompletableFuture.allOf(subscribing, late);
        }
    }

    /** Subscribes {@code e} unless it was already asked for since the start; a refusal is logged, not thrown. */
    private CompletableFuture<Void> subscribe(ListenerEndpoint e) {
        if (!requested.add(e)) {
            return CompletableFuture.completedFuture(null);
        }
        return client.subscribe(e.destination(), e.headers(), e.handler(), e.options()).handle((sub, failure) -> {
            if (failure != null) {
                log.error("@StompListener {} could not subscribe: {}", e, failure.toString());
                return null;
            }
            synchronized (this) { // not between stop()'s reading of running and of the subscriptions
                if (running) {
                    subscriptions.put(e, sub);
                    log.info("@StompListener {} subscribed", e);
                } else {
                    client.unsubscribe(sub); // stopped meanwhile
                }
            }
            return null;
        });
    }

    @Override
    public void stop(Runnable callback) {
        List<CompletableFuture<Void>> unsubscribed = new ArrayList<>();
        synchronized (this) {
            running = false;
            subscriptions.values().forEach(s -> unsubscribed.add(client.unsubscribe(s).exceptionally(e -> null)));
            subscriptions.clear();
            requested.clear();
        }
        CompletableFuture.allOf(unsubscribed.toArray(CompletableFuture[]::new))
                .orTimeout(properties.getShutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .handle((v, e) -> null)
                .thenRunAsync(() -> {
                    try {
                        int left = methods.inFlight().awaitIdle(properties.getShutdownTimeout());
                        if (left > 0) {
                            log.warn("{} @StompListener method(s) still running after {}; the client disconnects regardless",
                                    left, properties.getShutdownTimeout());
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    callback.run();
                }, r -> {
                    Thread t = new Thread(r, "stompbox-listener-stop");
                    t.setDaemon(true);
                    t.start();
                });
    }

    @Override
    public void stop() {
        // Unsubscribing and then the running methods: each within the shutdown timeout.
        Stopping.await(this::stop, properties.getShutdownTimeout().multipliedBy(2).plusSeconds(1));
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
