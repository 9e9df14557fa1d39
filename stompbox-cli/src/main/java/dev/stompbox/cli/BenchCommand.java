package dev.stompbox.cli;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.connection.ConnectionListener;
import dev.stompbox.protocol.connection.ReconnectReport;
import dev.stompbox.protocol.StompFrame;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code stompbox bench}: producers and consumers through a broker (the embedded one unless
 * {@code --url}), with live progress, throughput, end-to-end latency percentiles and an
 * exactly-once check.
 */
@Command(name = "bench", description = {"Measure throughput and end-to-end latency through a broker; check every message arrives once.",
        "Without --url it starts an embedded ActiveMQ Artemis on an ephemeral port.",
        "Exit 0 when nothing was lost, 1 otherwise."}, sortOptions = false)
final class BenchCommand implements Callable<Integer> {
    static final String SENT_NS = "stompbox-sent-ns";
    static final String SEQ = "stompbox-seq";

    @Option(names = "--producers", description = "Producer connections (default: ${DEFAULT-VALUE}).")
    int producers = 1;

    @Option(names = "--consumers", description = "Consumer connections (default: ${DEFAULT-VALUE}).")
    int consumers = 1;

    @Option(names = "--size", paramLabel = "BYTES", description = "Body size (default: ${DEFAULT-VALUE}).")
    int size = 128;

    @Option(names = "--messages", paramLabel = "N", description = "Messages in all, over all producers (default: ${DEFAULT-VALUE}).")
    long messages = 100_000;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Send for this long instead (10s, 500ms, 2m).")
    Duration duration;

    @Option(names = "--rate", paramLabel = "R", description = {"Send R messages per second over all producers, each at its due time;",
            "latency counts from the due time, so a stall is not hidden (coordinated omission). Default: as fast as possible."})
    double rate;

    @Option(names = "--warmup", paramLabel = "D", converter = DurationConverter.class,
            description = "Run this long first, on a queue of its own, and count none of it: the JIT warms up (default: 3s; 0 for none).")
    Duration warmup = Duration.ofSeconds(3);

    @Option(names = "--receipts", description = "Ask a RECEIPT for every SEND, at most --window awaited per producer.")
    boolean receipts;

    @Option(names = "--window", paramLabel = "W", description = "SENDs awaiting their RECEIPT per producer (default: ${DEFAULT-VALUE}).")
    int window = 100;

    @Option(names = "--ack", paramLabel = "auto|client-individual", description = "Consumers' ack mode (default: ${DEFAULT-VALUE}).")
    String ack = "auto";

    @Option(names = "--client", paramLabel = "blocking|async",
            description = "Which Stompbox client (default: blocking; async for a ws:// or wss:// URL, which only it speaks).")
    String client;

