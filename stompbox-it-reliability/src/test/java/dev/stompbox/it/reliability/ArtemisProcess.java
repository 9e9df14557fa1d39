package dev.stompbox.it.reliability;

import dev.stompbox.fixtures.TestBroker;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Artemis with a persistent journal in a JVM of its own ({@link BrokerJvm}), killed with SIGKILL.
 * Its output goes to {@code broker-PORT.log} in the journal's parent directory.
 */
final class ArtemisProcess implements ChaosBroker {
    private final int port;
    private final Path dir;
    private final BrokerJvm jvm;

    ArtemisProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
        this.jvm = new BrokerJvm("Artemis process on " + port);
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
    public void start() {
        Path log = dir.resolveSibling("broker-" + port + ".log");
        jvm.start(ArtemisProcess.class, log, String.valueOf(port), dir.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!TestBroker.accepts(port, 200)) {
            if (!jvm.isAlive() || System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException("Artemis process on " + port + " did not start; see " + log);
            }
            BrokerJvm.pause("Artemis on " + port);
        }
    }

    @Override
    public void kill() {
        jvm.kill();
    }
}
