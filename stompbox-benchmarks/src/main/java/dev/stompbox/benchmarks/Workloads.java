package dev.stompbox.benchmarks;

import dev.stompbox.protocol.StompCommand;
import dev.stompbox.protocol.StompFrame;
import dev.stompbox.protocol.StompVersion;
import dev.stompbox.protocol.codec.StompEncoder;

import java.util.Random;

/** The frames every contender decodes and encodes: the same bytes for all. */
public final class Workloads {
    private Workloads() {
    }

    public static final String SMALL_SEND = "small-send";
    public static final String ONE_KIB = "1KiB";
    public static final String SIXTY_FOUR_KIB = "64KiB";
    public static final String ONE_MIB = "1MiB";
    public static final String ESCAPED = "escaped-headers";
    public static final String BROKER_MESSAGE = "broker-message";

    public static StompFrame frame(String workload) {
        return switch (workload) {
            case SMALL_SEND -> StompFrame.builder(StompCommand.SEND)
                    .header("destination", "/queue/orders")
                    .header("content-type", "text/plain")
                    .header("receipt", "r-1234")
                    .header("persistent", "true")
                    .header("priority", "4")
                    .header("correlation-id", "c-98765")
                    .header("x-app", "stompbox")
                    .body("0123456789abcdefghij").build();
            case ONE_KIB -> binary(1024);
            case SIXTY_FOUR_KIB -> binary(64 * 1024);
            case ONE_MIB -> binary(1024 * 1024);
            case ESCAPED -> StompFrame.builder(StompCommand.SEND)
                    .header("destination", "/queue/a:b")
                    .header("k1", "a:b\\c\nd")
                    .header("k2", "tcp://host:61613/\\path")
                    .header("k:3", "x:y:z")
                    .header("k4", "line1\nline2\nline3")
                    .header("k5", "c:\\dir\\file")
                    .header("k6", "::::")
                    .body("escaped").build();
            case BROKER_MESSAGE -> StompFrame.builder(StompCommand.MESSAGE)
                    .header("subscription", "sub-1")
                    .header("content-length", "100")
                    .header("message-id", "ID:broker-1234-1700000000000-1:1:1:1:42")
                    .header("destination", "/queue/orders")
                    .header("ack", "ID:broker-1234-1700000000000-1:1:1:1:42")
                    .header("expires", "0")
                    .header("redelivered", "false")
                    .header("priority", "4")
                    .header("persistent", "true")
                    .header("timestamp", "1700000000123")
                    .bodyWithoutCopy(bytes(100)).build();
            default -> throw new IllegalArgumentException(workload);
        };
    }

    private static StompFrame binary(int size) {
        return StompFrame.builder(StompCommand.SEND).header("destination", "/queue/blobs")
                .header("content-type", "application/octet-stream").bodyWithoutCopy(bytes(size)).build();
    }

    private static byte[] bytes(int size) {
        byte[] b = new byte[size];
        new Random(42).nextBytes(b);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                b[i] = 1; // no NUL, so peers that end bodies at NUL parse these too
            }
        }
        return b;
    }

    /**
     * {@code n} frames of the workload as a connection sees them one after another: the headers
     * that differ from message to message in real traffic (receipt and correlation id of a SEND;
     * message-id, ack and timestamp of a MESSAGE; one escaped value of the escaped frame) differ, the
     * rest is the same. A decoder that
     * remembers values across frames gets no help from identical frames this way.
     */
    public static byte[][] wires(String workload, int n) {
        byte[][] out = new byte[n][];
        StompEncoder encoder = StompEncoder.of(StompVersion.V1_2);
        for (int k = 0; k < n; k++) {
            StompFrame f = frame(workload);
            String id = "ID:broker-1234-1700000000000-1:1:1:1:" + (4200 + k);
            f = switch (workload) {
                case SMALL_SEND -> f.withHeader("receipt", "r-" + (1234 + k)).withHeader("correlation-id", "c-" + (98765 + k));
                case BROKER_MESSAGE -> f.withHeader("message-id", id).withHeader("ack", id)
                        .withHeader("timestamp", Long.toString(1700000000123L + k));
                case ESCAPED -> f.withHeader("k2", "tcp://host:61613/\\path/" + k);
                default -> f;
            };
            out[k] = encoder.encode(f);
        }
        return out;
    }

    /** The wire bytes (STOMP 1.2, content-length on every body). */
    public static byte[] wire(String workload) {
        return StompEncoder.of(StompVersion.V1_2).encode(frame(workload));
    }
}
