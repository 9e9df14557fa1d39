package dev.stompbox.testkit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The fault proxy in front of an echo server: each fault, per direction, as a client sees it. */
class FaultProxyTest {
    private ServerSocket echo;
    private FaultProxy proxy;

    @BeforeEach
    void start() throws IOException {
        echo = new ServerSocket();
        echo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        Thread t = new Thread(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket s = echo.accept();
                    Thread e = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // gone
                        }
                    });
                    e.setDaemon(true);
                    e.start();
                } catch (IOException ignored) {
                    // closed
                }
            }
        });
        t.setDaemon(true);
        t.start();
        proxy = FaultProxy.to("tcp://127.0.0.1:" + echo.getLocalPort());
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", proxy.port());
        s.setSoTimeout(3000);
        return s;
    }

    private static String roundTrip(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes());
        s.getOutputStream().flush();
        byte[] buf = s.getInputStream().readNBytes(text.length());
        return new String(buf);
    }

    @Test
    @DisplayName("relays both ways, and says where it listens")
    void relays() throws IOException {
        assertThat(proxy.uri()).isEqualTo("tcp://127.0.0.1:" + proxy.port());
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "hello")).isEqualTo("hello");
        }
        assertThat(proxy.connections()).isEqualTo(1);
    }

    @Test
    @DisplayName("blackhole: nothing comes back, nothing is closed; clear() relays again")
    void blackhole() throws IOException {
        try (Socket s = connect()) {
            proxy.blackhole(FaultProxy.Direction.TO_CLIENT);
            s.setSoTimeout(500);
            s.getOutputStream().write("lost".getBytes());
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            proxy.clear();
            s.setSoTimeout(3000);
            assertThat(roundTrip(s, "back")).isEqualTo("back");
        }
    }

    @Test
    @DisplayName("delay and throttle slow a direction down")
    void slow() throws IOException {
        try (Socket s = connect()) {
            proxy.delay(FaultProxy.Direction.TO_BROKER, Duration.ofMillis(300));
            long t0 = System.nanoTime();
            assertThat(roundTrip(s, "late")).isEqualTo("late");
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(290);
            proxy.clear().throttle(FaultProxy.Direction.TO_CLIENT, 10_000);
            t0 = System.nanoTime();
            assertThat(roundTrip(s, "x".repeat(5_000))).hasSize(5_000);
            assertThat((System.nanoTime() - t0) / 1_000_000).as("5,000 bytes at 10,000 B/s").isGreaterThanOrEqualTo(450);
        }
    }

    @Test
    @DisplayName("half-close: the client reads the end of the stream; cut: a reset")
    void halfCloseAndCut() throws IOException {
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "up")).isEqualTo("up");
            proxy.halfClose(FaultProxy.Direction.TO_CLIENT);
            assertThat(s.getInputStream().read()).isEqualTo(-1);
            assertThat(proxy.openConnections()).isEqualTo(1);
        }
        // The relays notice the close on their own threads; until then cut() would count that link too.
        await().atMost(Duration.ofSeconds(5)).until(() -> proxy.openConnections() == 0);
        try (Socket s = connect()) {
            assertThat(roundTrip(s, "up")).isEqualTo("up");
            assertThat(proxy.cut()).isEqualTo(1);
            assertThatThrownBy(() -> {
                if (s.getInputStream().read() == -1) {
                    throw new IOException("end of stream");
                }
            }).isInstanceOf(IOException.class);
        }
        assertThatThrownBy(() -> proxy.throttle(FaultProxy.Direction.TO_BROKER, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
