package dev.stompbox.opentelemetry;

import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.SubscriptionOptions;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.protocol.StompFrame;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.testing.junit5.OpenTelemetryExtension;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traces through a real broker (embedded Artemis): the context goes out in the SEND's headers,
 * comes back in the MESSAGE's, and the spans of both clients join one trace.
 */
class StompTracingTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();
    @RegisterExtension
    static final OpenTelemetryExtension OTEL = OpenTelemetryExtension.create();

    private static String queue(String name) {
        return "/queue/trace-" + name + "-" + System.nanoTime();
    }

    private static AsyncStompClient async(boolean traced) {
        AsyncStompClientConfig.Builder b = AsyncStompClientConfig.builder(ARTEMIS.broker().uri());
        if (traced) {
            b.interceptor(StompTracing.create(OTEL.getOpenTelemetry(), "activemq"));
        }
        AsyncStompClient c = AsyncStompClient.create(b.build());
        c.connect().join();
        return c;
    }

    private static SpanData span(String name) {
        await().atMost(WAIT).until(() -> OTEL.getSpans().stream().anyMatch(s -> s.getName().equals(name)));
        return OTEL.getSpans().stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    @DisplayName("one trace from the producer's span through Artemis to the handler, whose reply continues it")
    void producerToHandler() throws Exception {
        String requests = queue("requests");
        String replies = queue("replies");
        BlockingQueue<StompFrame> seen = new LinkedBlockingQueue<>();
        BlockingQueue<SpanContext> current = new LinkedBlockingQueue<>();
        try (AsyncStompClient producer = async(true); AsyncStompClient consumer = async(true)) {
            consumer.subscribe(requests, Map.of("ack", "client-individual"), (c, f) -> {
                seen.add(f);
                current.add(Span.current().getSpanContext());
                return c.send(replies, "re: " + f.bodyAsString());
            }).get(20, TimeUnit.SECONDS);

            Span request = OTEL.getOpenTelemetry().getTracer("test").spanBuilder("request").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                producer.send(requests, "hello").get(20, TimeUnit.SECONDS);
            } finally {
                request.end();
            }
            StompFrame message = seen.poll(20, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(message.header("traceparent")).as("the W3C context crossed the broker in a header")
                    .contains(request.getSpanContext().getTraceId());

            SpanData send = span("send " + requests);
            SpanData process = span("process " + requests);
            SpanData reply = span("send " + replies);
            String trace = request.getSpanContext().getTraceId();
            assertThat(List.of(send, process, reply)).allMatch(s -> s.getTraceId().equals(trace));
            assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
            assertThat(send.getParentSpanId()).isEqualTo(request.getSpanContext().getSpanId());
            assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
            assertThat(process.getParentSpanId()).as("the handler's span is the producer's child").isEqualTo(send.getSpanId());
            assertThat(current.poll(1, TimeUnit.SECONDS).getSpanId()).as("current while the handler runs").isEqualTo(process.getSpanId());
            assertThat(reply.getParentSpanId()).as("what the handler sends continues the trace").isEqualTo(process.getSpanId());

            assertThat(send.getAttributes().asMap()).containsEntry(StompTracing.SYSTEM, "activemq")
                    .containsEntry(StompTracing.OPERATION_TYPE, "send").containsEntry(StompTracing.DESTINATION, requests);
            assertThat(process.getAttributes().asMap()).containsEntry(StompTracing.OPERATION_TYPE, "process")
                    .containsEntry(StompTracing.DESTINATION, requests).containsEntry(StompTracing.BODY_SIZE, 5L)
                    .containsEntry(StompTracing.MESSAGE_ID, message.header("message-id"))
                    .containsEntry(StompTracing.SUBSCRIPTION, message.header("subscription"));
            assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
        }
    }

    @Test
    @DisplayName("a failed handler's span says ERROR, with the exception and error.type")
    void failedHandler() throws Exception {
        String q = queue("failing");
        try (AsyncStompClient producer = async(true); AsyncStompClient consumer = async(true)) {
            consumer.subscribe(q, Map.of("ack", "client-individual"), (c, f) -> {
                throw new IllegalStateException("cannot handle " + f.bodyAsString());
            }, SubscriptionOptions.builder().errorDestination(queue("failing-errors")).build()).get(20, TimeUnit.SECONDS);
            producer.send(q, "this").get(20, TimeUnit.SECONDS);
            SpanData process = span("process " + q);
            assertThat(process.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(process.getStatus().getDescription()).isEqualTo("cannot handle this");
            assertThat(process.getAttributes().asMap()).containsEntry(StompTracing.ERROR_TYPE, IllegalStateException.class.getName());
            assertThat(process.getEvents()).anyMatch(e -> e.getName().equals("exception"));
        }
    }

    @Test
    @DisplayName("the blocking client: its SEND carries the context, and receiveFrame records a receive span linked to the producer's")
    void blockingClient() {
        String q = queue("blocking");
        StompClientConfig config = StompClientConfig.builder(ARTEMIS.broker().uri())
                .interceptor(StompTracing.create(OTEL.getOpenTelemetry())).build();
        try (StompClient producer = StompClient.create(config); StompClient consumer = StompClient.create(config)) {
            producer.connect();
            consumer.connect();
            consumer.subscribe(q, Map.of());
            producer.send(q, "pulled", Map.of("receipt", "r1")).await();
            StompFrame message = consumer.receiveFrame(WAIT);
            assertThat(message).isNotNull();
            SpanData send = span("send " + q);
            SpanData receive = span("receive " + q);
            assertThat(send.getAttributes().asMap()).containsEntry(StompTracing.SYSTEM, "stomp");
            assertThat(receive.getKind()).isEqualTo(SpanKind.CLIENT);
            assertThat(receive.getLinks()).as("linked to the producer's span, in the receiver's own trace")
                    .anyMatch(l -> l.getSpanContext().getSpanId().equals(send.getSpanId()));
        }
    }

    @Test
    @DisplayName("a send that fails ends its span with ERROR")
    void failedSend() {
        AsyncStompClient closed = AsyncStompClient.create(AsyncStompClientConfig.builder(ARTEMIS.broker().uri())
                .interceptor(StompTracing.create(OTEL.getOpenTelemetry())).build());
        closed.closeNow();
        String q = queue("never");
        assertThat(closed.send(q, "x")).failsWithin(WAIT);
        assertThat(span("send " + q).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    }

    @Test
    @DisplayName("without the interceptor the clients record nothing and add no header")
    void withoutTracing() throws Exception {
        String q = queue("untraced");
        BlockingQueue<StompFrame> seen = new LinkedBlockingQueue<>();
        try (AsyncStompClient producer = async(false); AsyncStompClient consumer = async(false)) {
            consumer.subscribe(q, Map.of(), (c, f) -> {
                seen.add(f);
                return null;
            }).get(20, TimeUnit.SECONDS);
            Span request = OTEL.getOpenTelemetry().getTracer("test").spanBuilder("request").startSpan();
            try (Scope ignored = request.makeCurrent()) {
                producer.send(q, "plain").get(20, TimeUnit.SECONDS);
            } finally {
                request.end();
            }
            StompFrame message = seen.poll(20, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(message.hasHeader("traceparent")).isFalse();
            assertThat(OTEL.getSpans()).extracting(SpanData::getName).containsExactly("request");
        }
    }
}
