package dev.stompbox.it.reliability;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Artemis with a persistent journal in a JVM of its own, killed with SIGKILL
 * ({@link Process#destroyForcibly()}): nothing in the broker runs on the way out, what it wrote
 * stays in the operating system's files. Started from this test's class path; its output goes to
 * {@code broker-PORT.log} in the journal's parent directory.
 */
final class ArtemisProcess implements ChaosBroker {
    private final int port;
    private final Path dir;
    private Process process;

    ArtemisProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** The broker process: starts Artemis on {@code args[0]} with its journal in {@code args[1]}, until killed. */
    public static void main(String[] args) throws InterruptedException {
        new ChaosArtemis(Integer.parseInt(args[0]), Path.of(args[1])).start();
        System.out.println("Artemis up on " + args[0]);
        Thread.sleep(Long.MAX_VALUE);
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public synchronized void start() {
        if (process != null) {
            throw new IllegalStateException("already live on " + port);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        File log = dir.resolveSibling("broker-" + port + ".log").toFile();
        try {
            process = new ProcessBuilder(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    ArtemisProcess.class.getName(), String.valueOf(port), dir.toString()))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("Artemis process on " + port + " did not start; see " + log);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting Artemis on " + port, e);
            }
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL, by the process handle (its PID), and waits for it to be gone. */
    @Override
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("Artemis process " + process.pid() + " outlived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }
}
