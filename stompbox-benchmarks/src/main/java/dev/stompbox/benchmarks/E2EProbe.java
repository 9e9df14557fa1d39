package dev.stompbox.benchmarks;

import java.util.*;

public class E2EProbe {
    public static void main(String[] args) throws Exception {
        EndToEnd.VertxClient vertx = new EndToEnd.VertxClient();
        Map<String, EndToEnd.Contender> all = new LinkedHashMap<>();
        all.put("blocking", new EndToEnd.StompboxBlocking());
        all.put("async", new EndToEnd.StompboxAsync());
        all.put("spring", new EndToEnd.SpringTcp());
        all.put("vertx", vertx);
        all.put("raw", new EndToEnd.RawSocket());
        int pc = Integer.parseInt(args[0]), size = Integer.parseInt(args[1]), n = Integer.parseInt(args[2]);
        boolean receipts = Boolean.parseBoolean(args[3]);
        int rounds = Integer.parseInt(args[4]);
        List<String> which = args.length > 5 ? Arrays.asList(args[5].split(",")) : new ArrayList<>(all.keySet());
        try (dev.stompbox.cli.EmbeddedBroker broker = new dev.stompbox.cli.EmbeddedBroker(0, 0)) {
            for (int i = 0; i < rounds; i++) {
                for (String k : which) {
                    var w = new EndToEnd.Workload(pc, pc, size, n, receipts, 100);
                    long t0 = System.nanoTime();
                    var r = EndToEnd.run(all.get(k), "127.0.0.1", broker.port(), w);
                    System.out.printf("%-9s %,10.0f msg/s p50 %,9.0f p99 %,9.0f lost %d (%d ms)%n", k, r.msgPerSec(), r.p50Micros(), r.p99Micros(), r.lost(), (System.nanoTime() - t0) / 1_000_000);
                }
            }
        } finally {
            vertx.shutdown();
        }
    }
}
