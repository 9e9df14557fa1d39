package dev.stompbox.cli;

import dev.stompbox.protocol.AckMode;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompProtocolException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code stompbox tail}: print messages as they arrive. */
@Command(name = "tail", description = "Print the messages of a destination as they arrive, until Ctrl-C or --count.", sortOptions = false)
final class TailCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DESTINATION")
    String destination;

    @Option(names = "--ack", paramLabel = "auto|client|client-individual", description = "Ack mode (default: ${DEFAULT-VALUE}); "
            + "under auto the tail acks each message once printed, so that it never takes more than it printed.")
    String ack = "auto";

    @Option(names = "--count", description = "Stop after this many messages (default: no limit).")
    long count = Long.MAX_VALUE;

    @Option(names = "--format", paramLabel = "text|json", description = "text, or one JSON object per line as decode prints (default: ${DEFAULT-VALUE}).")
    String format = "text";

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    /** How long a signal waits for the tail to disconnect: a poll and a disconnect timeout, and some. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(15);

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final PrintStream out;
    private final PrintStream err;

    TailCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        AckMode mode;
        try {
            mode = AckMode.of(ack);
        } catch (StompProtocolException e) {
            throw new IllegalArgumentException("--ack: " + e.getMessage(), e); // a usage error, exit 2
        }
        if (!format.equals("text") && !format.equals("json")) {
            throw new IllegalArgumentException("--format must be text or json, not '" + format + "'");
        }
        // Ctrl-C stops the loop, not the process at once: the acks of what was printed are written, and the
        // DISCONNECT's receipt says the broker has them, before the JVM ends (the asynchronous client writes
        // an ack after its handler, so a message printed at the signal came again at the next tail).
        try (SignalStop stop = new SignalStop("tail", STOP_WAIT);
             CommandClient client = CommandClient.connect(connection, "tail", err)) {
            // A broker hands a subscriber messages ahead of its reads, and under ack auto counts each one
            // consumed as it hands it over: stopped by --count or Ctrl-C, the tail would take those it never
            // printed. So auto is carried out here, one ack per message printed; the rest go back to the queue.
            client.subscribe(destination, mode == AckMode.AUTO ? AckMode.CLIENT : mode);
            stop.arm();
            for (long i = 0; i < count && !stop.requested() && !Thread.currentThread().isInterrupted(); ) {
                StompFrame f = client.next(Duration.ofMillis(500));
                if (f == null) {
                    continue;
                }
                out.println(format.equals("json") ? Json.frame(f) : f.info(Integer.MAX_VALUE));
                out.flush();
                client.ack(f);
                i++;
            }
            client.disconnect();
        }
        return 0;
    }
}
