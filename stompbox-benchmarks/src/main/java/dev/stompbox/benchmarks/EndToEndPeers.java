package dev.stompbox.benchmarks;

import dev.stompbox.benchmarks.EndToEnd.Contender;
import dev.stompbox.benchmarks.EndToEnd.Producer;
import dev.stompbox.benchmarks.EndToEnd.Recorder;
import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.stomp.StompClientConnection;
import io.vertx.ext.stomp.StompClientOptions;
import org.springframework.messaging.converter.ByteArrayMessageConverter;
import org.springframework.messaging.simp.stomp.ReactorNettyTcpStompClient;
import org.springframework.messaging.simp.stomp.StompFrameHandler;
import org.springframework.messaging.simp.stomp.StompHeaders;
import org.springframework.messaging.simp.stomp.StompSession;
import org.springframework.messaging.simp.stomp.StompSessionHandlerAdapter;


import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Type;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static dev.stompbox.benchmarks.EndToEnd.RAW;
import static dev.stompbox.benchmarks.EndToEnd.RAW_EACH;
import static dev.stompbox.benchmarks.EndToEnd.SENT_NS;
import static dev.stompbox.benchmarks.EndToEnd.SPRING;
import static dev.stompbox.benchmarks.EndToEnd.VERTX;
import static dev.stompbox.benchmarks.EndToEnd.stamp;

/**
 * The end-to-end contenders that are not Stompbox: Spring's {@code ReactorNettyTcpStompClient}, Vert.x
 * {@code StompClient}, and the raw socket that sets the limit (see {@link EndToEnd}).
 */
final class EndToEndPeers {
    private EndToEndPeers() {
    }

    /** Spring's STOMP client over TCP (Reactor Netty). */
    static final class SpringTcp implements Contender {
        private static final org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler SCHEDULER = scheduler();

        private static org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler scheduler() {
            org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler s = new org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler();
            s.setDaemon(true);
            s.initialize();
            return s;
        }

        @Override
        public String name() {
            return SPRING;
        }

