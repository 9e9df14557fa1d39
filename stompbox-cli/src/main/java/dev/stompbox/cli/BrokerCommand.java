package dev.stompbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code stompbox broker}: embedded ActiveMQ Artemis on loopback until Ctrl-C. */
@Command(name = "broker", description = "Run an embedded ActiveMQ Artemis with STOMP on loopback until Ctrl-C.", sortOptions = false)
final class BrokerCommand implements Callable<Integer> {
    @Option(names = "--port", description = "STOMP port, 0 for an ephemeral one (default: ${DEFAULT-VALUE}); also serves STOMP over WebSocket.")
    int port = 61613;

    @Option(names = "--ws-port", description = "An extra port for STOMP over WebSocket (default: none).")
    int wsPort;

    @Option(names = "--user", description = "Admit only this user (with --password); default: anyone, security off.")
    String user;

    @Option(names = "--password", description = "The password of --user.")
    String password;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final PrintStream out;
    /** Counted down to stop; a signal (Ctrl-C) does it too. */
    final CountDownLatch stop = new CountDownLatch(1);
    /** Holds the JVM on Ctrl-C until the broker has stopped and removed its data folder, which it would otherwise leave behind. */
    volatile SignalStop signal; // for tests
    volatile java.nio.file.Path dataDirectory; // for tests

    BrokerCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        if ((user == null) != (password == null)) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "--user and --password go together");
        }
        try (SignalStop signal = new SignalStop("broker", Duration.ofSeconds(10), stop::countDown)) {
            this.signal = signal;
            try (EmbeddedBroker broker = new EmbeddedBroker(port, wsPort, user, password)) {
                signal.arm();
                dataDirectory = broker.dataDirectory();
                out.println("broker listening on " + broker.uri() + (wsPort != 0 ? " (WebSocket also on ws://127.0.0.1:" + wsPort + "/)" : "")
                        + (user != null ? ", admitting only " + user : ", admitting anyone") + "; Ctrl-C stops it");
                out.flush();
                stop.await();
            }
            out.println("broker stopped");
        }
        return 0;
    }
}