    @Option(names = "--on-event-loop", description = {"--client async: run the handlers on the event loop instead of the client's pool",
            "(the default is the pool, as for an application whose handlers may block)."})
    boolean onEventLoop;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "--client async: handlers of each consumer's subscription running at once (default: ${DEFAULT-VALUE}, the client's default).")
    int concurrency = 1;

    @Option(names = "--destination", paramLabel = "D", description = "Default: /queue/stompbox-bench-<random>.")
    String destination;

    @Option(names = "--header", paramLabel = "NAME:VALUE",
            description = "A header on every SEND and SUBSCRIBE, e.g. x-queue-type:quorum for a RabbitMQ quorum queue.")
    List<String> headerOptions = List.of();

    @Option(names = "--at-least-once", negatable = true, description = {"Keep every SEND until its RECEIPT and write it again after a reconnect;",
            "reconnect when the connection is lost (default: on with a failover: URL)."})
    Boolean atLeastOnce;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the summary as JSON.")
    Path json;

    @Option(names = "--report", paramLabel = "FILE.html",
            description = "Also write a self-contained HTML page: the summary, throughput over time and latency by percentile, as charts.")
    Path report;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final PrintStream out;
    private final boolean terminal;

    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong duplicated = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong resentSends = new AtomicLong();
    /** Counts, over every client of the run, the reconnects and the SENDs written again after them. */
    private final ConnectionListener failover = new ConnectionListener() {
        @Override
        public void reconnected(ReconnectReport report) {
            reconnects.incrementAndGet();
            resentSends.addAndGet(report.resentReceipts().size());
        }
    };
    private Map<String, String> extraHeaders = Map.of();
    private final Arrivals arrivals = new Arrivals();
    /**
     * How many times each message is to arrive: once on a queue; on a {@code /topic/} destination once at
     * every consumer (Artemis, ActiveMQ Classic and RabbitMQ deliver a topic's messages to each subscriber),
     * so that a consumer that misses one counts it lost, and the others' copies are not duplicates.
     */
    private int fanOut = 1;
    private final BenchTimeline timeline = new BenchTimeline();
    private final List<Histogram> histograms = new ArrayList<>();
    private volatile boolean producing = true;
    /** True during the warm-up: no progress lines, and its figures are dropped before the measured run. */
    private volatile boolean warming;
    /** The bit that marks a warm-up message's sequence number, so that a late one never counts in the measured run. */
    private static final long WARMUP_PHASE = 1L << 62;
    /** A message's sequence number: the phase bit, its producer from this bit up, its number under that producer below. */
    private static final int PRODUCER_SHIFT = 40;
    private volatile long phase;
    private long warmupLost;
    private volatile long firstSendNanos;
    private volatile long lastSendNanos;
    private volatile long lastReceiveNanos;

    BenchCommand(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public Integer call() throws Exception {
        validate();
        extraHeaders = HeaderOptions.parse(headerOptions);
        if (atLeastOnce == null) {
            atLeastOnce = connection.url != null && ConnectionOptions.failover(connection.url);
        }
        String dest = destination != null ? destination : "/queue/stompbox-bench-" + UUID.randomUUID().toString().substring(0, 8);
        fanOut = dest.startsWith("/topic/") ? consumers : 1;
        EmbeddedBroker broker = connection.url == null ? new EmbeddedBroker(0, 0) : null;
        String uri = broker != null ? broker.uri() : connection.url;
        try {
            String description = "bench: " + producers + " producer(s), " + consumers + " consumer(s), " + size + "-byte bodies, "
                    + (duration != null ? "for " + duration.toSeconds() + " s" : messages + " messages")
                    + (rate > 0 ? String.format(Locale.ROOT, " at %,.0f msg/s", rate) : "") + ", " + client
                    + " client" + tuning() + ", ack " + ack + (receipts ? ", receipts (window " + window + ")" : "")
                    + (atLeastOnce ? ", at-least-once (window " + window + ")" : "") + "; " + dest + " on "
                    + (broker != null ? "embedded Artemis " + uri : uri);
            out.println(description);
            try (SignalStop stop = new SignalStop("bench", STOP_WAIT)) {
                this.stop = stop;
                if (!warmup.isZero()) {
                    warmUp(uri, dest + "-warmup");
                }
                if (stop.requested()) {
                    out.println("stopped   during the warm-up: nothing measured");
                    return STOPPED;
                }
                runner(uri, dest).run();
                return summary(description, dest);
            }
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
    }

    /** What a run stopped by a signal returns (the JVM's own exit status is the signal's). */
    static final int STOPPED = 130;
    /** How long a signal waits for the summary: the consumers' quiet limit and some. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);
    /** Ctrl-C or SIGTERM: sending stops, what was sent is awaited, and the summary covers the run so far. */
    private volatile SignalStop stop;

    private boolean stopRequested() {
        SignalStop s = stop;
        return s != null && s.requested();
    }

    private BenchRunner runner(String uri, String dest) {
        return client.equals("async") ? new AsyncBenchRunner(this, uri, dest) : new BlockingBenchRunner(this, uri, dest);
    }

    /**
     * Runs the same clients' code for {@link #warmup} on a destination of its own, so that the measured
     * run starts with compiled code; then forgets every figure of it but the messages it lost.
     */
    private void warmUp(String uri, String dest) throws Exception {
        Duration measured = duration;
        duration = warmup;
        warming = true;
        phase = WARMUP_PHASE;
        try {
            runner(uri, dest).run();
        } finally {
            duration = measured;
            warming = false;
            phase = 0;
        }
        long warmSent = sent.get();
        warmupLost = Math.max(0, warmSent * fanOut - received.get());
        if (stopRequested()) {
            return; // cut short: its figures say nothing of the run
        }
        out.printf(Locale.ROOT, "warm-up   %,d messages in %.1f s, not counted%s%n", warmSent, warmup.toMillis() / 1000.0,
                warmupLost > 0 ? String.format(Locale.ROOT, " (%,d LOST)", warmupLost) : "");
        sent.set(0);
        received.set(0);
        duplicated.set(0);
        reconnects.set(0);
        resentSends.set(0);
        arrivals.clear();
        synchronized (histograms) {
            histograms.clear();
        }
        producing = true;
        firstSendNanos = 0;
        lastSendNanos = 0;
        lastReceiveNanos = 0;
    }

    private void validate() {
        if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
            throw new IllegalArgumentException("--rate must be a positive number of messages per second");
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative");
        }
        if (producers < 1 || consumers < 1 || size < 0 || messages < 1 || window < 1) {
            throw new IllegalArgumentException("--producers, --consumers, --messages and --window must be at least 1, --size at least 0");
        }
        if (!ack.equals("auto") && !ack.equals("client-individual")) {
            throw new IllegalArgumentException("--ack must be auto or client-individual, not '" + ack + "'");
        }
        boolean webSocket = connection.url != null && ConnectionOptions.webSocket(connection.url);
        if (client == null) {
            client = webSocket ? "async" : "blocking";
        }
        if (client.equals("blocking") && webSocket) {
            throw new IllegalArgumentException("the blocking client speaks STOMP over TCP and TLS; for " + connection.url + " use --client async");
        }
        if (!client.equals("blocking") && !client.equals("async")) {
            throw new IllegalArgumentException("--client must be blocking or async, not '" + client + "'");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency must be at least 1");
        }
        if (client.equals("blocking") && (onEventLoop || concurrency != 1)) {
            throw new IllegalArgumentException("--on-event-loop and --concurrency tune --client async; the blocking client has no handlers");
        }
    }

    /** The settings a run changes from the client's defaults, as the first line names them: empty for none. */
    private String tuning() {
        List<String> changed = new ArrayList<>();
        if (onEventLoop) {
            changed.add("handlers on the event loop");
        }
        if (concurrency != 1) {
            changed.add("concurrency " + concurrency);
        }
        return changed.isEmpty() ? "" : " (" + String.join(", ", changed) + ")";
    }

    private long target(int producer) {
        long share = messages / producers;
        return producer < messages % producers ? share + 1 : share;
    }

    /** When a --duration run stops sending; never for a run of --messages. */
    long deadline() {
        return duration == null ? Long.MAX_VALUE : firstSendNanos + duration.toNanos();
    }

    boolean more(long i, int producer, long deadline) {
        if (stopRequested()) {
            return false;
        }
        return duration != null ? System.nanoTime() < deadline : i < target(producer);
    }

    byte[] body() {
        byte[] b = new byte[size];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    /**
     * Waits for message {@code i} of {@code producer}'s due time at {@code --rate} and returns it (the
     * time its latency counts from); without a rate, returns now.
     */
    private long due(int producer, long i, long start) {
        if (rate <= 0) {
            return System.nanoTime();
        }
        long due = start + (long) ((i * producers + producer) * (1e9 / rate));
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
        }
        return due;
    }

    /**
     * What the summary says when the figures describe a saturated system rather than the clients:
     * null when the run kept its rate and the consumers kept up.
     */
    static String saturation(double target, double sendRate, double receiveRate) {
        if (target > 0 && sendRate < 0.95 * target) {
            return String.format(Locale.ROOT, "the producers could not keep %,.0f msg/s (they reached %,.0f): the system is saturated, "
                    + "and the latency includes the wait for it", target, sendRate);
        }
        if (receiveRate < 0.9 * sendRate) {
            return String.format(Locale.ROOT, "the producers outran the consumers (%,.0f msg/s sent, %,.0f received): the latency is mostly "
                    + "time queued in the broker; --rate measures it at a rate the system sustains", sendRate, receiveRate);
        }
        return null;
    }

    /**
     * The headers of message {@code i} of {@code producer}, stamped with the time its latency counts
     * from: now, or its due time at {@code --rate}, which this waits for.
     */
    Map<String, String> headers(int producer, long i) {
        long sentNanos = due(producer, i, firstSendNanos);
        Map<String, String> hs = new HashMap<>(extraHeaders);
        hs.put(SENT_NS, Long.toString(sentNanos));
        hs.put(SEQ, Long.toString(phase | ((long) producer << PRODUCER_SHIFT) | i));
        if (receipts && !atLeastOnce) {
            hs.put("receipt", "b-" + producer + "-" + i); // with at-least-once the client names the receipts
        }
        return hs;
    }

    Map<String, String> subscribeHeaders() {
        Map<String, String> hs = new HashMap<>(extraHeaders);
        hs.put("ack", ack);
        hs.put("receipt", "bench");
        return hs;
    }

    /** Whether a producer keeps a window of SENDs awaiting their RECEIPTs. */
    boolean windowed() {
        return receipts || atLeastOnce;
    }

    StompClientConfig blockingConfig(String uri) throws Exception {
        return connection.blocking(uri).atLeastOnce(atLeastOnce).autoReconnect(atLeastOnce).listener(failover).build();
    }

    AsyncStompClientConfig asyncConfig(String uri) throws Exception {
        return connection.async(uri).atLeastOnce(atLeastOnce).autoReconnect(atLeastOnce).listener(failover).build();
    }

    /** What one consumer received: the latencies, and which messages (its own record on a topic, one shared on a queue). */
    record Received(Histogram latencies, Arrivals arrivals) {
    }

    /** A consumer's record of what it receives. */
    Received newConsumer() {
        Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        synchronized (histograms) {
            histograms.add(h);
        }
        return new Received(h, fanOut > 1 ? new Arrivals() : arrivals);
    }

    /** Records one received message. */
    void record(StompFrame f, Received into) {
        long now = System.nanoTime();
        String seq = f.header(SEQ);
        String sentNs = f.header(SENT_NS);
        if (seq == null || sentNs == null) {
            return; // not one of ours
        }
        long n = Long.parseLong(seq);
        if ((n & WARMUP_PHASE) != phase) {
            return; // a warm-up message read after the warm-up ended: counted in neither
        }
        lastReceiveNanos = now;
        if (!into.arrivals().first((int) ((n & ~WARMUP_PHASE) >>> PRODUCER_SHIFT), n & ((1L << PRODUCER_SHIFT) - 1))) {
            duplicated.incrementAndGet();
            return;
        }
        received.incrementAndGet();
        long micros = Math.max(0, (now - Long.parseLong(sentNs)) / 1000);
        Histogram h = into.latencies();
        h.recordValue(Math.min(micros, h.getHighestTrackableValue()));
    }

    /** Counts one SEND made. */
    void sentOne() {
        sent.incrementAndGet();
        lastSendNanos = System.nanoTime();
    }

    /** Whether sending has stopped and every message sent has arrived: a consumer may stop. */
    boolean finished() {
        return !producing && received.get() >= sent.get() * fanOut;
    }

    /** Shows progress until every producer thread has ended; then sending has stopped. */
    void awaitProducers(List<Thread> senders) throws InterruptedException {
        while (senders.stream().anyMatch(Thread::isAlive)) {
            progress(false);
            for (Thread t : senders) {
                t.join(terminal ? 200 : 100);
            }
        }
        stopProducing();
    }

    void stopProducing() {
        producing = false;
    }

    /**
     * Waits until every sent message arrived, or nothing arrived for a while after sending stopped,
     * and shows the last progress line.
     */
    void awaitConsumers() throws InterruptedException {
        long quietLimit = TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long last = Math.max(lastReceiveNanos, lastSendNanos);
            if (finished()) {
                break;
            }
            if (!producing && System.nanoTime() - last > quietLimit) {
                break; // the rest is lost
            }
            progress(false);
            Thread.sleep(terminal ? 200 : 100);
        }
        progress(true);
    }

    private long lastLine;

    /**
     * The run's clock starts: consumers are subscribed and producers connected, and the first SEND is
     * about to go. The first progress line comes one interval in (at the start it could only say 0).
     */
    void started() {
        stop.arm(); // connected: from here a signal ends the run with a summary, not the process at once
        firstSendNanos = System.nanoTime();
        lastLine = firstSendNanos;
        timeline.start(firstSendNanos);
    }

    private void progress(boolean last) {
        if (warming) {
            return;
        }
        long now = System.nanoTime();
        timeline.sample(now, sent.get(), received.get());
        if (!terminal && !last && now - lastLine < TimeUnit.SECONDS.toNanos(2)) {
            return;
        }
        lastLine = now;
        long s = sent.get();
        long r = received.get();
        double secs = Math.max(1e-9, (now - firstSendNanos) / 1e9);
        String rate = String.format(Locale.ROOT, "%,.0f msg/s", r / secs);
        if (terminal) {
            long total = (duration != null ? Math.max(s, 1) : messages) * fanOut;
            int filled = (int) Math.min(30, 30 * r / Math.max(1, total));
            out.print("\r[" + "#".repeat(filled) + ".".repeat(30 - filled) + "] sent " + s + ", received " + r + " (" + rate + ")   ");
            if (last) {
                out.println();
            }
            out.flush();
        } else {
            out.println("sent " + s + ", received " + r + " (" + rate + ")");
        }
    }

    private int summary(String description, String dest) throws Exception {
        Histogram all = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
        synchronized (histograms) {
            histograms.forEach(all::add);
        }
        long s = sent.get();
        long r = received.get();
        long lost = Math.max(0, s * fanOut - r);
        double sendSecs = Math.max(1e-9, (lastSendNanos - firstSendNanos) / 1e9);
        double receiveSecs = Math.max(1e-9, (lastReceiveNanos - firstSendNanos) / 1e9);
        double sendRate = s / sendSecs;
        double receiveRate = r / receiveSecs;
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "sent      %,d messages  %,.0f msg/s  %.2f MB/s", s, sendRate, sendRate * size / 1e6));
        lines.add(String.format(Locale.ROOT, "received  %,d messages  %,.0f msg/s  %.2f MB/s", r, receiveRate, receiveRate * size / 1e6)
                + (fanOut > 1 ? String.format(Locale.ROOT, "  (every message to each of %d consumers)", fanOut) : ""));
        lines.add(String.format(Locale.ROOT, "latency   p50 %,d us  p90 %,d us  p99 %,d us  p99.9 %,d us  max %,d us",
                all.getValueAtPercentile(50), all.getValueAtPercentile(90), all.getValueAtPercentile(99),
                all.getValueAtPercentile(99.9), all.getMaxValue()));
        String saturated = saturation(rate, sendRate, receiveRate / fanOut);
        if (saturated != null) {
            lines.add("note      " + saturated);
        }
        if (stopRequested()) {
            lines.add(String.format(Locale.ROOT, "stopped   by a signal (Ctrl-C, SIGTERM) %.1f s into the run; the figures cover it until then",
                    Math.max(0, stop.requestedNanos() - firstSendNanos) / 1e9));
        }
        if (atLeastOnce || reconnects.get() > 0) {
            lines.add(String.format(Locale.ROOT, "failover  %,d reconnects, %,d SENDs re-sent", reconnects.get(), resentSends.get()));
        }
        lines.add(String.format(Locale.ROOT, "delivery  %s: %,d lost, %,d duplicated%s", lost == 0 && warmupLost == 0 ? "OK" : "FAILED", lost,
                duplicated.get(), warmupLost > 0 ? String.format(Locale.ROOT, " (and %,d lost in the warm-up)", warmupLost) : ""));
        out.println();
        lines.forEach(out::println);
        if (report != null) {
            timeline.finish(Math.max(lastReceiveNanos, lastSendNanos), s, r);
            Files.writeString(report, BenchReport.html(description, lines, timeline, all), StandardCharsets.UTF_8);
            out.println("report    " + report.toAbsolutePath().toUri());
        }
        if (json != null) {
            String config = "{\"producers\":" + producers + ",\"consumers\":" + consumers + ",\"size\":" + size
                    + ",\"messages\":" + (duration == null ? messages : s) + ",\"durationSeconds\":" + (duration == null ? "null" : duration.toSeconds())
                    + ",\"warmupSeconds\":" + Json.number(warmup.toMillis() / 1000.0) + ",\"rate\":" + Json.number(rate)
                    + ",\"receipts\":" + receipts + ",\"atLeastOnce\":" + atLeastOnce + ",\"window\":" + window + ",\"ack\":" + Json.string(ack)
                    + ",\"client\":" + Json.string(client) + ",\"onEventLoop\":" + onEventLoop + ",\"concurrency\":" + concurrency + ",\"destination\":" + Json.string(dest) + ",\"fanOut\":" + fanOut + ",\"url\":"
                    + (connection.url == null ? "null" : Json.string(connection.url)) + "}";
            String text = "{\"sent\":" + s + ",\"received\":" + r + ",\"lost\":" + lost + ",\"duplicated\":" + duplicated.get()
                    + ",\"reconnects\":" + reconnects.get() + ",\"resentSends\":" + resentSends.get() + ",\"warmupLost\":" + warmupLost + ",\"saturated\":" + (saturated != null)
                    + ",\"send\":{\"msgPerSec\":" + Json.number(sendRate) + ",\"mbPerSec\":" + Json.number(sendRate * size / 1e6) + "}"
                    + ",\"receive\":{\"msgPerSec\":" + Json.number(receiveRate) + ",\"mbPerSec\":" + Json.number(receiveRate * size / 1e6) + "}"
                    + ",\"latencyMicros\":{\"p50\":" + all.getValueAtPercentile(50) + ",\"p90\":" + all.getValueAtPercentile(90)
                    + ",\"p99\":" + all.getValueAtPercentile(99) + ",\"p999\":" + all.getValueAtPercentile(99.9)
                    + ",\"max\":" + all.getMaxValue() + "},\"stopped\":" + stopRequested() + ",\"config\":" + config + "}\n";
            Files.writeString(json, text, StandardCharsets.UTF_8);
        }
        return lost == 0 && warmupLost == 0 ? 0 : 1;
    }
}
