package dev.stompbox.cli;

import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompFrameException;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.concurrent.Callable;

/**
 * {@code stompbox decode}: STOMP wire bytes on standard input, one JSON object per frame on
 * standard output. It checks the wire only (grammar, escapes, content-length, which commands may
 * carry a body, the version's command set), never session rules. Loads no client or broker class.
 */
@Command(name = "decode", description = {"Decode raw STOMP bytes from standard input into one JSON object per frame.",
        "Exit 0 when everything decoded, 1 on a malformed frame (reported as {\"error\":...,\"offset\":...})."},
        sortOptions = false)
final class DecodeCommand implements Callable<Integer> {
    @Option(names = "--version", paramLabel = "1.0|1.1|1.2", description = "STOMP version whose rules apply (default 1.2).")
    String version = "1.2";

    @Option(names = "--resync", description = "After a malformed frame, go on after the next NUL (still exit 1).")
    boolean resync;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    private final InputStream in;
    private final PrintStream out;

    DecodeCommand(InputStream in, PrintStream out) {
        this.in = in;
        this.out = out;
    }

    @Override
    public Integer call() throws IOException {
        StompParser parser = new StompParser(StompVersion.of(version));
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        boolean failed = false;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            try {
                parser.add(buf, 0, n);
            } catch (StompFrameException e) {
                failed = true;
                drain(parser); // the frames that came before the bad byte, in order
                if (!report(parser, e)) {
                    return 1;
                }
            }
            failed |= drain(parser);
        }
        failed |= drain(parser);
        if (parser.hasPartialFrame()) {
            out.println("{\"error\":" + Json.string("input ends inside a frame") + ",\"offset\":" + total + "}");
            return 1;
        }
        out.flush();
        return failed ? 1 : 0;
    }

    /** Prints complete frames; a frame error surfacing while resuming is reported too. */
    private boolean drain(StompParser parser) {
        boolean failed = false;
        while (true) {
            StompFrame f;
            try {
                f = parser.get();
            } catch (StompFrameException e) {
                failed = true;
                if (!report(parser, e)) {
                    return true;
                }
                continue;
            }
            if (f == null) {
                return failed;
            }
            out.println(Json.frame(f));
        }
    }

    /** Reports the error; returns whether decoding goes on (with --resync). */
    private boolean report(StompParser parser, StompFrameException e) {
        out.println("{\"error\":" + Json.string(e.reason()) + ",\"offset\":" + e.offset() + "}");
        if (!resync) {
            return false;
        }
        while (true) {
            try {
                parser.resync();
                return true;
            } catch (StompFrameException again) {
                out.println("{\"error\":" + Json.string(again.reason()) + ",\"offset\":" + again.offset() + "}");
            }
        }
    }
}
