package dev.stompbox.examples;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.EmbeddedClassic;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.fixtures.TlsBroker;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every example the README links, run against embedded Artemis (transactions against ActiveMQ Classic). */
class ExamplesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private EmbeddedArtemis broker;

    @BeforeEach
    void start() {
        broker = new EmbeddedArtemis(60_000);
    }

    @AfterEach
    void stop() {
        broker.close();
    }

    private StompClient connected(String uri) {
        StompClient c = StompClient.create(uri);
        c.connect();
        return c;
    }

    @Test
    void simpleProducerThenAsyncSimpleConsumer() throws Exception {
        SimpleProducer.main(new String[] {broker.uri()});
        AsyncSimpleProducer.main(new String[] {broker.uri()});
        AsyncStompClient consumer = AsyncStompClient.create(AsyncStompClientConfig.builder(broker.uri()).build());
        try {
            consumer.connect().join();
            BlockingQueue<String> got = new LinkedBlockingQueue<>();
            AsyncSimpleConsumer.run(consumer, got::add).join();
            List<String> bodies = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bodies.add(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
            assertThat(bodies).containsExactly("test message1", "test message2", "test message1", "test message2");
        } finally {
            consumer.close();
        }
    }

    @Test
    void blockingChainCountsAndDivertsPoisonInTransactions() throws Exception {
        try (StompClient producer = connected(broker.uri());
             StompClient transformer = connected(broker.uri());
             StompClient consumer = connected(broker.uri())) {
            BlockingChain.produce(producer);
            producer.send(Producer.QUEUE, "poison for the transformer");
            Thread t = new Thread(() -> BlockingChain.transform(transformer, Duration.ofSeconds(2)));
            t.start();
            List<Integer> counts = new CopyOnWriteArrayList<>();
            BlockingChain.consume(consumer, Duration.ofSeconds(3), counts::add);
            t.join(TIMEOUT.toMillis());
            assertThat(t.isAlive()).isFalse();
            assertThat(counts).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
            producer.subscribe(IncrementTransformer.ERROR_QUEUE, Map.of());
            StompFrame poison = producer.receiveFrame(TIMEOUT);
            assertThat(poison.bodyAsString()).isEqualTo("poison for the transformer");
            assertThat(poison.header("stompbox-error")).contains("not a count message");
        }
    }

    /** On ActiveMQ Classic: Artemis applies an ACK at once even inside a transaction, so an abort cannot return the message there. */
    @Test
    void transactionalTransferMovesOnCommitAndLeavesTheMessageOnAbort() {
        try (EmbeddedClassic classic = new EmbeddedClassic()) {
            try (StompClient stomp = connected(classic.uri())) {
                stomp.send("/queue/from", "first");
                stomp.send("/queue/from", "second");
                assertThat(TransactionalTransfer.transfer(stomp, "/queue/from", "/queue/to", true, TIMEOUT).bodyAsString())
                        .isEqualTo("first");
            }
            try (StompClient stomp = connected(classic.uri())) {
                assertThat(TransactionalTransfer.transfer(stomp, "/queue/from", "/queue/to", false, TIMEOUT).bodyAsString())
                        .isEqualTo("second");
            }
            try (StompClient check = connected(classic.uri())) {
                check.subscribe("/queue/to", Map.of());
                assertThat(check.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("first");
                assertThat(check.receiveFrame(Duration.ofMillis(500))).as("the aborted move sent nothing").isNull();
                check.subscribe("/queue/from", Map.of());
                assertThat(check.receiveFrame(TIMEOUT).bodyAsString()).as("the aborted ack left it queued").isEqualTo("second");
            }
        }
    }

    @Test
    void atLeastOnceProducerThenEveryMessageOnce() throws Exception {
        AsyncStompClient producer = AtLeastOnceProducer.client("failover:(" + broker.uri() + ")");
        try {
            producer.connect().get(20, TimeUnit.SECONDS);
            AtLeastOnceProducer.publish(producer, "/queue/alo", 200, TIMEOUT);
            producer.disconnect().get(20, TimeUnit.SECONDS);
        } finally {
            producer.close();
        }
        try (StompClient check = connected(broker.uri())) {
            check.subscribe("/queue/alo", Map.of());
            List<String> got = new ArrayList<>();
            StompFrame f;
            while ((f = check.receiveFrame(Duration.ofMillis(500))) != null) {
                got.add(f.bodyAsString());
                assertThat(f.header("receipt")).as("the receipt id, for pairing copies").isNotNull();
            }
            assertThat(got).hasSize(200).doesNotHaveDuplicates().contains("message 0", "message 199");
        }
    }

    @Test
    void failoverConsumerCarriesOnOnTheSecondBroker() throws Exception {
        int firstPort = TestBroker.freePort();
        EmbeddedArtemis first = new EmbeddedArtemis(firstPort, 60_000);
        boolean firstUp = true;
        String uri = "failover:(tcp://127.0.0.1:" + firstPort + "," + broker.uri() + ")?randomize=false&initialReconnectDelay=50";
        List<ReconnectReport> reports = new CopyOnWriteArrayList<>();
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        try (StompClient stomp = FailoverConsumer.client(uri, reports::add)) {
            stomp.connect();
            Thread t = new Thread(() -> {
                try {
                    FailoverConsumer.consume(stomp, "/queue/failover", Duration.ofSeconds(10), got::add);
                } catch (dev.stompbox.protocol.StompConnectionException closed) {
                    // The test closed the client under the waiting receive: the consumer's end, not a failure.
                }
            });
            t.setDaemon(true);
            t.start();
            try (StompClient p = connected("tcp://127.0.0.1:" + firstPort)) {
                p.send("/queue/failover", "on the first");
            }
            assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("on the first");
            first.close();
            firstUp = false;
            try (StompClient p = connected(broker.uri())) {
                p.send("/queue/failover", "on the second");
            }
            assertThat(got.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)).isEqualTo("on the second");
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0).broker().port()).isEqualTo(broker.port());
        } finally {
            if (firstUp) {
                first.close();
            }
        }
    }

    @Test
    void tlsProducerSendsOverVerifiedTls() throws Exception {
        try (TlsBroker tls = new TlsBroker()) {
            String uri = "ssl://localhost:" + tls.port();
            TlsProducer.send(uri, tls.trusting(), "/queue/tls", "secret");
            try (StompClient check = StompClient.create(StompClientConfig.builder(uri).sslContext(tls.trusting()).build())) {
                check.connect();
                check.subscribe("/queue/tls", Map.of());
                assertThat(check.receiveFrame(TIMEOUT).bodyAsString()).isEqualTo("secret");
            }
        }
    }
}
