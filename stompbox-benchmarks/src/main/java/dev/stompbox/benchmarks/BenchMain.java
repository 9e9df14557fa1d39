package dev.stompbox.benchmarks;

import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

import static dev.stompbox.benchmarks.EndToEnd.ASYNC;
import static dev.stompbox.benchmarks.EndToEnd.ASYNC_TUNED;
import static dev.stompbox.benchmarks.EndToEnd.BLOCKING;
import static dev.stompbox.benchmarks.EndToEnd.RAW;
import static dev.stompbox.benchmarks.EndToEnd.RAW_EACH;
import static dev.stompbox.benchmarks.EndToEnd.SPRING;
import static dev.stompbox.benchmarks.EndToEnd.VERTX;

/**
 * Runs the codec benchmarks (JMH, with the GC profiler for allocation per operation) side by side
 * and writes {@code BENCHMARKS.md}: for each workload the ratios of Stompbox to each peer and to the
 * floors, with the raw figures beneath. {@code scripts/bench.sh} runs it.
 *
 * <pre>{@code
 * java -cp ... dev.stompbox.benchmarks.BenchMain BENCHMARKS.md [quick]
 * }</pre>
 */
public final class BenchMain {
    private BenchMain() {
    }

    /** One measured point: ops/s with its error, and bytes allocated per op. */
    record Point(double opsPerSec, double error, double bytesPerOp) {
    }

    public static void main(String[] args) throws Exception {
        dev.stompbox.cli.LogDefaults.apply();
        Path out = Path.of(args.length > 0 ? args[0] : "BENCHMARKS.md");
        boolean quick = args.length > 1 && args[1].equals("quick");
        Map<String, Map<String, Point>> decode = run(DecodeBenchmark.class, quick);
        Map<String, Map<String, Point>> encode = run(EncodeBenchmark.class, quick);
        Map<String, Map<String, Map<String, List<Double>>>> paired = PairedRounds.run(PairedRounds.groups(),
                quick ? 1 : PairedRounds.ROUNDS, PairedRounds.jmh(quick));
        Map<String, Map<String, List<EndToEnd.Result>>> e2e = endToEnd(quick);
        Path notes = out.toAbsolutePath().getParent().resolve("docs/benchmark-findings.md");
        String findings = Files.exists(notes) ? Files.readString(notes, StandardCharsets.UTF_8) : "";
        Files.writeString(out, report(decode, encode, quick) + endToEndReport(e2e, quick) + targets(decode, encode, paired, e2e)
                + findings, StandardCharsets.UTF_8);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    /** workload -> method -> point. */
    static Map<String, Map<String, Point>> run(Class<?> benchmark, boolean quick) throws Exception {
        Options opts = new OptionsBuilder()
                .include(benchmark.getName() + ".*")
                .warmupIterations(quick ? 1 : 4).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 4).measurementTime(TimeValue.seconds(1))
                .forks(1)
                .addProfiler("gc")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(opts).run();
        Map<String, Map<String, Point>> byWorkload = new TreeMap<>();
        for (RunResult r : results) {
            String method = r.getParams().getBenchmark();
            method = method.substring(method.lastIndexOf('.') + 1);
            String workload = r.getParams().getParam("workload");
            Result primary = r.getPrimaryResult();
            Result alloc = r.getSecondaryResults().get("gc.alloc.rate.norm");
            byWorkload.computeIfAbsent(workload, w -> new LinkedHashMap<>()).put(method,
                    new Point(primary.getScore(), primary.getScoreError(), alloc == null ? Double.NaN : alloc.getScore()));
        }
        return byWorkload;
    }

    /** A whole number with thousands separators, or "-" where there is none (no latency, no error estimate). */
    private static String count(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%,.0f", value) : "-";
    }

