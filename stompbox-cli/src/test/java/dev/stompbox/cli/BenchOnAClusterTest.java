package dev.stompbox.cli;

import dev.stompbox.fixtures.RabbitMqCluster;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code stompbox bench --url failover:(...)} on the three-node RabbitMQ cluster, with the node every
 * client is on killed (SIGKILL) while the producers send: the summary and the JSON report the
 * reconnects and the SENDs written again, and nothing is lost (at-least-once is on by default with a
 * failover URL; the consumers ack each message; the queue is a quorum queue).
 */
class BenchOnAClusterTest {
    @ParameterizedTest(name = "{0} client")
    @ValueSource(strings = {"blocking", "async"})
    void aNodeKilledMidRunIsReportedAndNothingIsLost(String client, @TempDir Path dir) throws Exception {
        RabbitMqCluster cluster = RabbitMqCluster.runningOrSkip();
        Path json = dir.resolve("bench.json");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        String url = cluster.failoverUri("randomize=false,initialReconnectDelay=20,maxReconnectDelay=250");
        CompletableFuture<Integer> bench = CompletableFuture.supplyAsync(() -> Main.run(new String[]{"bench", "--url", url,
                "--client", client, "--duration", "12s", "--producers", "2", "--consumers", "2", "--ack", "client-individual",
                "--header", "x-queue-type:quorum", "--destination", "/queue/bench-cluster-" + client + "-" + System.nanoTime(),
                "--json", json.toString()}, new ByteArrayInputStream(new byte[0]), out, out, false));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Pattern.compile("(?m)^sent [1-9]").matcher(bytes.toString(StandardCharsets.UTF_8)).find()) {
            assertThat(bench).as("bench ended before sending: %s", bytes).isNotDone();
            assertThat(System.nanoTime()).as("bench sending within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
        cluster.kill(1); // randomize=false: every client is on node 1
        try {
            Thread.sleep(500);
        } finally {
            cluster.start(1);
        }
        int exit = bench.get(5, TimeUnit.MINUTES);
        String text = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(exit).as(text).isZero();
        assertThat(text).contains("at-least-once").containsPattern("failover  [0-9,]+ reconnects, [0-9,]+ SENDs re-sent")
                .contains("delivery  OK: 0 lost");
        String report = Files.readString(json);
        assertThat(number(report, "lost")).isZero();
        assertThat(number(report, "reconnects")).as("every client was on the killed node").isGreaterThanOrEqualTo(4);
        assertThat(number(report, "resentSends")).as("SENDs unreceipted when the node died are written again and counted").isPositive();
        assertThat(text).contains(String.format("failover  %,d reconnects, %,d SENDs re-sent", number(report, "reconnects"),
                number(report, "resentSends")));
        assertThat(report).contains("\"atLeastOnce\":true");
    }

    private static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
