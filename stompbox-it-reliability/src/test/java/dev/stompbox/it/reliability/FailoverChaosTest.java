package dev.stompbox.it.reliability;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.RabbitMqCluster;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.protocol.failover.BrokerAddress;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompException;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Failover chaos: brokers are crashed and started again while two producers send persistent
 * messages with at-least-once publishing and two consumers receive with {@code client-individual}
 * acks, all through the failover URI with auto-reconnect and replay. The topologies: one Artemis in
 * this JVM restarting on its port (crashed with {@code fail(false)}); two taking turns on one shared
 * journal directory; one in a JVM of its own killed with SIGKILL and started again; an Artemis HA
 * pair (replication, failback) whose active primary is killed with SIGKILL; and the three-node
 * RabbitMQ cluster of {@code scripts/rabbitmq.sh} with a quorum queue, whose node a client is on
 * ({@code broker()} says which) is killed with SIGKILL and started again.
 *
 * <p>Every message must arrive at least once; duplicates are counted by kind: a redelivery carries
 * {@code redelivered:true} (its ack was lost with a connection); a re-sent SEND is a second message
 * with the {@code receipt} id of the first copy (Artemis and RabbitMQ copy it into the MESSAGE; a
 * {@code message-id} cannot pair copies, as it names the consuming session too).
 *
 * <p>The defaults are the short run of {@code mvn -B verify}; {@code scripts/chaos.sh} runs the
 * same test with {@code -Dstompbox.chaos.messages=20000} and more kills.
 */
class FailoverChaosTest {
    private static final int MESSAGES = Integer.getInteger("stompbox.chaos.messages", 600);
    private static final int RATE = Integer.getInteger("stompbox.chaos.rate", 150); // messages/s, all producers
    private static final long KILL_EVERY = Long.getLong("stompbox.chaos.killEveryMillis", 800);
    private static final int KILLS = Integer.getInteger("stompbox.chaos.kills", 2); // -1: until the producers are done
    private static final long DOWN = Long.getLong("stompbox.chaos.downMillis", 300);
    /** Kills that must fall while the producers send (the long runs ask for 5). */
    private static final int MIN_KILLS_WHILE_SENDING = Integer.getInteger("stompbox.chaos.minKillsWhileSending", 1);
    private static final Duration SETTLE = Duration.ofSeconds(Long.getLong("stompbox.chaos.settleSeconds", 60));
    /** Which topologies to run (comma-separated; all when empty), for the scripts' long runs. */
    private static final List<String> TOPOLOGIES = List.of(System.getProperty("stompbox.chaos.topologies", "").split(",")).stream()
            .filter(t -> !t.isBlank()).toList();
    private static final int PRODUCERS = 2;
    private static final int CONSUMERS = 2;

    @TempDir
    Path tmp;

    /** What the consumers saw: every body, with the receipt id its first copy carried. */
    private final Map<String, String> receiptByBody = new ConcurrentHashMap<>();
    private final AtomicLong deliveries = new AtomicLong();
    private final AtomicLong redeliveries = new AtomicLong();
    private final AtomicLong resentCopies = new AtomicLong();
    private final List<String> unexplained = new CopyOnWriteArrayList<>();
    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    /** Where the first producer is, then each consumer: the chaos crashes the node of the first of them that is connected. */
    private final List<Supplier<BrokerAddress>> watched = new CopyOnWriteArrayList<>();
    private String queue;
    private Map<String, String> headers;

    @ParameterizedTest(name = "{0} client, {1}")
    @CsvSource({"blocking, restart", "async, restart", "blocking, alternate", "async, alternate", "blocking, sigkill", "async, sigkill",
            "blocking, artemis-ha", "async, artemis-ha", "blocking, rabbitmq-cluster", "async, rabbitmq-cluster"})
    void nothingLost(String kind, String topology) throws Exception {
        Assumptions.assumeTrue(TOPOLOGIES.isEmpty() || TOPOLOGIES.contains(topology), "not among -Dstompbox.chaos.topologies");
        ChaosTarget target = target(topology);
        queue = "/queue/chaos-" + kind + "-" + System.nanoTime();
        headers = target.destinationHeaders();
        String uri = target.failoverUri();
        List<AutoCloseable> open = new ArrayList<>();
        target.start();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < CONSUMERS; i++) {
                open.add(kind.equals("blocking") ? blockingConsumer(uri) : asyncConsumer(uri));
            }
            AtomicBoolean produced = new AtomicBoolean();
            AtomicInteger kills = new AtomicInteger();
            AtomicInteger whileProducing = new AtomicInteger();
            Thread chaos = new Thread(() -> chaos(target, produced, kills, whileProducing), "chaos");
            chaos.start();
            List<Thread> producers = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                int id = p;
                Runnable work = kind.equals("blocking") ? () -> blockingProducer(uri, id) : () -> asyncProducer(uri, id);
                Thread t = new Thread(() -> {
                    try {
                        work.run();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }, "producer-" + p);
                t.start();
                producers.add(t);
            }
            for (Thread t : producers) {
                t.join(TimeUnit.MINUTES.toMillis(30));
            }
            produced.set(true);
            chaos.join(TimeUnit.MINUTES.toMillis(5));
            assertThat(errors).as("producer errors").isEmpty();

