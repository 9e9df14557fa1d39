package dev.stompbox.it.reliability;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.ExternalRabbitMq;
import dev.stompbox.protocol.StompFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Interop with the other clients users run next to Stompbox: stomp.py (Debian's python3-stomp,
 * over TCP) and stompjs (npm, over WebSocket with ws) exchange messages with both Stompbox
 * clients through Artemis and RabbitMQ. Each message carries a binary body (every byte value,
 * NUL included), a header with all the 1.2 escapes ({@code :}, newline, backslash), a UTF-8
 * header, and asks for a RECEIPT; the receiving side acks with STOMP 1.2 {@code id} acks and the
 * queue is checked empty afterwards.
 *
 * <p>The peers live in {@code src/test/interop}. Without them the tests are skipped with a message
 * saying how to install them, unless {@code STOMPBOX_REQUIRE_INTEROP=1} (as {@code .ci/run} sets),
 * which makes their absence a failure.
 */
class InteropTest {
    static final String REQUIRE = "STOMPBOX_REQUIRE_INTEROP";
    static final String PYTHON = "/usr/bin/python3"; // Debian's own, where python3-stomp installs
    static final Path STOMPPY = Path.of("src/test/interop/stomppy/peer.py");
    static final Path STOMPJS = Path.of("src/test/interop/stompjs");
    static final String ESCAPED = "colon:newline\nbackslash\\end";
    static final String UTF8 = "grüße ✓ 日本";
    static final int COUNT = 3;
    static final Duration PEER_TIMEOUT = Duration.ofSeconds(30);

    private static EmbeddedArtemis artemis;

    @BeforeAll
    static void startArtemis() {
        artemis = new EmbeddedArtemis(60_000);
    }

    @AfterAll
    static void stopArtemis() {
        artemis.close();
    }

