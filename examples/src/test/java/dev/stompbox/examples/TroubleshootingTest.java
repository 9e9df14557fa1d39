package dev.stompbox.examples;

import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.fixtures.ArtemisExtension;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.testkit.StompTestServer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's troubleshooting table, produced: each common mistake is made against a real broker
 * (or the test kit, for what a broker cannot be made to do), and what the user sees — the
 * exception, its message ({@code …} stands for any text) and how soon — must be what the row says.
 */
class TroubleshootingTest {
    @RegisterExtension
    static final ArtemisExtension ARTEMIS = new ArtemisExtension();

    private record Seen(Throwable thrown, long millis) {
    }

    private record Row(String mistake, String exception, String message, String when) {
    }

    private static Seen run(Callable<?> mistake) {
        long t0 = System.nanoTime();
        try {
            mistake.call();
            return new Seen(new AssertionError("no exception"), (System.nanoTime() - t0) / 1_000_000);
        } catch (Exception e) {
            return new Seen(e, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private static StompClient connected(String uri) {
        StompClient c = StompClient.create(uri);
        c.connect();
        return c;
    }

    private Map<String, Callable<?>> mistakes() {
        Map<String, Callable<?>> m = new LinkedHashMap<>();
        m.put("wrong port", () -> {
            int dead;
            try (ServerSocket s = new ServerSocket(0)) {
                dead = s.getLocalPort();
            }
            StompClient.create("tcp://127.0.0.1:" + dead).connect();
            return null;
        });
        m.put("wrong passcode", () -> {
            try (StompTestServer server = new StompTestServer().requireCredentials("app", "secret").start();
                 StompClient c = StompClient.create(StompClientConfig.builder(server.uri()).login("app").passcode("guess").build())) {
                c.connect();
            }
            return null;
        });
        m.put("a port that is not STOMP", () -> {
            try (ServerSocket http = new ServerSocket(0)) {
                Thread t = new Thread(() -> {
                    try (Socket s = http.accept(); OutputStream out = s.getOutputStream()) {
                        out.write("HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        s.getInputStream().read();
                    } catch (Exception ignored) {
                        // the client has gone
                    }
                });
                t.setDaemon(true);
                t.start();
                StompClient.create("tcp://127.0.0.1:" + http.getLocalPort()).connect();
            }
            return null;
        });
        m.put("a bad selector (Artemis; on a SUBSCRIBE with a receipt)", () -> {
            try (StompClient c = connected(ARTEMIS.broker().uri())) {
                c.subscribe("/queue/t", Map.of("selector", "not a selector", "receipt", "s")).receipt().await(Duration.ofSeconds(10));
            }
            return null;
        });
        m.put("send after close", () -> {
            StompClient c = connected(ARTEMIS.broker().uri());
            c.close();
            c.send("/queue/t", "x");
            return null;
        });
        m.put("ack on an auto subscription", () -> {
            try (StompClient c = connected(ARTEMIS.broker().uri())) {
                String q = "/queue/auto-" + System.nanoTime();
                c.subscribe(q, Map.of("receipt", "s")).receipt().await(Duration.ofSeconds(10));
                c.send(q, "x");
                StompFrame m1 = c.receiveFrame(Duration.ofSeconds(10));
                c.ack(m1);
            }
            return null;
        });
        return m;
    }

    private static List<Row> rows() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("..", "README.md"));
        int start = lines.indexOf("## Troubleshooting");
        assertThat(start).as("the README's troubleshooting section").isNotNegative();
        return lines.subList(start + 1, lines.size()).stream().takeWhile(l -> !l.startsWith("## "))
                .filter(l -> l.startsWith("| ") && !l.startsWith("| mistake") && !l.startsWith("|---"))
                .map(l -> l.split(" \\| "))
                .map(c -> new Row(c[0].substring(2).trim(), c[1].replace("`", "").trim(), c[2].replace("`", "").trim(),
                        c[3].replace("|", "").trim()))
                .toList();
    }

    /** What is wrong with {@code row} when {@code mistake} is made, or {@code null} when it is right. */
    private static String check(Row row, Callable<?> mistake) {
        Seen seen = run(mistake);
        String regex = Pattern.quote(row.message()).replace("…", "\\E.*\\Q");
        boolean right = seen.thrown().getClass().getSimpleName().equals(row.exception())
                && String.valueOf(seen.thrown().getMessage()).matches("(?s)" + regex)
                && (!row.when().equals("at once") || seen.millis() < 2_000);
        return right ? null : row.mistake() + ": the README says " + row.exception() + " '" + row.message() + "' " + row.when()
                + ", the client threw " + seen.thrown() + " after " + seen.millis() + " ms";
    }

    @Test
    @DisplayName("every row of the README's troubleshooting table is what the mistake really throws, and when")
    void tableIsWhatHappens() throws Exception {
        Map<String, Callable<?>> mistakes = mistakes();
        List<Row> rows = rows();
        assertThat(rows).extracting(Row::mistake).containsAll(mistakes.keySet());
        List<String> wrong = new java.util.ArrayList<>();
        for (Row row : rows) {
            Callable<?> mistake = mistakes.get(row.mistake());
            if (mistake != null) {
                String w = check(row, mistake);
                if (w != null) {
                    wrong.add(w);
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    @Test
    @DisplayName("the RabbitMQ row: a destination it does not know is refused with an ERROR (needs RabbitMQ, as in CI)")
    void unknownDestinationOnRabbitMq() throws Exception {
        String uri = dev.stompbox.fixtures.ExternalRabbitMq.runningOrSkip().uri();
        Row row = rows().stream().filter(r -> r.mistake().startsWith("a destination the broker does not know")).findFirst().orElseThrow();
        assertThat(check(row, () -> {
            try (StompClient c = StompClient.create(StompClientConfig.builder(uri).login("guest").passcode("guest").build())) {
                c.connect();
                c.send("/nowhere/x", "x", Map.of("receipt", "r")).await(Duration.ofSeconds(10));
            }
            return null;
        })).isNull();
    }
}
