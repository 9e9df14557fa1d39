package dev.stompbox.opentelemetry;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.interceptor.MessageScope;
import dev.stompbox.protocol.interceptor.SendScope;
import dev.stompbox.protocol.interceptor.StompInterceptor;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Traces both Stompbox clients with OpenTelemetry, as a {@link StompInterceptor}: the trace context
 * travels in STOMP headers ({@code traceparent} and {@code tracestate} with the W3C propagator the
 * application configures), and spans follow OpenTelemetry's messaging semantic conventions:
 *
 * <table>
 *   <caption>Spans</caption>
 *   <tr><th>span</th><th>kind</th><th>when</th><th>parent</th></tr>
 *   <tr><td>{@code send <destination>}</td><td>PRODUCER</td><td>from the application's send until it is
 *       written (or receipted, when a receipt is awaited)</td><td>the caller's current context</td></tr>
 *   <tr><td>{@code process <destination>}</td><td>CONSUMER</td><td>an asynchronous client's handler, until
 *       its stage completes; current while the handler runs, so what it sends continues the trace</td>
 *       <td>the producer's context from the headers: one trace from producer through the broker to the handler</td></tr>
 *   <tr><td>{@code receive <destination>}</td><td>CLIENT</td><td>a blocking client's {@code receiveFrame}
 *       returning a message</td><td>the receiver's current context, with a link to the producer's</td></tr>
 * </table>
 *
 * <p>Attributes: {@code messaging.system} ({@code stomp} unless named), {@code messaging.operation.type}
 * and {@code messaging.operation.name} ({@code send}, {@code process}, {@code receive}: the
 * conventions' name for what older versions called {@code publish} is {@code send}),
 * {@code messaging.destination.name}, and on received messages {@code messaging.message.id},
 * {@code messaging.message.body.size} and {@code messaging.destination.subscription.name}. A failed
 * send or handler sets the span's status to ERROR with the exception and {@code error.type}.
 * Thread-safe; without it the clients record nothing and add no header.
 *
 * <pre>{@code
 * AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("tcp://broker:61613")
 *         .interceptor(StompTracing.create(openTelemetry))
 *         .build());
 * }</pre>
 */
public final class StompTracing implements StompInterceptor {
    /** The instrumentation scope the spans are recorded under. */
    public static final String INSTRUMENTATION_NAME = "dev.stompbox";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> SUBSCRIPTION = AttributeKey.stringKey("messaging.destination.subscription.name");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    private static final TextMapSetter<Map<String, String>> HEADERS_SETTER = (headers, key, value) -> {
        if (headers != null) {
            headers.put(key, value);
        }
    };

    private static final TextMapGetter<StompFrame> FRAME_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(StompFrame frame) {
            List<String> names = new ArrayList<>(frame.headerCount());
            for (int i = 0; i < frame.headerCount(); i++) {
                names.add(frame.headerName(i));
            }
            return names;
        }

        @Override
        public String get(StompFrame frame, String key) {
            return frame == null ? null : frame.header(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final String system;

    private StompTracing(OpenTelemetry openTelemetry, String system) {
        this.tracer = openTelemetry.getTracer(INSTRUMENTATION_NAME);
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.system = Objects.requireNonNull(system, "system");
    }

    /** Tracing with {@code openTelemetry}'s tracer and propagator; {@code messaging.system} is {@code stomp}. */
    public static StompTracing create(OpenTelemetry openTelemetry) {
        return create(openTelemetry, "stomp");
    }

    /** Tracing that names the broker in {@code messaging.system}, e.g. {@code activemq} or {@code rabbitmq}. */
    public static StompTracing create(OpenTelemetry openTelemetry, String system) {
        return new StompTracing(openTelemetry, system);
    }

    @Override
    public SendScope beforeSend(String destination, Map<String, String> headers) {
        Context parent = Context.current();
        Span span = tracer.spanBuilder("send " + destination).setSpanKind(SpanKind.PRODUCER).setParent(parent)
                .setAttribute(SYSTEM, system).setAttribute(OPERATION_TYPE, "send").setAttribute(OPERATION_NAME, "send")
                .setAttribute(DESTINATION, destination).startSpan();
        propagator.inject(parent.with(span), headers, HEADERS_SETTER);
        return failure -> end(span, failure);
    }

    @Override
    public MessageScope beforeMessage(StompFrame message, Delivery delivery) {
        Context producer = propagator.extract(Context.root(), message, FRAME_GETTER);
        String destination = message.header("destination", "");
        boolean handler = delivery == Delivery.HANDLER;
        String operation = handler ? "process" : "receive";
        SpanBuilder builder = tracer.spanBuilder(operation + " " + destination)
                .setSpanKind(handler ? SpanKind.CONSUMER : SpanKind.CLIENT)
                .setAttribute(SYSTEM, system).setAttribute(OPERATION_TYPE, operation).setAttribute(OPERATION_NAME, operation)
                .setAttribute(DESTINATION, destination).setAttribute(BODY_SIZE, (long) message.bodyLength());
        String id = message.header("message-id");
        if (id != null) {
            builder.setAttribute(MESSAGE_ID, id);
        }
        String subscription = message.header("subscription");
        if (subscription != null) {
            builder.setAttribute(SUBSCRIPTION, subscription);
        }
        SpanContext from = Span.fromContext(producer).getSpanContext();
        if (handler) {
            builder.setParent(producer);
        } else {
            builder.setParent(Context.current());
            if (from.isValid()) {
                builder.addLink(from);
            }
        }
        Span span = builder.startSpan();
        Scope current = span.makeCurrent();
        return new MessageScope() {
            @Override
            public void close() {
                current.close();
            }

            @Override
            public void handled(Throwable failure) {
                end(span, failure);
            }
        };
    }

    private static void end(Span span, Throwable failure) {
        if (failure != null) {
            span.setStatus(StatusCode.ERROR, failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName());
            span.recordException(failure);
            span.setAttribute(ERROR_TYPE, failure.getClass().getName());
        }
        span.end();
    }
}