            long deadline = System.nanoTime() + SETTLE.toNanos();
            while (receiptByBody.size() < MESSAGES && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<String> missing = new ArrayList<>();
            for (int p = 0; p < PRODUCERS; p++) {
                for (int i = 0; i < MESSAGES / PRODUCERS; i++) {
                    if (!receiptByBody.containsKey(body(p, i))) {
                        missing.add(body(p, i));
                    }
                }
            }
            System.out.printf("chaos [%s, %s]: %d messages, %d kills (%d while sending), %d deliveries, %d lost, %d duplicates (%d re-sent SENDs, "
                            + "%d redeliveries, %d unexplained), %d ms%n", kind, topology, MESSAGES, kills.get(), whileProducing.get(), deliveries.get(),
                    missing.size(), deliveries.get() - receiptByBody.size(), resentCopies.get(), redeliveries.get(), unexplained.size(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertThat(missing).withFailMessage("lost %d messages, the first: %s", missing.size(),
                    missing.subList(0, Math.min(20, missing.size()))).isEmpty();
            if (KILLS >= 0) {
                assertThat(kills.get()).as("kills").isEqualTo(KILLS);
            }
            assertThat(whileProducing.get()).as("kills while the producers were sending").isGreaterThanOrEqualTo(MIN_KILLS_WHILE_SENDING);
            assertThat(errors).as("consumer errors").isEmpty();
            assertThat(unexplained).as("duplicates neither redelivered nor carrying the receipt id of the first copy").isEmpty();
        } finally {
            for (AutoCloseable c : open) {
                try {
                    c.close();
                } catch (Exception e) {
                    // closing is best effort; the brokers go next
                }
            }
            target.stop();
        }
    }

    private ChaosTarget target(String topology) {
        Path dir = tmp.resolve("journal");
        switch (topology) {
            case "restart" -> {
                ChaosBroker a = new ChaosArtemis(TestBroker.freePort(), dir);
                return ChaosTarget.alternating(a, a);
            }
            case "alternate" -> {
                return ChaosTarget.alternating(new ChaosArtemis(TestBroker.freePort(), dir), new ChaosArtemis(TestBroker.freePort(), dir));
            }
            case "sigkill" -> {
                ChaosBroker a = new ArtemisProcess(TestBroker.freePort(), dir);
                return ChaosTarget.alternating(a, a);
            }
            case "artemis-ha" -> {
                return new ArtemisHaChaos(new ArtemisHaPair(tmp));
            }
            case "rabbitmq-cluster" -> {
                return new RabbitMqClusterChaos(RabbitMqCluster.runningOrSkip());
            }
            default -> throw new IllegalArgumentException(topology);
        }
    }

    /**
     * Crashes the live broker every {@link #KILL_EVERY} ms after it came back: {@link #KILLS} times
     * (even if the producers are done by then: the consumers still have acks in flight), or, with
     * -1, until the producers are done.
     */
    private void chaos(ChaosTarget target, AtomicBoolean produced, AtomicInteger kills, AtomicInteger whileProducing) {
        try {
            while (KILLS < 0 ? !produced.get() : kills.get() < KILLS) {
                Thread.sleep(KILL_EVERY);
                if (KILLS < 0 && produced.get()) {
                    return;
                }
                if (!produced.get()) {
                    whileProducing.incrementAndGet();
                }
                target.crashAndRecover(connectedPort(), DOWN);
                kills.incrementAndGet();
            }
        } catch (Throwable e) {
            errors.add(e);
        }
    }

    /**
     * The port of the broker a client is connected to: the first producer's while it sends, a
     * consumer's after (waits while they reconnect).
     */
    private int connectedPort() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            for (Supplier<BrokerAddress> w : watched) {
                BrokerAddress b = w.get();
                if (b != null) {
                    return b.port();
                }
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("no client was connected for 60 s");
    }

    private static String body(int producer, int i) {
        return "p" + producer + "-" + i;
    }

    private static Map<String, String> with(Map<String, String> headers, String name, String value) {
        Map<String, String> all = new LinkedHashMap<>(headers);
        all.put(name, value);
        return all;
    }

    private static void pace(long start, int i) {
        long due = start + (long) i * PRODUCERS * 1_000_000_000L / RATE;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
    }

    private void received(StompFrame f) {
        deliveries.incrementAndGet();
        String receipt = f.header("receipt");
        String first = receiptByBody.putIfAbsent(f.bodyAsString(), receipt == null ? "" : receipt);
        if (first == null) {
            return;
        }
        if ("true".equals(f.header("redelivered"))) {
            redeliveries.incrementAndGet();
        } else if (first.equals(receipt)) {
            resentCopies.incrementAndGet();
        } else {
            unexplained.add(f.info());
        }
    }

    // -- blocking client ---------------------------------------------------------------------------

    private static StompClientConfig.Builder blockingConfig(String uri) {
        return StompClientConfig.builder(uri).heartBeat(new HeartBeat(1000, 1000)).autoReconnect(true)
                .receiptTimeout(Duration.ofMinutes(2)).disconnectTimeout(Duration.ofSeconds(2));
    }

    private void blockingProducer(String uri, int id) {
        try (StompClient client = StompClient.create(blockingConfig(uri).atLeastOnce(true).build())) {
            client.connect(Duration.ofSeconds(30));
            if (id == 0) {
                watched.add(0, client::broker);
            }
            Map<String, String> sendHeaders = with(headers, "persistent", "true");
            List<Receipt> receipts = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES / PRODUCERS; i++) {
                pace(start, i);
                receipts.add(client.send(queue, body(id, i).getBytes(StandardCharsets.UTF_8), sendHeaders));
            }
            for (Receipt r : receipts) {
                r.await(Duration.ofMinutes(2));
            }
        }
    }

