package dev.stompbox.it.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A broker in a JVM of its own, started from this test's class path and killed with SIGKILL
 * ({@link Process#destroyForcibly()}, by its process handle): nothing in the broker runs on the way
 * out, what it wrote stays in the operating system's files.
 */
final class BrokerJvm {
    private final String name;
    private Process process;

    BrokerJvm(String name) {
        this.name = name;
    }

    /** Starts {@code main} with {@code args}; its output goes to {@code log}. */
    synchronized void start(Class<?> main, Path log, String... args) {
        if (process != null) {
            throw new IllegalStateException(name + " already running");
        }
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, and waits for the process to be gone. */
    synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") outlived SIGKILL");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            process = null;
        }
    }

    /** Sleeps a little between checks; an interrupt ends the wait with an exception naming {@code what}. */
    static void pause(String what) {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + what, e);
        }
    }
}