    static byte[] body(int i) {
        byte[] tail = ("#" + i).getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[256 + tail.length];
        for (int v = 0; v < 256; v++) {
            b[v] = (byte) v;
        }
        System.arraycopy(tail, 0, b, 256, tail.length);
        return b;
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String peer : List.of("stomp.py", "stompjs")) {
            for (String broker : List.of("Artemis", "RabbitMQ")) {
                for (String client : List.of("blocking", "async")) {
                    all.add(Arguments.of(peer, broker, client));
                }
            }
        }
        return all.stream();
    }

    // -- Stompbox sends, the peer receives ---------------------------------------------------------

    @ParameterizedTest(name = "{2} Stompbox client -> {1} -> {0}")
    @MethodSource("cases")
    void peerReceivesWhatStompboxSends(String peer, String broker, String client) {
        Endpoints at = endpoints(peer, broker);
        String queue = "/queue/interop-" + UUID.randomUUID();
        List<String> receipts = new ArrayList<>();
        for (int i = 0; i < COUNT; i++) {
            receipts.add("sb-" + i);
        }
        if (client.equals("blocking")) {
            try (StompClient c = StompClient.create(blockingConfig(at.stomp).build())) {
                c.connect(Duration.ofSeconds(10));
                for (int i = 0; i < COUNT; i++) {
                    c.send(queue, body(i), headers(i, receipts.get(i))).await(Duration.ofSeconds(10));
                }
                c.disconnect();
            }
        } else {
            AsyncStompClient c = AsyncStompClient.create(asyncConfig(at.stomp).build());
            try {
                await(c.connect());
                for (int i = 0; i < COUNT; i++) {
                    await(c.send(queue, body(i), headers(i, receipts.get(i))));
                }
                await(c.disconnect());
            } finally {
                c.close();
            }
        }

        List<String> out = runPeer(peer, "receive", at.peer, queue);
        assertThat(out).last().isEqualTo("DONE " + COUNT);
        List<String> messages = out.stream().filter(l -> l.startsWith("MSG ")).toList();
        assertThat(messages).hasSize(COUNT);
        for (String line : messages) {
            String[] f = line.split(" ");
            int i = Integer.parseInt(f[1]);
            assertThat(f[2]).as("binary body of message %d", i).isEqualTo(HexFormat.of().formatHex(body(i)));
            assertThat(f[3]).as("escaped header").isEqualTo(hexUtf8(ESCAPED));
            assertThat(f[4]).as("UTF-8 header").isEqualTo(hexUtf8(UTF8));
            assertThat(f[5]).as("the SEND's receipt id, copied into the MESSAGE").isEqualTo(receipts.get(i));
        }
        assertQueueEmpty(at, queue);
    }

    // -- the peer sends, Stompbox receives ---------------------------------------------------------

    @ParameterizedTest(name = "{0} -> {1} -> {2} Stompbox client")
    @MethodSource("cases")
    void stompboxReceivesWhatPeerSends(String peer, String broker, String client) throws Exception {
        Endpoints at = endpoints(peer, broker);
        String queue = "/queue/interop-" + UUID.randomUUID();
        assertThat(runPeer(peer, "send", at.peer, queue)).containsExactly("RECEIPTED " + COUNT);

        List<StompFrame> got = new ArrayList<>();
        if (client.equals("blocking")) {
            try (StompClient c = StompClient.create(blockingConfig(at.stomp).build())) {
                c.connect(Duration.ofSeconds(10));
                c.subscribe(queue, Map.of("ack", "client-individual"));
                for (int i = 0; i < COUNT; i++) {
                    StompFrame f = c.receiveFrame(Duration.ofSeconds(10));
                    assertThat(f).as("message %d of %d", i, COUNT).isNotNull();
                    got.add(f);
                    c.ack(f, true).await(Duration.ofSeconds(10));
                }
                c.disconnect();
            }
        } else {
            AsyncStompClient c = AsyncStompClient.create(asyncConfig(at.stomp).build());
            BlockingQueue<StompFrame> inbox = new LinkedBlockingQueue<>();
            try {
                await(c.connect());
                await(c.subscribe(queue, Map.of("ack", "client-individual"), (conn, f) -> {
                    inbox.add(f);
                    return null; // completes the handler: the client acks with the 1.2 id
                }));
                for (int i = 0; i < COUNT; i++) {
                    StompFrame f = inbox.poll(10, TimeUnit.SECONDS);
                    assertThat(f).as("message %d of %d", i, COUNT).isNotNull();
                    got.add(f);
                }
                await(c.disconnect()); // graceful: waits for the handlers and their acks, then DISCONNECT with receipt
            } finally {
                c.close();
            }
        }
        for (StompFrame f : got) {
            int i = Integer.parseInt(f.header("x-index"));
            assertThat(f.body()).as("binary body of message %d", i).isEqualTo(body(i));
            assertThat(f.header("x-escape")).isEqualTo(ESCAPED);
            assertThat(f.header("x-utf8")).isEqualTo(UTF8);
            assertThat(f.header("receipt")).isEqualTo((peer.equals("stomp.py") ? "py-" : "js-") + i);
        }
        assertThat(got).extracting(f -> f.header("x-index")).containsExactlyInAnyOrder("0", "1", "2");
        assertQueueEmpty(at, queue);
    }

    // -- plumbing ----------------------------------------------------------------------------------

    private record Endpoints(String stomp, String peer) {
    }

    /** Where Stompbox connects (always TCP) and where the peer connects (TCP for stomp.py, WebSocket for stompjs). */
    private static Endpoints endpoints(String peer, String broker) {
        requirePeer(peer);
        if (broker.equals("RabbitMQ")) {
            ExternalRabbitMq rabbit = ExternalRabbitMq.runningOrSkip();
            return new Endpoints(rabbit.uri(), peer.equals("stomp.py") ? "127.0.0.1:" + ExternalRabbitMq.port()
                    : ExternalRabbitMq.webSocketUri());
        }
        return new Endpoints(artemis.uri(), peer.equals("stomp.py") ? "127.0.0.1:" + artemis.port()
                : "ws://127.0.0.1:" + artemis.port() + "/stomp");
    }

    private static void requirePeer(String peer) {
        String missing = null;
        if (peer.equals("stomp.py") && !works(PYTHON, "-c", "import stomp")) {
            missing = "stomp.py is not installed for " + PYTHON + ": apt-get install python3-stomp (Debian's package, "
                    + "run by Debian's own python3)";
        }
        if (peer.equals("stompjs") && (!Files.isDirectory(STOMPJS.resolve("node_modules/@stomp/stompjs")) || !works("node", "--version"))) {
            missing = "stompjs is not installed: run 'npm ci' in stompbox-it-reliability/src/test/interop/stompjs (needs Node.js)";
        }
        if (missing != null) {
            if ("1".equals(System.getenv(REQUIRE))) {
                throw new AssertionError(REQUIRE + "=1 but " + missing);
            }
            Assumptions.abort(missing);
        }
    }

    private static boolean works(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Runs the peer and returns its stdout lines; fails with its stderr when it fails or overruns. */
    private static List<String> runPeer(String peer, String mode, String address, String queue) {
        List<String> command = new ArrayList<>();
        if (peer.equals("stomp.py")) {
            command.addAll(List.of(PYTHON, STOMPPY.toString()));
        } else {
            command.addAll(List.of("node", STOMPJS.resolve("peer.mjs").toString()));
        }
        command.addAll(List.of(mode, address, queue, String.valueOf(COUNT), "guest", "guest", "/",
                String.valueOf(PEER_TIMEOUT.toMillis())));
        try {
            Process p = new ProcessBuilder(command).start();
            CompletableFuture<byte[]> out = drain(p.getInputStream());
            CompletableFuture<byte[]> err = drain(p.getErrorStream());
            if (!p.waitFor(PEER_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
                p.destroyForcibly(); // our own child, by its handle (its PID), never by name
                throw new AssertionError(peer + " " + mode + " did not finish within " + PEER_TIMEOUT);
            }
            String stdout = new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            String stderr = new String(err.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("%s %s exit code; stdout:%n%s%nstderr:%n%s", peer, mode, stdout, stderr).isZero();
            return stdout.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new AssertionError(peer + " " + mode + " failed", e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (in) {
                in.transferTo(b);
            } catch (IOException e) {
                // the process is gone; what was read is what there is
            }
            return b.toByteArray();
        });
    }

    private static Map<String, String> headers(int i, String receipt) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-escape", ESCAPED);
        h.put("x-utf8", UTF8);
        h.put("x-index", String.valueOf(i));
        h.put("receipt", receipt);
        return h;
    }

    private static String hexUtf8(String s) {
        return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
    }

    /** The acks were taken: a new subscriber finds nothing left (unacked messages would come back). */
    private static void assertQueueEmpty(Endpoints at, String queue) {
        try (StompClient c = StompClient.create(blockingConfig(at.stomp).build())) {
            c.connect(Duration.ofSeconds(10));
            c.subscribe(queue, Map.of("ack", "client-individual"));
            assertThat(c.receiveFrame(Duration.ofMillis(500))).as("left in %s after the acks", queue).isNull();
            c.disconnect();
        }
    }

    private static StompClientConfig.Builder blockingConfig(String uri) {
        return StompClientConfig.builder(uri).login("guest").passcode("guest").atLeastOnce(true)
                .receiptTimeout(Duration.ofSeconds(10)).disconnectTimeout(Duration.ofSeconds(5));
    }

    private static AsyncStompClientConfig.Builder asyncConfig(String uri) {
        return AsyncStompClientConfig.builder(uri).login("guest").passcode("guest").atLeastOnce(true)
                .receiptTimeout(Duration.ofSeconds(10)).disconnectTimeout(Duration.ofSeconds(5));
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("no completion within 20 s", e);
        }
    }
}
