package dev.stompbox.it.security;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.StompTestServer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both clients, logging everything down to TRACE, through a run with a refused and an accepted
 * connection, messages, receipts and a disconnect: the passcode appears in no log line, no
 * {@code toString()} and no exception (message or stack trace).
 */
class CredentialsNeverLeakTest {
    private static final String LOGIN = "app-user";
    private static final String PASSCODE = "pw-7f3c9a1e-only-in-connect";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void thePasscodeIsNeverLoggedPrintedOrThrown() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.err;
        List<String> texts = new ArrayList<>();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try (StompTestServer server = new StompTestServer().requireCredentials(LOGIN, PASSCODE).start()) {
            texts.addAll(blocking(server, "wrong-" + PASSCODE.hashCode()));
            texts.addAll(blocking(server, PASSCODE));
            texts.addAll(async(server, "wrong-" + PASSCODE.hashCode()));
            texts.addAll(async(server, PASSCODE));
            assertThat(server.connections()).hasSizeGreaterThanOrEqualTo(4);
            texts.add(server.traceDump());
        } finally {
            System.setErr(original);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        // The capture works and holds the frames: a search of nothing would prove nothing.
        assertThat(log).contains("CONNECT").contains("passcode:***").contains(LOGIN).contains("DEBUG");
        assertThat(log).doesNotContain(PASSCODE);
        assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContain(PASSCODE));
    }

    private static List<String> blocking(StompTestServer server, String passcode) {
        List<String> texts = new ArrayList<>();
        StompClientConfig config = StompClientConfig.builder(server.uri()).login(LOGIN).passcode(passcode)
                .receiptTimeout(TIMEOUT).disconnectTimeout(TIMEOUT).build();
        texts.add(config.toString());
        try (StompClient client = StompClient.create(config)) {
            texts.add(client.toString());
            client.connect();
            client.subscribe("/queue/secure", Map.of("receipt", "s")).receipt().await(TIMEOUT);
            client.send("/queue/secure", "hello".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r")).await(TIMEOUT);
            StompFrame got = client.receiveFrame(TIMEOUT);
            texts.add(got.toString());
            client.disconnect();
        } catch (RuntimeException e) {
            texts.add(describe(e));
        }
        return texts;
    }

    private static List<String> async(StompTestServer server, String passcode) throws Exception {
        List<String> texts = new ArrayList<>();
        AsyncStompClientConfig config = AsyncStompClientConfig.builder(server.uri()).login(LOGIN).passcode(passcode)
                .receiptTimeout(TIMEOUT).disconnectTimeout(TIMEOUT).build();
        texts.add(config.toString());
        AsyncStompClient client = AsyncStompClient.create(config);
        try {
            texts.add(client.toString());
            client.connect().get(10, TimeUnit.SECONDS);
            client.subscribe("/queue/secure-async", Map.of("receipt", "s"), (c, f) -> {
                texts.add(f.toString());
                return null;
            }).get(10, TimeUnit.SECONDS);
            client.send("/queue/secure-async", "hello".getBytes(StandardCharsets.UTF_8), Map.of("receipt", "r"))
                    .get(10, TimeUnit.SECONDS);
            client.disconnect().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            texts.add(describe(e));
        } finally {
            client.close();
        }
        return texts;
    }

    /** Message, causes and stack trace: everything a caller might log. */
    private static String describe(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return t + "\n" + w;
    }
}
