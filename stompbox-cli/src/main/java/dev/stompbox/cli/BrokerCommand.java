package dev.stompbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code stompbox broker}: embedded ActiveMQ Artemis on loopback until Ctrl-C. */
@Command(name = "broker", description = "Run an embedded ActiveMQ Artemis with STOMP on loopback until Ctrl-C.", sortOptions = false)
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", description = "STOMP port, 0 for an ephemeral one (default: ${DEFAULT-VALUE}); also serves STOMP over WebSocket.")
    int port = 61613;

    @Option(names = "--ws-port", description = "An extra port for STOMP over WebSocket (default: none).")
    int wsPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final PrintStream out;
    /** Counted down to stop; the shutdown hook (Ctrl-C) does it too. */
    final CountDownLatch stop = new CountDownLatch(1);

    BrokerCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        try (EmbeddedBroker broker = new EmbeddedBroker(port, wsPort)) {
            Thread hook = new Thread(stop::countDown, "stompbox-broker-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("broker listening on " + broker.uri() + (wsPort != 0 ? " (WebSocket also on ws://127.0.0.1:" + wsPort + "/)" : "")
                    + "; Ctrl-C stops it");
            out.flush();
            stop.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the JVM is already on its way out.
            }
        }
        out.println("broker stopped");
        return 0;
    }
}
