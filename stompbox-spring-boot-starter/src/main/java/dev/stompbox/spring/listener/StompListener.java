package dev.stompbox.spring.listener;

import dev.stompbox.protocol.AckMode;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a bean method that handles the MESSAGEs of one subscription of the Stompbox asynchronous
 * client. The subscription is made once the client is connected, replayed after every reconnect,
 * and ended when the application context stops (messages being handled may finish first).
 *
 * <p><b>Arguments</b>, bound from the frame: the body as {@code String}, {@code byte[]}, or any
 * other type the {@code stompboxMessageConverter} bean converts it to (JSON with Jackson when it is
 * on the class path; the frame's {@code content-type} is passed on); a header with
 * {@code @Header("name")} (Spring Messaging's, converted to the parameter's type; required unless
 * it says otherwise), all headers with {@code @Headers Map<String, String>}, the
 * {@code StompFrame} itself, the {@code AsyncStompClient}. A parameter marked {@code @Payload} or not
 * marked at all is the body.
 *
 * <p><b>Return value</b>: {@code null} or {@code void} is done when the method returns. A
 * {@code CompletionStage} is done when it completes. Anything else (or what the stage completes
 * with) is sent on: to the destination of Spring Messaging's {@code @SendTo}, else to the message's
 * {@code reply-to} header, converted as the arguments are; the message is acknowledged once the reply
 * is written.
 *
 * <p><b>Failures</b> (a throw, a failed stage, a body that cannot be converted) are routed as the
 * asynchronous client routes them: to {@link #errorDestination()} when set, else NACKed with
 * {@link #nackOnError()}, else the client disconnects gracefully and the broker redelivers (STOMP
 * 1.0's meaning of a NACK). A disconnect the client chose is not a lost connection: it does not
 * reconnect, and the health indicator says DOWN. Give every listener whose failures are expected an
 * error destination or {@code nackOnError}.
 *
 * <pre>{@code
 * @Component
 * class Orders {
 *     @StompListener(destination = "/queue/orders", concurrency = "4", errorDestination = "/queue/orders.failed")
 *     @SendTo("/queue/orders.confirmed")
 *     Confirmation on(Order order, @Header("correlation-id") String correlation) {
 *         return confirm(order, correlation);
 *     }
 * }
 * }</pre>
 */
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface StompListener {
    /** The destination to subscribe to; {@code ${...}} placeholders are resolved. */
    String destination();

    /** Handlers of this subscription running at once (a number, or a placeholder); default 1, in order. */
    String concurrency() default "1";

    /**
     * The ack mode. {@code client-individual} (the default) acknowledges each message when its
     * handling is done, so a failure can be NACKed or sent to the error destination.
     */
    AckMode ack() default AckMode.CLIENT_INDIVIDUAL;

    /** Where failed messages are sent (then acknowledged); empty: none. Placeholders are resolved. */
    String errorDestination() default "";

    /** With no error destination, NACK a failed message (STOMP 1.1 and later) rather than disconnect. */
    boolean nackOnError() default false;

    /** A {@code selector} header (ActiveMQ's SQL-92 selectors); empty: none. */
    String selector() default "";

    /** Unacknowledged messages in flight to ask the broker for (a number or a placeholder); empty: not asked. */
    String prefetch() default "";

    /** More SUBSCRIBE headers, each {@code "name=value"} (placeholders are resolved), e.g. {@code "durable-subscription-name=audit"}. */
    String[] headers() default {};

    /** The subscription id; empty: one the client makes. */
    String id() default "";

    /**
     * Ask for a RECEIPT on the SUBSCRIBE and count the listener as subscribed only once it came (a refused
     * destination is then logged). Off for servers that send no receipts, such as Spring's simple broker.
     */
    boolean confirm() default true;
}
