package dev.stompbox.micrometer;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.metrics.StompMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a Stompbox client's work as Micrometer meters. Every meter carries the tag
 * {@code client} (the name given here) plus any extra tags; give each client its own name.
 *
 * <table>
 * <caption>Meters</caption>
 * <tr><th>name</th><th>type</th><th>tags</th><th>what</th></tr>
 * <tr><td>stomp.client.connections</td><td>gauge</td><td></td><td>connections open now</td></tr>
 * <tr><td>stomp.client.connects</td><td>counter</td><td>outcome=success|failure, reconnect=true|false</td><td>connection attempts</td></tr>
 * <tr><td>stomp.client.frames</td><td>counter</td><td>direction=in|out, command</td><td>frames read and written</td></tr>
 * <tr><td>stomp.client.bytes</td><td>counter (bytes)</td><td>direction=in|out, command</td><td>their size on the wire</td></tr>
 * <tr><td>stomp.client.messages.delivered</td><td>counter</td><td></td><td>MESSAGEs handed to the application</td></tr>
 * <tr><td>stomp.client.messages.acked</td><td>counter</td><td></td><td>ACKs sent</td></tr>
 * <tr><td>stomp.client.messages.nacked</td><td>counter</td><td></td><td>NACKs sent</td></tr>
 * <tr><td>stomp.client.messages.forwarded</td><td>counter</td><td></td><td>failed messages sent to an error destination</td></tr>
 * <tr><td>stomp.client.messages.unhanded</td><td>counter</td><td>outcome=lost|redelivered</td><td>MESSAGEs read and never handed to the application before a disconnect: lost under ack auto, else redelivered by the broker</td></tr>
 * <tr><td>stomp.client.handler.duration</td><td>timer</td><td>outcome=success|failure</td><td>message handler time (asynchronous client)</td></tr>
 * <tr><td>stomp.client.handlers.active</td><td>gauge</td><td></td><td>handlers running now (asynchronous client)</td></tr>
 * <tr><td>stomp.client.receipt.duration</td><td>timer</td><td></td><td>frame written to RECEIPT read</td></tr>
 * <tr><td>stomp.client.receipt.timeouts</td><td>counter</td><td></td><td>RECEIPTs that did not come in time</td></tr>
 * <tr><td>stomp.client.sends.resent</td><td>counter</td><td></td><td>SENDs written again after a reconnect (at-least-once publishing)</td></tr>
 * <tr><td>stomp.client.heartbeats.missed</td><td>counter</td><td></td><td>times the broker stayed silent past its heart-beat</td></tr>
 * </table>
 *
 * <p>Thread-safe. Meters are registered when this object is created (per command on first use),
 * so a dashboard sees zeros rather than gaps.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry();
 * AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder("tcp://broker:61613")
 *         .metrics(MicrometerStompMetrics.of(registry, "orders"))
 *         .build());
 * }</pre>
 */
public final class MicrometerStompMetrics implements StompMetrics {
    private static final String PREFIX = "stomp.client.";

    private final MeterRegistry registry;
    private final Tags tags;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger handlers = new AtomicInteger();
    private final Counter connectSuccess;
    private final Counter connectFailure;
    private final Counter reconnectSuccess;
    private final Counter reconnectFailure;
    private final Map<StompCommand, Counter[]> in = new ConcurrentHashMap<>();
    private final Map<StompCommand, Counter[]> out = new ConcurrentHashMap<>();
    private final Counter delivered;
    private final Counter acked;
    private final Counter nacked;
    private final Counter forwarded;
    private final Counter unhandedLost;
    private final Counter unhandedRedelivered;
    private final Timer handlerSuccess;
    private final Timer handlerFailure;
    private final Timer receipts;
    private final Counter receiptTimeouts;
    private final Counter sendsResent;
    private final Counter heartBeatsMissed;

