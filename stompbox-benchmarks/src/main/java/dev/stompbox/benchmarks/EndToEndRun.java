package dev.stompbox.benchmarks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One end-to-end workload for chosen contenders, printed rather than reported: for profiling a
 * contender (for instance under JFR) without the whole benchmark run.
 *
 * <pre>{@code
 * # producers=consumers=1, 20-byte bodies, 150 000 messages, no receipts, 3 rounds (each in an order of its own), async and raw only
 * java -XX:StartFlightRecording=filename=e2e.jfr -cp "$cp" dev.stompbox.benchmarks.EndToEndRun 1 20 150000 false 3 async,raw
 * }</pre>
 *
 * Contenders: {@code blocking}, {@code async}, {@code async-tuned}, {@code spring}, {@code vertx}, {@code raw},
 * {@code raw-each} (default: all). The broker runs in a JVM of its own ({@link BrokerProcess}), as in the full run.
 */
public final class EndToEndRun {
    private EndToEndRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 5) {
            System.err.println("usage: EndToEndRun <producers=consumers> <body bytes> <messages> <receipts true|false> <rounds> [contenders,...]");
            System.exit(2);
        }
        dev.stompbox.cli.LogDefaults.apply();
        EndToEndPeers.VertxClient vertx = new EndToEndPeers.VertxClient();
        Map<String, EndToEnd.Contender> all = EndToEnd.contenders(vertx);
        int clients = Integer.parseInt(args[0]);
        EndToEnd.Workload w = new EndToEnd.Workload(clients, clients, Integer.parseInt(args[1]), Integer.parseInt(args[2]),
                Boolean.parseBoolean(args[3]), 100);
        int rounds = Integer.parseInt(args[4]);
        List<String> which = args.length > 5 ? Arrays.asList(args[5].split(",")) : new ArrayList<>(all.keySet());
        try {
            List<EndToEnd.Contender> contenders = new ArrayList<>();
            for (String name : which) {
                EndToEnd.Contender c = all.get(name);
                if (c == null) {
                    throw new IllegalArgumentException("unknown contender " + name + "; one of " + all.keySet());
                }
                contenders.add(c);
            }
            try (BrokerProcess broker = BrokerProcess.start()) {
                // The full run's rounds: each in an order of its own; every run printed as it ends.
                EndToEndRounds.run(contenders, List.of(w), rounds, (c, wl) -> EndToEnd.run(c, "127.0.0.1", broker.port(), wl));
            }
        } finally {
            vertx.shutdown();
        }
    }
}
