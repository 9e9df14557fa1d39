package dev.stompbox.cli;

import dev.stompbox.client.StompClient;
import dev.stompbox.protocol.StompBrokerException;
import dev.stompbox.client.StompClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every subcommand end to end, in-process, against embedded Artemis. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CliTest {
    private EmbeddedBroker broker;

    @BeforeAll
    void start() throws Exception {
        broker = new EmbeddedBroker(0, 0);
    }

    @AfterAll
    void stop() throws Exception {
        broker.close();
    }

    record Result(int exit, String out, String err) {
    }

    static Result run(String stdin, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.ISO_8859_1)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void sendThenTailSeesIt() {
        Result sent = run("", "send", "--url", broker.uri(), "/queue/cli", "--body", "h\u00e9llo", "--header", "x-k:a:b", "--receipt", "--count", "2");
        assertThat(sent.exit()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("sent 2 message(s)").contains("each confirmed");
        Result tail = run("", "tail", "--url", broker.uri(), "/queue/cli", "--count", "2", "--format", "json");
        assertThat(tail.exit()).as(tail.err()).isZero();
        String[] lines = tail.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).startsWith("{\"command\":\"MESSAGE\"").contains("[\"x-k\",\"a:b\"]")
                .contains("\"body\":\"" + Base64.getEncoder().encodeToString("h\u00e9llo".getBytes(StandardCharsets.UTF_8)) + "\"");
    }

    /**
     * A broker hands a subscriber more than one message before the first is read. Under ack auto,
     * every one handed over is consumed: a tail that stopped after --count would take the rest with it.
     */
    @Test
    void tailWithACountTakesThatManyMessagesFromAQueueAndLeavesTheRest() {
        assertThat(run("", "send", "--url", broker.uri(), "/queue/tail-count", "--body", "m", "--receipt", "--count", "5").exit()).isZero();
        Result first = run("", "tail", "--url", broker.uri(), "/queue/tail-count", "--count", "2");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out().strip().split("\n")).hasSize(2);
        assertThat(messagesLeftOn("/queue/tail-count")).as("messages left on the queue").isEqualTo(3);
    }

    /** Takes every message left on {@code queue}: how many there were. */
    private int messagesLeftOn(String queue) {
        try (StompClient c = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
            c.connect();
            c.subscribe(queue, Map.of("ack", "auto"));
            int left = 0;
            while (c.receiveFrame(Duration.ofMillis(1000)) != null) {
                left++;
            }
            return left;
        }
    }

    /** WebSocket is the asynchronous client's alone: send and tail take it for a ws:// URL. */
    @Test
    void sendAndTailOverWebSocket() {
        String ws = "ws://127.0.0.1:" + broker.port();
        Result sent = run("", "send", "--url", ws, "/queue/cli-ws", "--body", "over ws", "--receipt", "--count", "3");
        assertThat(sent.exit()).as(sent.err()).isZero();
        assertThat(sent.out()).contains("sent 3 message(s)").contains("each confirmed");
        Result tail = run("", "tail", "--url", ws, "/queue/cli-ws", "--count", "2");
        assertThat(tail.exit()).as(tail.err()).isZero();
        assertThat(tail.out().strip().split("\n")).hasSize(2).allSatisfy(line -> assertThat(line).contains("'over ws'"));
        assertThat(messagesLeftOn("/queue/cli-ws")).as("the one not printed went back to the queue").isEqualTo(1);
    }

    /**
     * With a failover URL the tail outlives a lost connection: it reconnects, its subscription is
     * replayed, and it prints what comes next; standard error tells the loss and the reconnect.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void tailWithAFailoverUrlReconnectsAndGoesOn(String scheme) throws Exception {
        String topic = "/topic/tail-failover-" + scheme;
        try (dev.stompbox.testkit.FaultProxy proxy = dev.stompbox.testkit.FaultProxy.to(broker.uri())) {
            String url = "failover:(" + scheme + "://127.0.0.1:" + proxy.port() + ")?initialReconnectDelay=20";
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> tail = CompletableFuture.supplyAsync(() -> Main.run(
                    new String[] {"tail", "--url", url, topic, "--count", "2"}, new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false));
            // A topic keeps nothing for a subscriber not yet there: send, a second apart, until the tail printed one.
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                if (out.toString(StandardCharsets.UTF_8).contains("'before'")) {
                    return true;
                }
                run("", "send", "--url", broker.uri(), topic, "--body", "before");
                return false;
            });
            assertThat(proxy.cut()).as("the tail's connection, cut").isEqualTo(1);
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
                run("", "send", "--url", broker.uri(), topic, "--body", "after");
                return tail.isDone();
            });
            assertThat(tail.get(20, TimeUnit.SECONDS)).as(err.toString(StandardCharsets.UTF_8)).isZero();
            assertThat(out.toString(StandardCharsets.UTF_8).strip().split("\n")).hasSize(2)
                    .satisfiesExactly(first -> assertThat(first).contains("'before'"), second -> assertThat(second).contains("'after'"));
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("stompbox tail: ").contains("; reconnecting")
                    .contains("stompbox tail: reconnected to " + scheme + "://127.0.0.1:" + proxy.port());
            assertThat(proxy.connections()).isEqualTo(2);
        }
    }

    /**
     * With a failover URL, send publishes at least once: a SEND whose RECEIPT a lost connection took
     * with it is written again after the reconnect, and the command succeeds.
     */
    @Test
    void sendWithAFailoverUrlWritesAgainWhatALostConnectionLeftUnconfirmed() throws Exception {
        try (dev.stompbox.testkit.StompTestServer server = new dev.stompbox.testkit.StompTestServer().start()) {
            java.util.concurrent.atomic.AtomicInteger sends = new java.util.concurrent.atomic.AtomicInteger();
            server.nextConnectionFaults().closeOnFrame(f -> f.command() == dev.stompbox.protocol.StompCommand.SEND
                    && sends.incrementAndGet() == 2);
            Result r = run("", "send", "--url", "failover:(" + server.uri() + ")?initialReconnectDelay=20", "/queue/sent-again",
                    "--body", "x", "--count", "4");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("sent 4 message(s) of 1 bytes to /queue/sent-again, each confirmed");
            assertThat(r.err()).contains("; reconnecting").contains("reconnected to " + server.uri() + ", 1 SEND(s) written again");
            assertThat(server.connections()).hasSize(2);
            assertThat(server.waitingMessages("/queue/sent-again")).as("the one the first connection dropped, written again").isEqualTo(4);
        }
    }

    @Test
    void sendFromStandardInputAndTailAsText() {
        assertThat(run("from stdin", "send", "--url", broker.uri(), "/queue/stdin").exit()).isZero();
        Result tail = run("", "tail", "--url", broker.uri(), "/queue/stdin", "--count", "1", "--ack", "client-individual");
        assertThat(tail.exit()).isZero();
        assertThat(tail.out()).contains("MESSAGE").contains("'from stdin'");
    }

    @Test
    void benchOnTheEmbeddedBrokerLosesNothing(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--messages", "3000", "--producers", "2", "--consumers", "2", "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("embedded Artemis").contains("delivery  OK: 0 lost, 0 duplicated").contains("latency   p50")
                .as("no failover line for a single broker without at-least-once").doesNotContain("failover  ");
        String text = Files.readString(json);
        assertThat(text).startsWith("{\"sent\":3000,\"received\":3000,\"lost\":0,\"duplicated\":0,\"reconnects\":0,\"resentSends\":0,"
                        + "\"warmupLost\":0,\"saturated\":").containsPattern("\"saturated\":(true|false),\"send\":\\{\"msgPerSec\":")
                .contains("\"latencyMicros\":{\"p50\":").contains("\"p999\":").contains("\"config\":{\"producers\":2");
    }

    @Test
    void benchWithTheAsyncClientReceiptsAndAUrl() {
        Result r = run("", "bench", "--url", broker.uri(), "--client", "async", "--messages", "2000", "--receipts", "--window", "10",
                "--ack", "client-individual");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).as("the client's defaults: no setting named").contains("async client, ack client-individual")
                .contains("receipts (window 10)").contains("0 lost");
    }

    @Test
    void benchOverWebSocketRunsTheAsyncClient() {
        String ws = "ws://127.0.0.1:" + broker.port();
        Result r = run("", "bench", "--url", ws, "--messages", "500", "--warmup", "0");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("async client, ack auto").contains("0 lost");
        Result blocking = run("", "bench", "--url", ws, "--client", "blocking");
        assertThat(blocking.exit()).as("a usage error").isEqualTo(2);
        assertThat(blocking.err()).contains("the blocking client speaks STOMP over TCP and TLS; for " + ws + " use --client async");
    }

    @Test
    void benchNamesEverySettingItChangesFromTheAsyncClientsDefaults(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--url", broker.uri(), "--client", "async", "--on-event-loop", "--concurrency", "8", "--producers", "2",
                "--messages", "2000", "--warmup", "0", "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("async client (handlers on the event loop, concurrency 8), ack auto").contains("0 lost");
        assertThat(Files.readString(json)).contains("\"client\":\"async\",\"onEventLoop\":true,\"concurrency\":8,");
        Result defaults = run("", "bench", "--url", broker.uri(), "--client", "async", "--messages", "500", "--warmup", "0",
                "--json", json.toString());
        assertThat(defaults.exit()).as(defaults.out() + defaults.err()).isZero();
        assertThat(Files.readString(json)).contains("\"client\":\"async\",\"onEventLoop\":false,\"concurrency\":1,");
        Result blocking = run("", "bench", "--url", broker.uri(), "--on-event-loop");
        assertThat(blocking.exit()).isEqualTo(2);
        assertThat(blocking.err()).contains("--on-event-loop and --concurrency tune --client async");
        assertThat(run("", "bench", "--client", "async", "--concurrency", "0").exit()).isEqualTo(2);
    }

    @Test
    void benchWarmsUpOnAQueueOfItsOwnAndCountsOnlyTheMeasuredRun(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--url", broker.uri(), "--warmup", "1s", "--messages", "1500", "--destination", "/queue/warm-test",
                "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).containsPattern("warm-up   [0-9,]+ messages in 1.0 s, not counted\n").contains("delivery  OK: 0 lost");
        assertThat(r.out().indexOf("warm-up")).as("the warm-up comes first").isLessThan(r.out().indexOf("sent      "));
        String text = Files.readString(json);
        assertThat(text).startsWith("{\"sent\":1500,\"received\":1500,\"lost\":0,").contains("\"warmupSeconds\":1")
                .contains("\"warmupLost\":0");
        // The warm-up's own queue is drained: the measured queue holds nothing of it, and nothing is left behind.
        try (StompClient c = StompClient.create(StompClientConfig.builder(broker.uri()).build())) {
            c.connect();
            c.subscribe("/queue/warm-test-warmup", Map.of("ack", "auto"));
            assertThat(c.receiveFrame(Duration.ofMillis(500))).isNull();
        }
        Result none = run("", "bench", "--url", broker.uri(), "--warmup", "0", "--messages", "200");
        assertThat(none.exit()).isZero();
        assertThat(none.out()).doesNotContain("warm-up");
        assertThat(run("", "bench", "--warmup", "-1s").exit()).isEqualTo(2);
    }

    @Test
    void benchAtAFixedRateSendsOnScheduleAndSaysWhenARunIsSaturated(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--url", broker.uri(), "--rate", "500", "--duration", "2s", "--warmup", "0", "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("at 500 msg/s").doesNotContain("note      ");
        String text = Files.readString(json);
        Matcher sent = Pattern.compile("\"sent\":(\\d+)").matcher(text);
        assertThat(sent.find()).isTrue();
        assertThat(Long.parseLong(sent.group(1))).as("2 s at 500 msg/s").isBetween(900L, 1001L);
        assertThat(text).contains("\"rate\":500").contains("\"saturated\":false");
        assertThat(run("", "bench", "--rate", "-5").exit()).isEqualTo(2);

        assertThat(BenchCommand.saturation(0, 45_000, 11_000)).contains("outran the consumers").contains("45,000").contains("11,000");
        assertThat(BenchCommand.saturation(10_000, 6_000, 6_000)).contains("could not keep 10,000 msg/s").contains("6,000");
        assertThat(BenchCommand.saturation(0, 20_000, 19_500)).isNull();
        assertThat(BenchCommand.saturation(5_000, 4_990, 4_900)).isNull();
    }

    @Test
    void benchAtLeastOnceOnOneBrokerReportsItsFailoverLine(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--url", broker.uri(), "--at-least-once", "--header", "x-origin:cli-test", "--messages", "2000",
                "--window", "20", "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("at-least-once (window 20)").contains("failover  0 reconnects, 0 SENDs re-sent")
                .contains("delivery  OK: 0 lost");
        assertThat(Files.readString(json)).contains("\"reconnects\":0,\"resentSends\":0").contains("\"atLeastOnce\":true");
        Result bad = run("", "bench", "--url", broker.uri(), "--header", "no-colon");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--header needs NAME:VALUE, got 'no-colon'");
    }

    @Test
    void badUrlIsOneClearLineAndExitThree() {
        Result r = run("", "send", "--url", "tcp://127.0.0.1:1", "/queue/x", "--body", "x");
        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err().strip()).startsWith("stompbox send: cannot connect to tcp://127.0.0.1:1").doesNotContain("\tat ");
        Result unparsable = run("", "send", "--url", "ftp://x", "/queue/x", "--body", "x");
        assertThat(unparsable.exit()).isEqualTo(2);
        assertThat(unparsable.err()).contains("scheme must be one of tcp, ssl, ws, wss");
        Result verbose = run("", "send", "--verbose", "--url", "tcp://127.0.0.1:1", "/queue/x", "--body", "x");
        assertThat(verbose.err()).contains("\tat ");
    }

    @Test
    void aBrokersErrorIsOneLineNamingTheErrorsReadBehindIt() throws Exception {
        try (dev.stompbox.testkit.StompTestServer server = new dev.stompbox.testkit.StompTestServer().start()) {
            server.nextConnectionFaults().withholdReceipts();
            CompletableFuture<Result> sent = CompletableFuture.supplyAsync(() ->
                    run("", "send", "--url", server.uri(), "/queue/x", "--body", "x", "--receipt"));
            dev.stompbox.testkit.ServerConnection sc = server.awaitConnection(Duration.ofSeconds(10));
            sc.awaitReceived(dev.stompbox.protocol.StompCommand.SEND, Duration.ofSeconds(10));
            sc.sendRaw(("ERROR\nmessage:Processing error\n\n\0" + "ERROR\nmessage:not_found\n\nno queue 'x'\0")
                    .getBytes(StandardCharsets.UTF_8));
            Result r = sent.get(30, TimeUnit.SECONDS);
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err().strip()).isEqualTo("stompbox send: Broker sent ERROR: Processing error; then Broker sent ERROR: not_found (no queue 'x')");
        }
    }

    /**
     * The producer's CONNECTED comes 3 s late. Counted in the run, that wait would show as 3 s of
     * latency on the first messages of a --rate schedule, a run that says it could not keep its
     * rate, and a progress line at the start that can only say 0.
     */
    @ParameterizedTest
    @ValueSource(strings = {"blocking", "async"})
    void benchStartsItsClockOnceEveryProducerIsConnected(String client, @TempDir Path dir) throws Exception {
        try (dev.stompbox.testkit.StompTestServer server = new dev.stompbox.testkit.StompTestServer().start()) {
            // The consumer connects first; its SUBSCRIBE's RECEIPT is held, so that the producer's
            // connection is known to be the next one before the bench goes on to open it.
            server.nextConnectionFaults().withholdReceipts(f -> f.command() == dev.stompbox.protocol.StompCommand.SUBSCRIBE);
            Path json = dir.resolve("bench.json");
            CompletableFuture<Result> bench = CompletableFuture.supplyAsync(() -> run("", "bench", "--client", client,
                    "--url", server.uri(), "--warmup", "0", "--rate", "200", "--messages", "400", "--json", json.toString()));
            dev.stompbox.testkit.ServerConnection consumer = server.awaitConnection(Duration.ofSeconds(10));
            dev.stompbox.protocol.StompFrame subscribe = consumer.awaitReceived(dev.stompbox.protocol.StompCommand.SUBSCRIBE,
                    Duration.ofSeconds(10));
            server.nextConnectionFaults().delayFrames(Duration.ofSeconds(3));
            consumer.sendRaw(("RECEIPT\nreceipt-id:" + subscribe.header("receipt") + "\n\n\0").getBytes(StandardCharsets.UTF_8));

            Result r = bench.get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(server.connections()).as("one consumer, then one producer").hasSize(2);
            String text = Files.readString(json);
            assertThat(text).startsWith("{\"sent\":400,\"received\":400,\"lost\":0,").contains("\"saturated\":false");
            Matcher max = Pattern.compile("\"max\":(\\d+)").matcher(text);
            assertThat(max.find()).isTrue();
            assertThat(Long.parseLong(max.group(1))).as("the longest latency, in us: the 3 s handshake is not in it")
                    .isLessThan(3_000_000L);
            assertThat(r.out()).doesNotContain("sent 0, received 0");
        }
    }

    /**
     * Ctrl-C or SIGTERM (the JVM runs its shutdown hooks on both) ends a bench early with its summary
     * and its JSON, rather than ending the process without them.
     */
    @Test
    void aSignalEndsTheBenchEarlyWithItsSummary(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        try (Child bench = Child.start("bench", "--url", broker.uri(), "--duration", "120s", "--warmup", "0", "--json", json.toString())) {
            bench.awaitOutput("the first progress line", out -> out.contains("\nsent "));
            long t0 = System.nanoTime();
            bench.terminate();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("long before its 120 s").isLessThan(Duration.ofSeconds(45));
            assertThat(bench.output()).contains("stopped   by a signal").contains("latency   p50")
                    .contains("delivery  OK: 0 lost, 0 duplicated");
            assertThat(Files.readString(json)).contains("\"lost\":0,").contains("\"stopped\":true");
        }
    }

    /**
     * A tail stopped by a signal has acked every message it printed, and left the others on the queue:
     * the asynchronous client writes an ack after its handler, so a tail over WebSocket that died at the
     * signal left the last ones it printed unacked, to be printed again by the next tail.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "ws"})
    void aSignalStopsTheTailWithEveryPrintedMessageAcked(String scheme) throws Exception {
        String queue = "/queue/tail-signal-" + scheme;
        int total = 20_000;
        assertThat(run("", "send", "--url", broker.uri(), queue, "--body", "m", "--count", Integer.toString(total)).exit()).isZero();
        try (Child tail = Child.start("tail", "--url", scheme + "://127.0.0.1:" + broker.port(), queue)) {
            tail.awaitOutput("a thousand messages printed", out -> out.split("\n", 1002).length > 1000);
            tail.terminate();
            long printed = tail.output().lines().filter(l -> l.startsWith("MESSAGE ")).count();
            assertThat(printed).isLessThan(total);
            assertThat(printed + messagesLeftOn(queue)).as("printed, plus left on the queue").isEqualTo(total);
        }
    }

    /** Connecting, there is nothing to finish: a signal ends the command at once, not after the wait a running tail gets. */
    @Test
    void aSignalWhileConnectingEndsTheCommandAtOnce() throws Exception {
        String nobody = "failover:(tcp://127.0.0.1:" + EmbeddedBroker.freePort() + ")"; // walked for up to a minute
        try (Child tail = Child.start("tail", "--url", nobody, "/queue/nowhere")) {
            Thread.sleep(3000); // the JVM up and connecting: it says nothing meanwhile
            long t0 = System.nanoTime();
            tail.terminate();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    /** --verbose shows the clients' log, which the command otherwise keeps to errors; in a JVM of its own, as SLF4J is set up once. */
    @Test
    void verboseShowsTheClientsLog() throws Exception {
        String nobody = "tcp://127.0.0.1:" + EmbeddedBroker.freePort();
        for (boolean verbose : new boolean[] {false, true}) {
            try (Child send = verbose ? Child.start("send", "--url", nobody, "/queue/x", "--body", "x", "--verbose")
                    : Child.start("send", "--url", nobody, "/queue/x", "--body", "x")) {
                assertThat(send.awaitExit()).isEqualTo(3);
                assertThat(send.output()).contains("cannot connect to " + nobody);
                if (verbose) {
                    assertThat(send.output()).contains("WARN dev.stompbox.client.StompClient - attempt to connect to " + nobody + " failed")
                            .contains("at dev.stompbox.cli.SendCommand.call");
                } else {
                    assertThat(send.output()).doesNotContain("WARN").doesNotContain("\tat ");
                }
            }
        }
    }

    /** A {@code stompbox} command in a JVM of its own, for what only a process can be sent: a signal. */
    private static final class Child implements AutoCloseable {
        private final Process process;
        private final StringBuffer output = new StringBuffer();
        private final CompletableFuture<Void> read;

        private Child(Process process) {
            this.process = process;
            read = CompletableFuture.runAsync(() -> {
                try (java.io.BufferedReader lines = new java.io.BufferedReader(
                        new java.io.InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = lines.readLine()) != null; ) {
                        output.append(line).append('\n');
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }

        static Child start(String... args) throws java.io.IOException {
            java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(
                    ProcessHandle.current().info().command().orElse("java"), "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(java.util.List.of(args));
            return new Child(new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        void awaitOutput(String what, java.util.function.Predicate<String> seen) {
            Awaitility.await(what).atMost(Duration.ofSeconds(60)).until(() -> seen.test(output.toString()) || !process.isAlive());
            assertThat(process.isAlive()).as(output.toString()).isTrue();
        }

        /** SIGTERM, as Ctrl-C a shutdown for the JVM; waits for the process and its last output. */
        void terminate() throws Exception {
            process.toHandle().destroy(); // Process.destroy() would also close the pipe the output comes through
            assertThat(process.waitFor(45, TimeUnit.SECONDS)).as("ended").isTrue();
            read.get(10, TimeUnit.SECONDS);
        }

        /** Waits for the process to end by itself; its exit status. */
        int awaitExit() throws Exception {
            assertThat(process.waitFor(45, TimeUnit.SECONDS)).as("ended").isTrue();
            read.get(10, TimeUnit.SECONDS);
            return process.exitValue();
        }

        String output() {
            return output.toString();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** On a topic every consumer gets every message: the copies are not duplicates, and each consumer must get them all. */
    @ParameterizedTest
    @ValueSource(strings = {"blocking", "async"})
    void benchOnATopicExpectsEveryMessageAtEachConsumer(String client, @TempDir Path dir) throws Exception {
        Path json = dir.resolve("bench.json");
        Result r = run("", "bench", "--url", broker.uri(), "--client", client, "--destination", "/topic/bench-fan-out-" + client,
                "--consumers", "3", "--messages", "1000", "--warmup", "0", "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("received  3,000 messages").contains("(every message to each of 3 consumers)")
                .contains("delivery  OK: 0 lost, 0 duplicated");
        assertThat(Files.readString(json)).startsWith("{\"sent\":1000,\"received\":3000,\"lost\":0,\"duplicated\":0,").contains("\"fanOut\":3");
    }

    /**
     * Every message comes twice: each second arrival is a duplicate, and the same number from two
     * producers is two messages, not one.
     */
    @Test
    void benchCountsEachDuplicateAndKeepsTheProducersApart(@TempDir Path dir) throws Exception {
        try (dev.stompbox.testkit.StompTestServer server = new dev.stompbox.testkit.StompTestServer().start()) {
            server.nextConnectionFaults().duplicateMessages(); // the consumer's connection: the first
            Path json = dir.resolve("bench.json");
            Result r = run("", "bench", "--url", server.uri(), "--warmup", "0", "--producers", "2", "--messages", "3000",
                    "--json", json.toString());
            assertThat(r.exit()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("delivery  OK: 0 lost, 3,000 duplicated");
            assertThat(Files.readString(json)).startsWith("{\"sent\":3000,\"received\":3000,\"lost\":0,\"duplicated\":3000,");
        }
    }

    @Test
    void usageErrorsAndHelp() {
        Result unknown = run("", "bench", "--nope");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown option: '--nope'");
        Result help = run("", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("bench", "send", "tail", "decode", "broker", "Exit codes");
        assertThat(run("", "bench", "--help").out()).contains("--producers", "--window", "--json", "--report", "--url", "--[no-]at-least-once", "--header",
                "--warmup", "--rate", "--on-event-loop", "--concurrency");
        assertThat(run("", "-V").out()).startsWith("stompbox ");
        assertThat(run("", "bench", "--ack", "client").exit()).isEqualTo(2);
    }

    /** A bad value is a usage error (exit 2) that names the option, found before anything is sent. */
    @Test
    void badValuesAreUsageErrorsThatNameTheOption(@TempDir Path dir) throws Exception {
        String url = broker.uri();
        assertThat(run("", "send", "--url", url, "/queue/usage", "--body", "x", "--count", "0"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--count must be at least 1"));
        assertThat(run("", "tail", "--url", url, "/queue/usage", "--count", "-1"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--count must be at least 1"));
        assertThat(run("", "tail", "--url", url, "/queue/usage", "--ack", "sometimes"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--ack: Invalid ack mode: 'sometimes'"));
        assertThat(run("", "send", "--url", url, "/queue/usage", "--body", "x", "--version", "1.3"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--version: Invalid STOMP version: '1.3'"));
        assertThat(run("", "bench", "--url", url, "--heart-beat", "often", "--messages", "10", "--warmup", "0"))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2)).satisfies(r -> assertThat(r.err()).contains("--heart-beat: Invalid heart-beat header: 'often'"));
        Path huge = dir.resolve("huge.bin");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: 3 GiB that take no disk
        }
        assertThat(run("", "send", "--url", url, "/queue/usage", "--file", huge.toString()))
                .satisfies(r -> assertThat(r.exit()).isEqualTo(2))
                .satisfies(r -> assertThat(r.err()).contains("holds 3221225472 bytes; a body is at most 2147483639"));
        assertThat(messagesLeftOn("/queue/usage")).as("nothing sent").isZero();
    }

    /** A port the broker cannot have is an error at once, not a broker that says it listens and serves nothing. */
    @Test
    void brokerRefusesAPortItCannotListenOn() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket()) {
            taken.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            String port = Integer.toString(taken.getLocalPort());
            Result r = CompletableFuture.supplyAsync(() -> run("", "broker", "--port", port)).get(60, TimeUnit.SECONDS);
            assertThat(r.exit()).isEqualTo(3);
            assertThat(r.err()).contains("stompbox broker: cannot listen on 127.0.0.1:" + port + ": Address already in use");
            assertThat(r.out()).doesNotContain("listening");
            Result ws = CompletableFuture.supplyAsync(() -> run("", "broker", "--port", "0", "--ws-port", port)).get(60, TimeUnit.SECONDS);
            assertThat(ws.exit()).isEqualTo(3);
            assertThat(ws.err()).contains("cannot listen on 127.0.0.1:" + port);
        }
        Result range = CompletableFuture.supplyAsync(() -> run("", "broker", "--port", "99999")).get(60, TimeUnit.SECONDS);
        assertThat(range.exit()).isEqualTo(2);
        assertThat(range.err()).contains("port 99999 is out of range");
    }

    @Test
    void brokerServesStompUntilStopped() throws Exception {
        int port = EmbeddedBroker.freePort();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BrokerCommand command = new BrokerCommand(new PrintStream(out, true, StandardCharsets.UTF_8));
        command.port = port;
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Awaitility.await("broker started").atMost(Duration.ofSeconds(30)).until(() -> {
            assertThat(running).isNotDone();
            return out.toString(StandardCharsets.UTF_8).contains("listening");
        });
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("tcp://127.0.0.1:" + port);
        try (StompClient client = StompClient.create("tcp://127.0.0.1:" + port)) {
            client.connect();
            assertThat(client.isConnected()).isTrue();
            client.disconnect();
        }
        command.stop.countDown();
        assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("broker stopped");
    }

    @Test
    void brokerWithAUserRefusesOthersAndLeavesNoDataBehindOnCtrlC() throws Exception {
        int port = EmbeddedBroker.freePort();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BrokerCommand command = new BrokerCommand(new PrintStream(out, true, StandardCharsets.UTF_8));
        command.port = port;
        command.user = "app";
        command.password = "s3cret";
        CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
            try {
                return command.call();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Awaitility.await("broker started").atMost(Duration.ofSeconds(30))
                .until(() -> out.toString(StandardCharsets.UTF_8).contains("listening"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("admitting only app");
        String uri = "tcp://127.0.0.1:" + port;
        try (StompClient wrong = StompClient.create(StompClientConfig.builder(uri).login("app").passcode("guess").build())) {
            assertThatThrownBy(wrong::connect).isInstanceOf(StompBrokerException.class);
        }
        try (StompClient right = StompClient.create(StompClientConfig.builder(uri).login("app").passcode("s3cret").build())) {
            right.connect();
            right.send("/queue/secured", "in", Map.of("receipt", "r")).await(Duration.ofSeconds(10));
        }
        java.nio.file.Path data = command.dataDirectory;
        assertThat(data).exists();
        command.signal.signal(); // what Ctrl-C runs: it returns once the broker has stopped
        assertThat(data).as("the broker's data folder").doesNotExist();
        assertThat(running.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void brokerUserWithoutPasswordIsAUsageError() {
        assertThat(run("", "broker", "--user", "app").exit()).isEqualTo(2);
    }
}
