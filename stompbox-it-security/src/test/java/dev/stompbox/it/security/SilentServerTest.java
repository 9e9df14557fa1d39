package dev.stompbox.it.security;

import dev.stompbox.async.AsyncStompClientConfig;
import dev.stompbox.async.AsyncStompClient;
import dev.stompbox.client.Receipt;
import dev.stompbox.client.StompClient;
import dev.stompbox.client.StompClientConfig;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompConnectionException;
import dev.stompbox.protocol.session.StompSession;
import dev.stompbox.testkit.ServerConnection;
import dev.stompbox.testkit.StompTestServer;
import dev.stompbox.testkit.junit.StompTestServerExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.awaitility.Awaitility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A server that stops its heart-beats while a RECEIPT is outstanding: each client declares the
 * connection dead within the tolerated silence (twice the negotiated period plus the error margin,
 * {@link StompSession#toleratedSilence(long)}) plus the scheduling tolerance, fails the receipt,
 * and reconnects, after which sending works again. Repeated to give a worst case.
 */
@ExtendWith(StompTestServerExtension.class)
class SilentServerTest {
    private static final long PERIOD = 200;
    private static final long TOLERANCE = 600; // the client's timer tick and a loaded machine's scheduling
    private static final int TRIALS = 5;
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    StompTestServer server;

    private String failoverUri() {
        return "failover:(" + server.uri() + ")?initialReconnectDelay=10&maxReconnectDelay=50";
    }

    @Test
    void blockingClientDetectsFailsAndReconnects() throws Exception {
        long worst = 0;
        try (StompClient client = StompClient.create(StompClientConfig.builder(failoverUri()).autoReconnect(true)
                .heartBeat(new HeartBeat(0, PERIOD)).receiptTimeout(TIMEOUT).disconnectTimeout(Duration.ofSeconds(1)).build())) {
            client.connect();
            for (int trial = 0; trial < TRIALS; trial++) {
                ServerConnection sc = server.awaitConnection(trial, TIMEOUT);
                assertThat(sc.serverHeartBeatMillis()).isEqualTo(PERIOD);
                sc.faults().withholdReceipts();
                String receipt = "r" + trial;
                Receipt waiting = client.send("/queue/q", bytes("m" + trial), Map.of("receipt", receipt));
                sc.awaitReceived(f -> receipt.equals(f.header("receipt")), TIMEOUT);
                long t0 = System.nanoTime();
                sc.faults().stopHeartBeats();
                Throwable failed = catchThrowable(() -> waiting.await(TIMEOUT));
                long detected = (System.nanoTime() - t0) / 1_000_000;
                assertThat(failed).isInstanceOf(StompConnectionException.class).hasMessageContaining("server silent for");
                worst = Math.max(worst, detected);
                int next = trial + 1;
                await(() -> client.isConnected() && server.connections().size() == next + 1);
                client.send("/queue/q", bytes("after " + trial), Map.of("receipt", "ok" + trial)).await(TIMEOUT);
            }
        }
        System.out.printf("blocking client: server silence detected within %d ms at worst over %d trials (period %d ms)%n",
                worst, TRIALS, PERIOD);
        assertThat(worst).isLessThanOrEqualTo(StompSession.toleratedSilence(PERIOD) + TOLERANCE);
    }

    @Test
    void asyncClientDetectsFailsAndReconnects() throws Exception {
        long worst = 0;
        AsyncStompClient client = AsyncStompClient.create(AsyncStompClientConfig.builder(failoverUri()).autoReconnect(true)
                .heartBeat(new HeartBeat(0, PERIOD)).receiptTimeout(TIMEOUT).disconnectTimeout(Duration.ofSeconds(1)).build());
        try {
            client.connect().get(20, TimeUnit.SECONDS);
            for (int trial = 0; trial < TRIALS; trial++) {
                ServerConnection sc = server.awaitConnection(trial, TIMEOUT);
                sc.faults().withholdReceipts();
                CompletableFuture<Void> waiting = client.send("/queue/q", bytes("m" + trial), Map.of("receipt", "r" + trial));
                int t = trial;
                sc.awaitReceived(f -> ("r" + t).equals(f.header("receipt")), TIMEOUT);
                long t0 = System.nanoTime();
                sc.faults().stopHeartBeats();
                Throwable failed = catchThrowable(() -> waiting.get(20, TimeUnit.SECONDS));
                long detected = (System.nanoTime() - t0) / 1_000_000;
                assertThat(failed).isInstanceOf(ExecutionException.class);
                assertThat(failed.getCause()).isInstanceOf(StompConnectionException.class).hasMessageContaining("server silent for");
                worst = Math.max(worst, detected);
                int next = trial + 1;
                await(() -> client.isConnected() && server.connections().size() == next + 1);
                client.send("/queue/q", bytes("after " + trial), Map.of("receipt", "ok" + trial)).get(20, TimeUnit.SECONDS);
            }
        } finally {
            client.close();
        }
        System.out.printf("async client: server silence detected within %d ms at worst over %d trials (period %d ms)%n",
                worst, TRIALS, PERIOD);
        assertThat(worst).isLessThanOrEqualTo(StompSession.toleratedSilence(PERIOD) + TOLERANCE);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void await(BooleanSupplier condition) {
        Awaitility.await().atMost(TIMEOUT).until(condition::getAsBoolean);
    }
}
