package dev.stompbox.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The benchmark's broker, ActiveMQ Artemis as {@code stompbox broker} runs it, in a JVM of its own on
 * an ephemeral loopback port, so that the clients' CPU and allocation are the benchmark process's
 * alone and the broker's JIT and GC do not run on the clients' threads' time. Stopped by its PID
 * (SIGTERM, which stops the broker cleanly, then SIGKILL after 20 s).
 */
final class BrokerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("broker listening on tcp://127\\.0\\.0\\.1:(\\d+)");

    private final Process process;
    private final int port;

    private BrokerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts the broker JVM with this JVM's class path and waits (at most 60 s) for its port. */
    static BrokerProcess start() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xms1g", "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                "dev.stompbox.cli.Main", "broker", "--port", "0")).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException e) {
                port.completeExceptionally(e);
            }
            port.completeExceptionally(new IOException("the broker JVM ended before it listened"));
        }, "benchmark-broker-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new BrokerProcess(p, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IOException("the broker JVM did not start: " + e.getMessage(), e);
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
