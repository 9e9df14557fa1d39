package dev.stompbox.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code stompbox send}: one message (or N) to a destination. */
@Command(name = "send", description = "Send a message: the body from --body, --file, or standard input.", sortOptions = false)
final class SendCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "DESTINATION", description = "e.g. /queue/orders")
    String destination;

    @Option(names = "--header", paramLabel = "NAME:VALUE", description = "A header; split at the first ':', the value taken literally.")
    List<String> headers = List.of();

    @Option(names = "--receipt", description = "Ask for a RECEIPT and wait for it.")
    boolean receipt;

    @Option(names = "--body", paramLabel = "TEXT", description = "The body (UTF-8).")
    String body;

    @Option(names = "--file", paramLabel = "FILE", description = "The body, from a file.")
    Path file;

    @Option(names = "--count", description = "How many times (default: ${DEFAULT-VALUE}).")
    int count = 1;

    @Mixin
    ConnectionOptions connection = new ConnectionOptions();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    /** The largest body a byte array holds. */
    private static final long MAX_BODY = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    SendCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws Exception {
        if (count < 1) {
            throw new IllegalArgumentException("--count must be at least 1");
        }
        if (body == null && file != null && Files.size(file) > MAX_BODY) {
            throw new IllegalArgumentException("--file " + file + " holds " + Files.size(file) + " bytes; a body is at most "
                    + MAX_BODY + " (a Java array)");
        }
        byte[] bytes = body != null ? body.getBytes(StandardCharsets.UTF_8) : file != null ? Files.readAllBytes(file) : in.readAllBytes();
        Map<String, String> hs = HeaderOptions.parse(headers);
        try (CommandClient client = CommandClient.connect(connection, "send", err)) {
            for (int i = 0; i < count; i++) {
                Map<String, String> these = new LinkedHashMap<>(hs);
                if (receipt) {
                    these.put("receipt", "send-" + i);
                }
                client.send(destination, bytes, these);
            }
            client.disconnect();
        }
        out.println("sent " + count + " message(s) of " + bytes.length + " bytes to " + destination + (receipt || ConnectionOptions.failover(connection.url()) ? ", each confirmed" : ""));
        return 0;
    }
}
