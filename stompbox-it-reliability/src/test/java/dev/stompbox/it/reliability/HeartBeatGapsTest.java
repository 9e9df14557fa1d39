package dev.stompbox.it.reliability;

import dev.stompbox.fixtures.EmbeddedArtemis;
import dev.stompbox.fixtures.EmbeddedClassic;
import dev.stompbox.fixtures.ExternalRabbitMq;
import dev.stompbox.fixtures.TestBroker;
import dev.stompbox.protocol.HeartBeat;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import dev.stompbox.protocol.codec.StompParser;
import dev.stompbox.protocol.session.StompSession;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How late the brokers' own heart-beats really come: an idle STOMP 1.2 connection to each broker asks
 * for a server beat every period and timestamps every read that brings bytes; the gaps between
 * reads are what a client's silence check sees. Raw sockets and the bare parser, so that no client
 * scheduling is in the figures. The default tolerance ({@link StompSession#toleratedSilence}) must cover
 * every gap measured.
 *
 * <p>{@code mvn -B verify} runs 20 periods of 1 s on Artemis, Classic and RabbitMQ (when running) at
 * once; {@code scripts/heartbeat-gaps.sh} runs the long measurement of RELIABILITY.md (periods of 1 s
 * and 10 s, {@code -Dstompbox.beats.seconds}).
 */
class HeartBeatGapsTest {
    private static final long SECONDS = Long.getLong("stompbox.beats.seconds", 20);
    private static final long[] PERIODS = Arrays.stream(System.getProperty("stompbox.beats.periods", "1000").split(","))
            .mapToLong(Long::parseLong).toArray();

    record Gaps(String broker, long asked, long negotiated, long[] gaps) {
        long max() {
            return gaps.length == 0 ? 0 : gaps[gaps.length - 1];
        }

        long percentile(double p) {
            return gaps.length == 0 ? 0 : gaps[(int) Math.min(gaps.length - 1, Math.ceil(p * gaps.length) - 1)];
        }

        @Override
        public String toString() {
            return String.format("beats [%s, %d ms asked, %d ms negotiated]: %d gaps, median %d ms, p99 %d ms, max %d ms (%.2f × period), "
                            + "tolerated %d ms", broker, asked, negotiated, gaps.length, percentile(0.5), percentile(0.99), max(),
                    max() / (double) negotiated, StompSession.toleratedSilence(negotiated));
        }
    }

    @Test
    void everyBrokerBeatsWithinTheDefaultTolerance() throws Exception {
        List<TestBroker> brokers = new ArrayList<>();
        brokers.add(new EmbeddedArtemis(60_000));
        brokers.add(new EmbeddedClassic());
        if (ExternalRabbitMq.reachable()) {
            brokers.add(new ExternalRabbitMq());
        } else if (ExternalRabbitMq.required()) {
            throw new AssertionError(ExternalRabbitMq.HOW_TO_START);
        }
        ExecutorService pool = Executors.newCachedThreadPool();
        List<Gaps> results = new CopyOnWriteArrayList<>();
        try {
            List<Future<Gaps>> runs = new ArrayList<>();
            for (TestBroker b : brokers) {
                for (long period : PERIODS) {
                    runs.add(pool.submit(() -> measure(b, period, pool)));
                }
            }
            for (Future<Gaps> f : runs) {
                Gaps g = f.get(SECONDS + 120, TimeUnit.SECONDS);
                System.out.println(g);
                results.add(g);
            }
        } finally {
            pool.shutdownNow();
            for (TestBroker b : brokers) {
                b.close();
            }
        }
        for (Gaps g : results) {
            assertThat(g.gaps.length).as("beats counted from %s", g.broker).isGreaterThanOrEqualTo((int) (SECONDS * 1000 / g.negotiated) / 2);
            assertThat(g.max()).as("longest gap of %s at %d ms", g.broker, g.negotiated)
                    .isLessThanOrEqualTo(StompSession.toleratedSilence(g.negotiated));
        }
    }

    private static Gaps measure(TestBroker broker, long period, ExecutorService pool) throws Exception {
        URI uri = URI.create(broker.uri());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            socket.setTcpNoDelay(true);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            StompFrame connect = StompFrame.builder(StompCommand.CONNECT).header("accept-version", "1.2").header("host", "/")
                    .header("login", "guest").header("passcode", "guest").header("heart-beat", period + "," + period).build();
            out.write(StompEncoder.of(StompVersion.V1_2).encode(connect));
            out.flush();
            StompParser parser = new StompParser(StompVersion.V1_2);
            byte[] buf = new byte[8192];
            StompFrame connected = null;
            socket.setSoTimeout(10_000);
            while (connected == null) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException(broker.name() + " closed before CONNECTED");
                }
                parser.add(buf, 0, n);
                connected = parser.get();
            }
            assertThat(connected.command()).as("%s answered %s", broker.name(), connected.info()).isEqualTo(StompCommand.CONNECTED);
            HeartBeat offered = HeartBeat.parse(connected.header("heart-beat"));
            long negotiated = HeartBeat.negotiate(offered.send(), period);
            // Our beats, twice as often as promised, so that no broker drops us for its own reasons.
            Future<?> beats = pool.submit(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        Thread.sleep(period / 2);
                        synchronized (out) {
                            out.write(StompEncoder.heartBeat());
                            out.flush();
                        }
                    }
                } catch (InterruptedException | IOException e) {
                    // the measurement is over
                }
                return null;
            });
            List<Long> gaps = new ArrayList<>();
            socket.setSoTimeout((int) (negotiated * 10));
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            long last = System.nanoTime();
            try {
                while (System.nanoTime() < end) {
                    int n = in.read(buf);
                    long now = System.nanoTime();
                    if (n < 0) {
                        throw new IOException(broker.name() + " closed the connection after " + gaps.size() + " beats");
                    }
                    parser.add(buf, 0, n);
                    StompFrame f = parser.get();
                    assertThat(f).as("%s sent a frame to an idle connection", broker.name()).isNull();
                    gaps.add(TimeUnit.NANOSECONDS.toMillis(now - last));
                    last = now;
                }
            } finally {
                beats.cancel(true);
            }
            return new Gaps(broker.name(), period, negotiated, gaps.stream().mapToLong(Long::longValue).sorted().toArray());
        }
    }
}