    private MicrometerStompMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        Gauge.builder(PREFIX + "connections", connections, AtomicInteger::get).tags(tags)
                .description("STOMP connections open").register(registry);
        Gauge.builder(PREFIX + "handlers.active", handlers, AtomicInteger::get).tags(tags)
                .description("message handlers running").register(registry);
        connectSuccess = connects("success", false);
        connectFailure = connects("failure", false);
        reconnectSuccess = connects("success", true);
        reconnectFailure = connects("failure", true);
        delivered = counter("messages.delivered", "MESSAGE frames handed to the application");
        acked = counter("messages.acked", "ACK frames sent");
        nacked = counter("messages.nacked", "NACK frames sent");
        forwarded = counter("messages.forwarded", "failed messages sent to an error destination");
        unhandedLost = unhanded("lost");
        unhandedRedelivered = unhanded("redelivered");
        handlerSuccess = handlerTimer("success");
        handlerFailure = handlerTimer("failure");
        receipts = Timer.builder(PREFIX + "receipt.duration").tags(tags)
                .description("time from a frame written to its RECEIPT read").register(registry);
        receiptTimeouts = counter("receipt.timeouts", "RECEIPTs that did not come within the receipt timeout");
        sendsResent = counter("sends.resent", "SENDs written again after a reconnect (at-least-once publishing)");
        heartBeatsMissed = counter("heartbeats.missed", "times the broker was silent past its heart-beat");
    }

    /** Meters tagged {@code client=clientName}. */
    public static MicrometerStompMetrics of(MeterRegistry registry, String clientName) {
        return of(registry, clientName, Tags.empty());
    }

    /** Meters tagged {@code client=clientName} and {@code extraTags}. */
    public static MicrometerStompMetrics of(MeterRegistry registry, String clientName, Iterable<Tag> extraTags) {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clientName, "clientName");
        return new MicrometerStompMetrics(registry, Tags.of("client", clientName).and(extraTags));
    }

    private Counter connects(String outcome, boolean reconnect) {
        return Counter.builder(PREFIX + "connects").tags(tags).tag("outcome", outcome)
                .tag("reconnect", Boolean.toString(reconnect)).description("connection attempts").register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(PREFIX + name).tags(tags).description(description).register(registry);
    }

    private Counter unhanded(String outcome) {
        return Counter.builder(PREFIX + "messages.unhanded").tags(tags).tag("outcome", outcome)
                .description("MESSAGE frames read and never handed to the application before a disconnect").register(registry);
    }

    private Timer handlerTimer(String outcome) {
        return Timer.builder(PREFIX + "handler.duration").tags(tags).tag("outcome", outcome)
                .description("message handler time").register(registry);
    }

    /** {frames, bytes} for one direction and command, registered on first use. */
    private Counter[] frames(Map<StompCommand, Counter[]> byCommand, String direction, StompCommand command) {
        Counter[] c = byCommand.get(command);
        if (c != null) {
            return c;
        }
        return byCommand.computeIfAbsent(command, k -> new Counter[] {
            Counter.builder(PREFIX + "frames").tags(tags).tag("direction", direction).tag("command", k.name())
                    .description("STOMP frames").register(registry),
            Counter.builder(PREFIX + "bytes").tags(tags).tag("direction", direction).tag("command", k.name())
                    .baseUnit("bytes").description("STOMP frame bytes on the wire").register(registry),
        });
    }

    @Override
    public void connectAttempt(boolean reconnect, boolean success) {
        (reconnect ? (success ? reconnectSuccess : reconnectFailure) : (success ? connectSuccess : connectFailure)).increment();
    }

    @Override
    public void connectionOpened() {
        connections.incrementAndGet();
    }

    @Override
    public void connectionClosed() {
        connections.decrementAndGet();
    }

    @Override
    public void frameReceived(StompCommand command, int bytes) {
        Counter[] c = frames(in, "in", command);
        c[0].increment();
        c[1].increment(bytes);
    }

    @Override
    public void frameSent(StompCommand command, int bytes) {
        Counter[] c = frames(out, "out", command);
        c[0].increment();
        c[1].increment(bytes);
    }

    @Override
    public void messageDelivered() {
        delivered.increment();
    }

    @Override
    public void messageAcked() {
        acked.increment();
    }

    @Override
    public void messageNacked() {
        nacked.increment();
    }

    @Override
    public void messageForwarded() {
        forwarded.increment();
    }

    @Override
    public void handlerStarted() {
        handlers.incrementAndGet();
    }

    @Override
    public void handlerFinished(long nanos, boolean success) {
        handlers.decrementAndGet();
        (success ? handlerSuccess : handlerFailure).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void receiptReceived(long nanos) {
        receipts.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void sendsResent(int count) {
        sendsResent.increment(count);
    }

    @Override
    public void messagesUnhanded(int count, boolean lost) {
        (lost ? unhandedLost : unhandedRedelivered).increment(count);
    }

    @Override
    public void receiptTimedOut() {
        receiptTimeouts.increment();
    }

    @Override
    public void heartBeatMissed() {
        heartBeatsMissed.increment();
    }

    @Override
    public String toString() {
        return "MicrometerStompMetrics" + tags;
    }
}