    static String report(Map<String, Map<String, Point>> decode, Map<String, Map<String, Point>> encode, boolean quick) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Stompbox benchmarks\n\n");
        sb.append("Measured side by side in one run on one machine; read the ratios, not the absolute numbers (a shared\n")
          .append("2-core machine is noisy: the ± columns say how much; quick mode measures too few iterations for JMH to give\n")
          .append("an error, shown as -). Regenerate with `scripts/bench.sh`.\n\n");
        sb.append("- Date: ").append(LocalDate.now()).append('\n');
        sb.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ")
          .append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.arch")).append('\n');
        sb.append("- JDK: ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.version")).append('\n');
        sb.append("- Peers: netty-codec-stomp 4.2.18.Final (`StompSubframeDecoder`/`StompSubframeEncoder`), spring-messaging 7.0.10 ")
          .append("(`StompDecoder`/`StompEncoder`), vertx-stomp 5.0.7 (`FrameParser`, `Frame.toBuffer()`); JMH 1.37, ")
          .append(quick ? "quick mode (1 warm-up, 2 measurements of 1 s)" : "4 warm-ups and 4 measurements of 1 s").append(", one fork, `-prof gc`.\n\n");
        sb.append("Workloads (`Workloads.java`): `small-send` a SEND with 7 headers and a 20-byte body; `broker-message` a MESSAGE as ")
          .append("ActiveMQ sends it (10 headers, 100-byte body); `escaped-headers` values full of `:` `\\\\` and newlines; `1KiB`, ")
          .append("`64KiB`, `1MiB` binary bodies with `content-length`. One frame per operation; every contender gets the same bytes.\n\n");
        section(sb, "Decode", decode, List.of("netty", "spring", "vertx"), "stompbox",
                List.of("stompboxReadingHeaders", "stompboxOwned", "stompboxChunks1460", "stompboxChunks1", "floorScanForNul",
                        "floorCopyIntoNewArray", "nettyAggregated"),
                List.of(new Column("reading every header / netty", "stompboxReadingHeaders", "netty"),
                        new Column("owned input / netty aggregated", "stompboxOwned", "nettyAggregated"),
                        new Column("1460-byte chunks / whole", "stompboxChunks1460", "stompbox"),
                        new Column("Stompbox / NUL scan", "stompbox", "floorScanForNul"),
                        new Column("Stompbox / copy into a new array", "stompbox", "floorCopyIntoNewArray")));
        section(sb, "Encode", encode, List.of("netty", "spring", "vertx"), "stompbox",
                List.of("stompboxBlocking", "stompboxByteBuffer", "stompboxArray", "floorCopy"),
                List.of(new Column("blocking / netty", "stompboxBlocking", "netty"), new Column("Stompbox / copy", "stompbox", "floorCopy")));
        sb.append("## Reading it\n\n")
          .append("- *ratio* = Stompbox ops/s divided by the other's; above 1 Stompbox is faster. The floors are not parsers: a NUL scan is\n")
          .append("  the least a parser of small frames must do; a copy into a new array the least a decoder that hands over a whole\n")
          .append("  `content-length` body must do; a plain copy into a reused buffer the least an encoder of a large body must do.\n")
          .append("- Decode *stompbox* feeds whole frames with `add` (the caller keeps its buffer, so a body is copied once);\n")
          .append("  *stompboxOwned* with `addOwned` (the array is handed over, as the asynchronous client hands over its reads: a large\n")
          .append("  body that came whole is a view, not a copy); *nettyAggregated* is Netty with its `StompSubframeAggregator`, one\n")
          .append("  frame with its whole body, as a user gets it. *stompboxChunks1460* feeds the 64 frames back to back in TCP-sized\n")
          .append("  segments of 1 460 bytes, cut wherever they fall (frames end and begin mid-segment), counted per frame;\n")
          .append("  *stompboxChunks1* one byte at a time. The 64 frames of a workload are decoded in turn; their per-message headers (receipt, message-id,\n")
          .append("  timestamp, one escaped value) differ from frame to frame, as on a real connection.\n")
          .append("  Stompbox keeps plain ASCII header values as bytes until they are read (a value that repeats from the frame before is\n")
          .append("  one shared String); the peers build every value while decoding.\n")
          .append("  *stompboxReadingHeaders* decodes and then reads every header value: the like-for-like figure for a reader of all headers.\n")
          .append("- Encode *stompbox* is the asynchronous client's path: the engine's measure of the frame when it is queued (it refuses what\n")
          .append("  cannot be written and counts the bytes waiting), then the head into the connection's reused array and from there into a\n")
          .append("  pooled direct Netty buffer, a body under 8 KiB with it, a larger body wrapped as a buffer of its own (no copy); *stompboxBlocking* the blocking client's: the\n")
          .append("  same measure, then the head into its reused output buffer, a large body written from the frame. *stompboxByteBuffer* (a reused ByteBuffer) and\n")
          .append("  *stompboxArray* (an exact-size array) are the codec's own entry points for users without a client.\n")
          .append("- Netty decodes into a header object plus content chunks (pooled buffers, released here); Spring and Vert.x into their own\n")
          .append("  message objects. B/op is heap allocated per operation (`gc.alloc.rate.norm`).\n\n")
          ;
        return sb.toString();
    }

    /**
     * The warm-up repeats whole passes, every contender on every workload, up to {@value #WARM_UP_PASSES}
     * times, until a pass in which no contender compiled for {@value #WARM_JIT_MILLIS} ms or more. Whole
     * passes, not one contender's at a time: the contenders share code (both Stompbox clients the
     * protocol's, the asynchronous client, Spring and Vert.x Netty's), and a contender warmed alone was
     * compiled again in its first measured round once the others had run (3 s of compilation in the
     * asynchronous client's first round, 1.5 s in the blocking client's, after warm-ups that ended quiet).
     */
    static final int WARM_UP_PASSES = 6;
    static final long WARM_JIT_MILLIS = 300;

    /** The end-to-end workloads, in report order. */
    static List<EndToEnd.Workload> workloads(boolean quick) {
        List<EndToEnd.Workload> workloads = new ArrayList<>();
        for (int[] pc : new int[][] {{1, 1}, {4, 4}}) {
            for (int size : new int[] {20, 1024}) {
                for (boolean receipts : new boolean[] {false, true}) {
                    int messages = quick ? 20_000 : size > 100 ? 100_000 : 150_000;
                    workloads.add(new EndToEnd.Workload(pc[0], pc[1], size, messages, receipts, 100));
                }
            }
        }
        return workloads;
    }

    /**
     * The unmeasured runs before the rounds: every workload once, with a fifth of its messages, so
     * that a contender's code for each (and the broker's) is compiled before any round is measured.
     * With one short warm-up shape only, the compiler still ran during the measured rounds of the
     * others, and its time counted in their CPU per message.
     */
    static List<EndToEnd.Workload> warmUp(List<EndToEnd.Workload> measured) {
        return measured.stream().map(w -> new EndToEnd.Workload(w.producers(), w.consumers(), w.size(), w.messages() / 5,
                w.receipts(), w.window())).toList();
    }

    /** Runs one warm-up workload for a contender and answers how long the JVM compiled meanwhile (ms). */
    interface WarmUpRun {
        long jitMillis(EndToEnd.Contender contender, EndToEnd.Workload workload);
    }

    /**
     * Whole warm-up passes (see {@link #WARM_UP_PASSES}); answers the number of passes run.
     */
    static int warmUp(Collection<EndToEnd.Contender> contenders, List<EndToEnd.Workload> workloads, WarmUpRun run) {
        for (int pass = 1; pass <= WARM_UP_PASSES; pass++) {
            long most = 0;
            for (EndToEnd.Contender c : contenders) {
                long jit = 0;
                for (EndToEnd.Workload w : workloads) {
                    jit += run.jitMillis(c, w);
                }
                System.out.printf(Locale.ROOT, "warm-up pass %d, %s: the JVM compiled for %d ms%n", pass, c.name(), jit);
                most = Math.max(most, jit);
            }
            if (most < WARM_JIT_MILLIS) {
                return pass;
            }
        }
        return WARM_UP_PASSES;
    }

    /** workload label -> contender -> one result per round, by round ({@link EndToEndRounds}). */
    static Map<String, Map<String, List<EndToEnd.Result>>> endToEnd(boolean quick) throws Exception {
        EndToEndPeers.VertxClient vertx = new EndToEndPeers.VertxClient();
        List<EndToEnd.Contender> contenders = List.copyOf(EndToEnd.contenders(vertx).values());
        List<EndToEnd.Workload> workloads = workloads(quick);
        try (BrokerProcess broker = BrokerProcess.start()) {
            warmUp(contenders, warmUp(workloads), (c, w) -> {
                try {
                    return EndToEnd.run(c, "127.0.0.1", broker.port(), w).jitMillis();
                } catch (Exception e) {
                    System.err.println(c.name() + " failed to warm up on " + w.label() + ": " + e);
                    return 0L;
                }
            });
            return EndToEndRounds.run(contenders, workloads, quick ? 1 : EndToEndRounds.ROUNDS,
                    (c, w) -> EndToEnd.run(c, "127.0.0.1", broker.port(), w));
        } finally {
            vertx.shutdown();
        }
    }

    /** The middle of the finite figures (the upper middle one of an even count); NaN when there is none. */
    static double median(List<Double> xs) {
        List<Double> sorted = xs.stream().filter(Double::isFinite).sorted().toList();
        return sorted.isEmpty() ? Double.NaN : sorted.get(sorted.size() / 2);
    }

    /** "5 rounds: 0.91-1.07", the spread of ratios taken within rounds ("1 round: 0.95" for one). */
    static String spread(List<Double> ratios) {
        double min = ratios.stream().mapToDouble(d -> d).min().orElse(Double.NaN);
        double max = ratios.stream().mapToDouble(d -> d).max().orElse(Double.NaN);
        return ratios.size() == 1
                ? String.format(Locale.ROOT, "1 round: %.2f", min)
                : String.format(Locale.ROOT, "%d rounds: %.2f-%.2f", ratios.size(), min, max);
    }

    static String endToEndReport(Map<String, Map<String, List<EndToEnd.Result>>> e2e, boolean quick) {
        StringBuilder sb = new StringBuilder("## End to end\n\n");
        sb.append("One ActiveMQ Artemis in a JVM of its own (`stompbox broker`, 1 GiB heap, on loopback), one queue per run; the clients\n")
          .append("run in the benchmark's JVM. Producers stamp each message with `stompbox-sent-ns`, consumers (ack `auto`) measure from\n")
          .append("it. With receipts every SEND asks for one and each producer keeps at most 100 awaiting, for every contender. msg/s\n")
          .append("counts from the first send to the last message received; 150 000 messages of 20 B or 100 000 of 1 KiB per run, after\n")
          .append("an unmeasured warm-up in which every contender runs every workload with a fifth of its messages, in whole passes\n")
          .append("(all contenders, since they share code), again (up to ").append(WARM_UP_PASSES)
          .append(" passes) until no contender compiles for ").append(WARM_JIT_MILLIS).append(" ms in a pass. ")
          .append(quick ? "Quick mode: one round." : "Five rounds, each running the contenders in an order of its own (each of the first five\n"
                  + "starts one round). A ratio is the median of the ratios within rounds, where its two contenders ran a minute apart at\n"
                  + "most; a figure of one contender is the median of its rounds, with their spread (min-max).").append("\n\n")
          .append("Both Stompbox clients run with every setting at its default, as the README shows them: the blocking client's\n")
          .append("`send` and `receiveFrame`; the asynchronous client's `subscribe(destination, headers, handler)` (handlers on its pool)\n")
          .append("and a producer that waits on `whenReady()` before each `send`. *Stompbox async, tuned* changes: ")
          .append(EndToEnd.StompboxAsync.TUNED).append(".\n\n")
          .append("*CPU us/msg* is the client process's CPU time (all its threads, the harness's included) per message delivered,\n")
          .append("the broker's not counted: what decides how many clients a machine carries when the broker is the limit.\n\n")
          .append("The raw socket runs twice. *raw socket (limit)* writes SENDs in 64 KiB batches (with receipts, up to the 100 the\n")
          .append("window lets wait): the broker's limit. *raw socket, a write per SEND* writes each SEND when it is sent, as a client\n")
          .append("must that holds no message back; the *per write* columns hold the clients to that.\n\n");
        sb.append("| workload | async / raw limit | async / per write | async / faster peer | async, tuned / raw limit | blocking / raw limit | blocking / per write | blocking / faster peer |\n")
          .append("|---|---|---|---|---|---|---|---|\n");
        for (Map.Entry<String, Map<String, List<EndToEnd.Result>>> e : e2e.entrySet()) {
            List<EndToEndRounds.Round> rs = EndToEndRounds.rounds(e.getValue());
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |%n", e.getKey(),
                    EndToEndRounds.median(rs, r -> r.rate(ASYNC) / r.rate(RAW)),
                    EndToEndRounds.median(rs, r -> r.rate(ASYNC) / r.rate(RAW_EACH)),
                    EndToEndRounds.median(rs, r -> r.rate(ASYNC) / r.fasterPeer()),
                    EndToEndRounds.median(rs, r -> r.rate(ASYNC_TUNED) / r.rate(RAW)),
                    EndToEndRounds.median(rs, r -> r.rate(BLOCKING) / r.rate(RAW)),
                    EndToEndRounds.median(rs, r -> r.rate(BLOCKING) / r.rate(RAW_EACH)),
                    EndToEndRounds.median(rs, r -> r.rate(BLOCKING) / r.fasterPeer())));
        }
        sb.append("\nClient CPU per message delivered (µs; lower is better), and Stompbox's against the peer that costs least;\n")
          .append("the raw socket's against it is the floor, what the harness alone costs (pre-encoded frames, 64 KiB writes, no parsing):\n\n")
          .append("| workload | async | async, tuned | blocking | Spring | Vert.x | raw socket | raw, per write | async / best peer | blocking / best peer | raw socket / best peer |\n")
          .append("|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|\n");
        for (Map.Entry<String, Map<String, List<EndToEnd.Result>>> e : e2e.entrySet()) {
            Map<String, List<EndToEnd.Result>> m = e.getValue();
            List<EndToEndRounds.Round> rs = EndToEndRounds.rounds(m);
            sb.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f |%n", e.getKey(), cpu(m, ASYNC),
                    cpu(m, ASYNC_TUNED), cpu(m, BLOCKING), cpu(m, SPRING), cpu(m, VERTX), cpu(m, RAW), cpu(m, RAW_EACH),
                    EndToEndRounds.median(rs, r -> r.cpu(ASYNC) / r.cheapestPeerCpu()),
                    EndToEndRounds.median(rs, r -> r.cpu(BLOCKING) / r.cheapestPeerCpu()),
                    EndToEndRounds.median(rs, r -> r.cpu(RAW) / r.cheapestPeerCpu())));
        }
        sb.append("\nRaw figures. *JIT ms* is the time the JVM spent compiling during a run (the most of its rounds): near 0\n")
          .append("when the warm-up did its work; where it is not, that run's CPU per message holds compilation too.\n\n")
          .append("| workload | contender | msg/s (median) | spread | p50 us | p99 us | CPU us/msg | JIT ms | lost |\n")
          .append("|---|---|---:|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, List<EndToEnd.Result>>> e : e2e.entrySet()) {
            for (Map.Entry<String, List<EndToEnd.Result>> c : e.getValue().entrySet()) {
                List<Double> rates = c.getValue().stream().map(EndToEnd.Result::msgPerSec).toList();
                double min = rates.stream().filter(Double::isFinite).mapToDouble(d -> d).min().orElse(Double.NaN);
                double max = rates.stream().filter(Double::isFinite).mapToDouble(d -> d).max().orElse(Double.NaN);
                sb.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %,.0f-%,.0f | %s | %s | %.1f | %d | %d |%n", e.getKey(), c.getKey(),
                        median(rates), min, max, count(median(c.getValue().stream().map(EndToEnd.Result::p50Micros).toList())),
                        count(median(c.getValue().stream().map(EndToEnd.Result::p99Micros).toList())),
                        median(c.getValue().stream().map(EndToEnd.Result::cpuMicrosPerMessage).toList()),
                        c.getValue().stream().mapToLong(EndToEnd.Result::jitMillis).max().orElse(0),
                        c.getValue().stream().mapToLong(EndToEnd.Result::lost).max().orElse(0)));
            }
        }
        return sb.append('\n').toString();
    }

    /** The targets of the benchmark issue, each with what this run measured and whether it holds. */
    static String targets(Map<String, Map<String, Point>> decode, Map<String, Map<String, Point>> encode,
                          Map<String, Map<String, Map<String, List<Double>>>> paired,
                          Map<String, Map<String, List<EndToEnd.Result>>> e2e) {
        StringBuilder sb = new StringBuilder("## Targets, as this run measured them\n\n");
        Map<String, Map<String, List<Double>>> pairedDecode = paired.getOrDefault(PairedRounds.DECODE, Map.of());
        Map<String, Map<String, List<Double>>> pairedEncode = paired.getOrDefault(PairedRounds.ENCODE, Map.of());
        if (!paired.isEmpty()) {
            sb.append("A codec ratio with rounds is the median of paired rounds (`PairedRounds`): in each round the methods of one\n")
              .append("workload ran one after the other, a fork each (2 warm-ups and 2 measurements of 1 s), a different one first each\n")
              .append("round, and each round gives its own ratio; the spread of those ratios follows. The tables above measured each\n")
              .append("method once, minutes apart from the peer it is held to.\n\n");
        }
        sb.append("| target | measured | holds |\n|---|---|---|\n");
        List<String> small = List.of(Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED);
        for (String w : small) {
            codecTarget(sb, "decode " + w + " >= 3x Netty", decode, pairedDecode, w, "stompbox", "netty", 3.0);
            // The issue asks 3x of a reader of every header, 2.5x where every value has escapes to undo.
            String reading = Workloads.ESCAPED.equals(w) ? "2.5" : "3";
            codecTarget(sb, "decode " + w + " reading every header >= " + reading + "x Netty", decode, pairedDecode, w,
                    "stompboxReadingHeaders", "netty", Double.parseDouble(reading));
            codecTarget(sb, "decode " + w + " >= 4.5x Spring", decode, pairedDecode, w, "stompbox", "spring", 4.5);
        }
        for (String w : decode.keySet()) {
            codecTarget(sb, "decode " + w + " in 1460-byte chunks >= 0.9 of whole", decode, pairedDecode, w,
                    "stompboxChunks1460", "stompbox", 0.9);
        }
        codecTarget(sb, "decode 64KiB >= Netty", decode, pairedDecode, Workloads.SIXTY_FOUR_KIB, "stompbox", "netty", 1.0);
        garbageTarget(sb, "decode small-send garbage <= half of Netty's", decode, 0.5);
        codecTarget(sb, "encode small-send >= 1.5x Netty", encode, pairedEncode, Workloads.SMALL_SEND, "stompbox", "netty", 1.5);
        garbageTarget(sb, "encode small-send garbage <= Netty's", encode, 1.0);
        codecTarget(sb, "encode 64KiB >= Netty (no body copy)", encode, pairedEncode, Workloads.SIXTY_FOUR_KIB, "stompbox", "netty", 1.0);
        codecTarget(sb, "encode small-send, blocking client's path >= 1.5x Netty", encode, pairedEncode, Workloads.SMALL_SEND,
                "stompboxBlocking", "netty", 1.5);
        codecTarget(sb, "decode 64KiB, owned input >= Netty aggregated", decode, pairedDecode, Workloads.SIXTY_FOUR_KIB,
                "stompboxOwned", "nettyAggregated", 1.0);
        codecTarget(sb, "decode 1MiB, owned input >= Netty aggregated", decode, pairedDecode, Workloads.ONE_MIB,
                "stompboxOwned", "nettyAggregated", 1.0);
        for (Map.Entry<String, Map<String, List<EndToEnd.Result>>> e : e2e.entrySet()) {
            Map<String, List<EndToEnd.Result>> m = e.getValue();
            List<EndToEndRounds.Round> rs = EndToEndRounds.rounds(m);
            for (String client : List.of(ASYNC, BLOCKING)) {
                List<Double> overBar = EndToEndRounds.each(rs, r -> r.rate(client) / r.rateBar());
                double ofBar = median(overBar);
                sb.append(String.format(Locale.ROOT, "| end to end %s, %s with defaults >= 0.9 of the limit and >= the faster peer | %s | %s |%n",
                        e.getKey(), client, overBar.isEmpty() ? "not measured" : String.format(Locale.ROOT,
                                "%.2fx the bar (%s); medians %,.0f vs %,.0f msg/s", ofBar, spread(overBar), rate(m, client),
                                EndToEndRounds.median(rs, EndToEndRounds.Round::rateBar)),
                        overBar.isEmpty() ? "-" : ofBar >= 1 ? "yes" : "**no**"));
                List<Double> overPeer = EndToEndRounds.each(rs, r -> r.cpu(client) / r.cheapestPeerCpu());
                double ofPeer = median(overPeer);
                sb.append(String.format(Locale.ROOT, "| end to end %s, %s client CPU <= 0.5x the best peer's | %s | %s |%n",
                        e.getKey(), client, overPeer.isEmpty() ? "not measured" : String.format(Locale.ROOT,
                                "%.2fx the cheapest peer's (%s); medians %.1f vs %.1f us/msg", ofPeer, spread(overPeer),
                                cpu(m, client), EndToEndRounds.median(rs, EndToEndRounds.Round::cheapestPeerCpu)),
                        overPeer.isEmpty() ? "-" : ofPeer <= 0.5 ? "yes" : "**no**"));
            }
        }
        return sb.append('\n').toString();
    }

    /** Stompbox's B/op on small-send at most {@code share} of Netty's. */
    private static void garbageTarget(StringBuilder sb, String what, Map<String, Map<String, Point>> results, double share) {
        Point ours = results.getOrDefault(Workloads.SMALL_SEND, Map.of()).get("stompbox");
        Point netty = results.getOrDefault(Workloads.SMALL_SEND, Map.of()).get("netty");
        if (ours != null && netty != null) {
            sb.append(String.format(Locale.ROOT, "| %s | %.0f vs %.0f B/op | %s |%n", what, ours.bytesPerOp(), netty.bytesPerOp(),
                    ours.bytesPerOp() <= netty.bytesPerOp() * share ? "yes" : "**no**"));
        }
    }

    /**
     * A codec ratio held to its bar: the median of the paired rounds with their spread when they ran,
     * else this run's single figures.
     */
    private static void codecTarget(StringBuilder sb, String what, Map<String, Map<String, Point>> single,
                                    Map<String, Map<String, List<Double>>> paired, String workload, String ours, String theirs,
                                    double bar) {
        List<Double> rounds = PairedRounds.ratios(paired.get(workload), ours, theirs);
        if (rounds.isEmpty()) {
            target(sb, what, ops(single, workload, ours) / ops(single, workload, theirs), bar, "x");
            return;
        }
        double median = median(rounds);
        sb.append(String.format(Locale.ROOT, "| %s | %.2fx (%s) | %s |%n", what, median, spread(rounds),
                median >= bar ? "yes" : "**no**"));
    }

    private static void target(StringBuilder sb, String what, double measured, double bar, String unit) {
        if (!Double.isFinite(measured)) {
            sb.append("| ").append(what).append(" | not measured | - |\n");
            return;
        }
        sb.append(String.format(Locale.ROOT, "| %s | %.2f%s | %s |%n", what, measured, unit, measured >= bar ? "yes" : "**no**"));
    }

    private static double ops(Map<String, Map<String, Point>> results, String workload, String method) {
        Point p = results.getOrDefault(workload, Map.of()).get(method);
        return p == null ? Double.NaN : p.opsPerSec();
    }

    private static double cpu(Map<String, List<EndToEnd.Result>> m, String contender) {
        return median(m, contender, EndToEnd.Result::cpuMicrosPerMessage);
    }

    private static double rate(Map<String, List<EndToEnd.Result>> m, String contender) {
        return median(m, contender, EndToEnd.Result::msgPerSec);
    }

    /** The median over rounds of one figure of one contender; NaN when it did not run. */
    private static double median(Map<String, List<EndToEnd.Result>> m, String contender,
                                 Function<EndToEnd.Result, Double> figure) {
        List<EndToEnd.Result> rs = m.get(contender);
        return rs == null ? Double.NaN : median(rs.stream().map(figure).toList());
    }

    /** A ratio column of the summary table: ops/s of {@code numerator} over ops/s of {@code denominator}. */
    record Column(String title, String numerator, String denominator) {
    }

    private static String ratio(Map<String, Point> points, String numerator, String denominator) {
        Point n = points.get(numerator);
        Point d = points.get(denominator);
        return n == null || d == null ? "-" : String.format(Locale.ROOT, "%.2f", n.opsPerSec() / d.opsPerSec());
    }

    private static void section(StringBuilder sb, String title, Map<String, Map<String, Point>> results, List<String> peers,
                                String ours, List<String> others, List<Column> extra) {
        sb.append("## ").append(title).append("\n\n");
        sb.append("| workload |");
        for (String p : peers) {
            sb.append(" Stompbox / ").append(p).append(" |");
        }
        for (Column c : extra) {
            sb.append(' ').append(c.title()).append(" |");
        }
        sb.append(" B/op Stompbox vs Netty |\n|---|");
        sb.append("---|".repeat(peers.size() + extra.size() + 1)).append('\n');
        for (Map.Entry<String, Map<String, Point>> e : results.entrySet()) {
            Point us = e.getValue().get(ours);
            sb.append("| ").append(e.getKey()).append(" |");
            for (String p : peers) {
                sb.append(' ').append(ratio(e.getValue(), ours, p)).append(" |");
            }
            for (Column c : extra) {
                sb.append(' ').append(ratio(e.getValue(), c.numerator(), c.denominator())).append(" |");
            }
            Point netty = e.getValue().get("netty");
            sb.append(' ').append(netty == null ? "-" : String.format(Locale.ROOT, "%.0f vs %.0f", us.bytesPerOp(), netty.bytesPerOp())).append(" |\n");
        }
        sb.append("\nRaw figures (one frame per op: frames/s ± error, MB/s of wire bytes, B/op):\n\n")
          .append("| workload | contender | frames/s | ± | MB/s | B/op |\n|---|---|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Point>> e : results.entrySet()) {
            List<String> order = new ArrayList<>();
            order.add(ours);
            order.addAll(others);
            order.addAll(peers);
            int wireBytes = Workloads.wire(e.getKey()).length;
            for (String m : order) {
                Point p = e.getValue().get(m);
                if (p != null) {
                    sb.append(String.format(Locale.ROOT, "| %s | %s | %,.0f | %s | %,.0f | %.0f |%n", e.getKey(), m, p.opsPerSec(),
                            count(p.error()), p.opsPerSec() * wireBytes / 1e6, p.bytesPerOp()));
                }
            }
        }
        sb.append('\n');
    }
}
