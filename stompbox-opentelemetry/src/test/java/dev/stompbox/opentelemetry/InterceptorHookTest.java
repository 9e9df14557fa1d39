package dev.stompbox.opentelemetry;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncTransaction;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.client.Transaction;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.interceptor.MessageScope;
import dev.stompbox.protocol.interceptor.SendScope;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The hook itself, as any interceptor sees it, on both clients against Artemis: every way the
 * application sends is seen, what the interceptor adds arrives, the scopes are called in order, and
 * an interceptor that throws fails the send.
 */
class InterceptorHookTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();

    /** Stamps every SEND and writes down what it hears. */
    static final class Recording implements StompInterceptor {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public SendScope beforeSend(String destination, Map<String, String> headers) {
            headers.put("x-stamp", "stamped");
            events.add("send " + destination + (headers.containsKey("transaction") ? " in tx" : ""));
            return failure -> events.add("sent " + (failure == null ? "ok" : failure.getClass().getSimpleName()));
        }

        @Override
        public MessageScope beforeMessage(StompFrame message, Delivery delivery) {
            events.add(delivery + " " + message.bodyAsString() + " on " + Thread.currentThread().getName().contains("loop"));
            return new MessageScope() {
                @Override
                public void close() {
                    events.add("close");
                }

                @Override
                public void handled(Throwable failure) {
                    events.add("handled " + (failure == null ? "ok" : failure.getMessage()));
                }
            };
        }
    }

    @Test
    @DisplayName("asynchronous client: plain, frame and transactional sends are stamped; a handler's stage ends its scope after close")
    void asyncClient() throws Exception {
        String q = "/queue/hook-async-" + System.nanoTime();
        Recording rec = new Recording();
        try (AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(ARTEMIS.broker().uri()).interceptor(rec).build())) {
            c.connect().get(20, TimeUnit.SECONDS);
            List<StompFrame> seen = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> later = new CompletableFuture<>();
            c.subscribe(q, Map.of(), (client, f) -> {
                seen.add(f);
                return f.bodyAsString().equals("three") ? later : null;
            }).get(20, TimeUnit.SECONDS);
            c.send(q, "one").get(20, TimeUnit.SECONDS);
            c.send(StompFrame.builder(StompCommand.SEND).header("destination", q).body("two".getBytes()).build()).get(20, TimeUnit.SECONDS);
            AsyncTransaction tx = c.begin().get(20, TimeUnit.SECONDS);
            tx.send(q, "three").get(20, TimeUnit.SECONDS);
            tx.commit().get(20, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() == 3);
            assertThat(seen).allMatch(f -> "stamped".equals(f.header("x-stamp")));
            assertThat(rec.events).contains("send " + q, "send " + q + " in tx").filteredOn(e -> e.startsWith("sent")).hasSize(3)
                    .allMatch(e -> e.equals("sent ok"));
            assertThat(rec.events).containsSubsequence("HANDLER one on false", "close", "handled ok");
            assertThat(rec.events).containsSubsequence("HANDLER three on false", "close").doesNotContain("handled boom");
            later.completeExceptionally(new IllegalStateException("boom"));
            await().atMost(Duration.ofSeconds(5)).until(() -> rec.events.contains("handled boom"));
        }
    }

    @Test
    @DisplayName("asynchronous client: an interceptor that throws fails the send's future, and nothing is sent")
    void asyncThrowingInterceptor() {
        StompInterceptor broken = new StompInterceptor() {
            @Override
            public SendScope beforeSend(String destination, Map<String, String> headers) {
                throw new IllegalStateException("no tracing today");
            }
        };
        try (AsyncStompClient c = AsyncStompClient.create(AsyncStompClientConfig.builder(ARTEMIS.broker().uri()).interceptor(broken).build())) {
            c.connect().join();
            assertThat(c.send("/queue/hook-never", "x")).failsWithin(Duration.ofSeconds(5))
                    .withThrowableThat().withMessageContaining("no tracing today");
        }
    }

    @Test
    @DisplayName("blocking client: plain, frame and transactional sends are stamped; receiveFrame opens and ends a RECEIVE scope")
    void blockingClient() {
        String q = "/queue/hook-blocking-" + System.nanoTime();
        Recording rec = new Recording();
        try (StompClient c = StompClient.create(StompClientConfig.builder(ARTEMIS.broker().uri()).interceptor(rec).build())) {
            c.connect();
            c.subscribe(q, Map.of());
            c.send(q, "one", Map.of("receipt", "r1")).await();
            c.send(StompFrame.builder(StompCommand.SEND).header("destination", q).body("two".getBytes()).build());
            Transaction tx = c.begin();
            tx.send(q, "three");
            tx.commit();
            for (String body : List.of("one", "two", "three")) {
                StompFrame f = c.receiveFrame(Duration.ofSeconds(20));
                assertThat(f.bodyAsString()).isEqualTo(body);
                assertThat(f.header("x-stamp")).isEqualTo("stamped");
            }
            assertThat(rec.events).containsSubsequence("send " + q, "sent ok", "send " + q, "sent ok", "send " + q + " in tx", "sent ok",
                    "RECEIVE one on false", "close", "handled ok");
        }
        StompInterceptor broken = new StompInterceptor() {
            @Override
            public SendScope beforeSend(String destination, Map<String, String> headers) {
                throw new IllegalStateException("no tracing today");
            }
        };
        try (StompClient c = StompClient.create(StompClientConfig.builder(ARTEMIS.broker().uri()).interceptor(broken).build())) {
            c.connect();
            assertThatThrownBy(() -> c.send(q, "x")).hasMessageContaining("no tracing today");
        }
    }
}