        private static StompSession connect(String host, int port, ReactorNettyTcpStompClient[] holder) throws Exception {
            ReactorNettyTcpStompClient client = new ReactorNettyTcpStompClient(host, port);
            client.setMessageConverter(new ByteArrayMessageConverter());
            client.setTaskScheduler(SCHEDULER); // receipts need one
            holder[0] = client;
            return client.connectAsync(new StompSessionHandlerAdapter() {
            }).get(30, TimeUnit.SECONDS);
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            ReactorNettyTcpStompClient[] holder = new ReactorNettyTcpStompClient[1];
            StompSession session = connect(host, port, holder);
            session.setAutoReceipt(true);
            java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
            session.subscribe(destination, new StompFrameHandler() {
                @Override
                public Type getPayloadType(StompHeaders headers) {
                    return byte[].class;
                }

                @Override
                public void handleFrame(StompHeaders headers, Object payload) {
                    recorder.record(headers.getFirst(SENT_NS));
                }
            }).addReceiptTask((Runnable) subscribed::countDown);
            subscribed.await(30, TimeUnit.SECONDS);
            return () -> {
                session.disconnect();
                holder[0].shutdown();
            };
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            ReactorNettyTcpStompClient[] holder = new ReactorNettyTcpStompClient[1];
            StompSession session = connect(host, port, holder);
            session.setAutoReceipt(receipts);
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws InterruptedException {
                    StompHeaders h = new StompHeaders();
                    h.setDestination(destination);
                    h.set(SENT_NS, Long.toString(System.nanoTime()));
                    if (window != null) {
                        window.acquire();
                        session.send(h, body).addReceiptTask((Runnable) window::release);
                    } else {
                        session.send(h, body);
                    }
                }

                @Override
                public void close() {
                    session.disconnect();
                    holder[0].shutdown();
                }
            };
        }
    }

    /** Vert.x {@code StompClient}. */
    static final class VertxClient implements Contender {
        private final Vertx vertx = Vertx.vertx();

        @Override
        public String name() {
            return VERTX;
        }

        /**
         * The client must stay reachable while its connection is used: Vert.x closes the TCP client
         * of a {@code StompClient} that is garbage collected, and with it every connection (Artemis
         * then answers each later SEND with "Connection is not valid"). Dropping the client after
         * connecting is what made Vert.x lose messages in earlier runs of this harness.
         */
        private record Connection(io.vertx.ext.stomp.StompClient client, StompClientConnection connection)
                implements AutoCloseable {
            @Override
            public void close() throws Exception {
                connection.close();
                client.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }

        private Connection connect(String host, int port) throws Exception {
            io.vertx.ext.stomp.StompClient client = io.vertx.ext.stomp.StompClient.create(vertx,
                    new StompClientOptions().setHost(host).setPort(port)
                            .setHeartbeat(new io.vertx.core.json.JsonObject().put("x", 10000).put("y", 10000)));
            return new Connection(client, client.connect().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            Connection c = connect(host, port);
            c.connection().subscribe(destination, new java.util.HashMap<>(), f -> recorder.record(f.getHeader(SENT_NS)))
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            return c;
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            Connection connection = connect(host, port);
            StompClientConnection c = connection.connection();
            // Vert.x's future-returning send always asks for a RECEIPT; its Completable overload with
            // null sends none. Each workload gets what it asks for.
            io.vertx.ext.stomp.impl.StompClientConnectionImpl impl = (io.vertx.ext.stomp.impl.StompClientConnectionImpl) c;
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore window) throws InterruptedException {
                    Map<String, String> hs = new java.util.HashMap<>(stamp());
                    if (window == null) {
                        impl.send(destination, hs, Buffer.buffer(body), null);
                        return;
                    }
                    window.acquire();
                    c.send(destination, hs, Buffer.buffer(body)).onComplete(ar -> window.release());
                }

                @Override
                public void close() throws Exception {
                    connection.close();
                }
            };
        }

        void shutdown() throws Exception {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * The limit: pre-encoded frames written to a socket, NULs counted back. No headers read, so no
     * latency. Batched, SENDs go out in 64 KiB writes (with receipts, as many as the window lets
     * wait); with {@code writeEach}, every SEND is written when it is sent, as a client that holds
     * no message back must do.
     */
    static final class RawSocket implements Contender {
        private final boolean writeEach;

        RawSocket(boolean writeEach) {
            this.writeEach = writeEach;
        }

        @Override
        public String name() {
            return writeEach ? RAW_EACH : RAW;
        }

        private static Socket open(String host, int port, String extra) throws IOException {
            Socket s = new Socket(host, port);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(("CONNECT\naccept-version:1.2\nhost:/\nheart-beat:0,0\n\n\0" + extra).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return s;
        }

        /** Reads until {@code n} NULs have gone by (CONNECTED, RECEIPT). */
        private static void skipFrames(InputStream in, int n) throws IOException {
            int seen = 0;
            while (seen < n) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("closed");
                }
                if (b == 0) {
                    seen++;
                }
            }
        }

        @Override
        public AutoCloseable consumer(String host, int port, String destination, Recorder recorder) throws Exception {
            Socket s = open(host, port, "SUBSCRIBE\nid:0\ndestination:" + destination + "\nreceipt:s\n\n\0");
            InputStream in = s.getInputStream();
            skipFrames(in, 2);
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        int nuls = 0;
                        for (int i = 0; i < n; i++) {
                            if (buf[i] == 0) {
                                nuls++;
                            }
                        }
                        if (nuls > 0) {
                            recorder.count(nuls);
                        }
                    }
                } catch (IOException closed) {
                    // The run is over.
                }
            }, "e2e-raw-consumer");
            t.setDaemon(true);
            t.start();
            return s::close;
        }

        @Override
        public Producer producer(String host, int port, boolean receipts) throws Exception {
            Socket s = open(host, port, "");
            InputStream in = s.getInputStream();
            skipFrames(in, 1);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
            byte[][] frame = new byte[1][];
            Semaphore[] window = new Semaphore[1];
            if (receipts) {
                Thread reader = new Thread(() -> {
                    byte[] buf = new byte[16 * 1024];
                    try {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            for (int i = 0; i < n; i++) {
                                if (buf[i] == 0 && window[0] != null) {
                                    window[0].release();
                                }
                            }
                        }
                    } catch (IOException closed) {
                        // The run is over.
                    }
                }, "e2e-raw-receipts");
                reader.setDaemon(true);
                reader.start();
            }
            return new Producer() {
                @Override
                public void send(String destination, byte[] body, Semaphore w) throws IOException, InterruptedException {
                    if (frame[0] == null) {
                        StompFrame.Builder b = StompFrame.builder(StompCommand.SEND).header("destination", destination)
                                .header(SENT_NS, "0");
                        if (w != null) {
                            b.header("receipt", "r");
                        }
                        frame[0] = StompEncoder.of(StompVersion.V1_2).encode(b.bodyWithoutCopy(body).build());
                    }
                    if (w != null) {
                        window[0] = w;
                        if (!w.tryAcquire()) {
                            out.flush(); // the broker must see what we wrote before it can answer
                            w.acquire();
                        }
                    }
                    out.write(frame[0]);
                    if (writeEach) {
                        out.flush();
                    }
                }

                @Override
                public void finish(Semaphore w, int permits) throws Exception {
                    out.flush();
                    if (w != null) {
                        w.acquire(permits);
                    }
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }
    }
}