    private AutoCloseable blockingConsumer(String uri) {
        StompClient client = StompClient.create(blockingConfig(uri).build());
        client.connect(Duration.ofSeconds(30));
        client.subscribe(queue, with(headers, "ack", "client-individual"));
        watched.add(client::broker);
        AtomicBoolean stop = new AtomicBoolean();
        Thread t = new Thread(() -> {
            while (!stop.get()) {
                StompFrame f;
                try {
                    f = client.receiveFrame(Duration.ofMillis(100));
                } catch (StompException e) {
                    if (!stop.get()) {
                        errors.add(e); // with auto-reconnect, receive waits through reconnects: this is a real failure
                    }
                    return;
                }
                if (f == null) {
                    continue;
                }
                received(f);
                try {
                    client.ack(f);
                } catch (StompException e) {
                    // The connection went between receive and ack: the broker redelivers it.
                }
            }
        }, "consumer");
        t.start();
        return () -> {
            stop.set(true);
            t.join(5_000);
            client.close();
        };
    }

    // -- async client ------------------------------------------------------------------------------

    private static AsyncStompClientConfig.Builder asyncConfig(String uri) {
        return AsyncStompClientConfig.builder(uri).heartBeat(new HeartBeat(1000, 1000)).autoReconnect(true)
                .receiptTimeout(Duration.ofMinutes(2)).disconnectTimeout(Duration.ofSeconds(2));
    }

    private void asyncProducer(String uri, int id) {
        AsyncStompClient client = AsyncStompClient.create(asyncConfig(uri).atLeastOnce(true).build());
        try {
            client.connect().get(30, TimeUnit.SECONDS);
            if (id == 0) {
                watched.add(0, client::broker);
            }
            Map<String, String> sendHeaders = with(headers, "persistent", "true");
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < MESSAGES / PRODUCERS; i++) {
                pace(start, i);
                sent.add(client.send(queue, body(id, i).getBytes(StandardCharsets.UTF_8), sendHeaders));
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        } catch (Exception e) {
            throw new IllegalStateException("async producer " + id + " failed", e);
        } finally {
            client.close();
        }
    }

    private AutoCloseable asyncConsumer(String uri) throws Exception {
        AsyncStompClient client = AsyncStompClient.create(asyncConfig(uri).build());
        client.connect().get(30, TimeUnit.SECONDS);
        watched.add(client::broker);
        client.subscribe(queue, with(headers, "ack", "client-individual"), (c, f) -> {
            received(f);
            return null;
        }).get(30, TimeUnit.SECONDS);
        return client::close;
    }
}
