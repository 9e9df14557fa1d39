package dev.stompbox.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static dev.stompbox.benchmarks.EndToEnd.RAW;
import static dev.stompbox.benchmarks.EndToEnd.SPRING;
import static dev.stompbox.benchmarks.EndToEnd.VERTX;

/**
 * The measured end-to-end rounds, and the ratios read from them. Each round runs every contender
 * once on one workload, in an order of its own (each contender starts one round in turn, as in
 * {@link PairedRounds}): run in a fixed order, a contender would always follow the same one and
 * meet the broker in the same state. A ratio is taken within each round, where the two contenders
 * ran a minute apart at most, and the report gives the median of those ratios: a machine whose
 * speed drifts between rounds moves both sides of a ratio together, while a ratio of medians
 * divides figures from different rounds.
 */
final class EndToEndRounds {
    /** Rounds per workload in a full run. */
    static final int ROUNDS = 5;

    private EndToEndRounds() {
    }

    /** Runs one contender on one workload; a failure is counted as a run that delivered nothing. */
    interface Run {
        EndToEnd.Result run(EndToEnd.Contender contender, EndToEnd.Workload workload) throws Exception;
    }

    /**
     * Every workload in turn, {@code rounds} rounds each, every contender once per round in that
     * round's order.
     *
     * @return workload label -> contender name (in the order given) -> its result in each round, by round
     */
    static Map<String, Map<String, List<EndToEnd.Result>>> run(List<EndToEnd.Contender> contenders,
                                                             List<EndToEnd.Workload> workloads, int rounds, Run run) {
        Map<String, Map<String, List<EndToEnd.Result>>> results = new LinkedHashMap<>();
        for (EndToEnd.Workload w : workloads) {
            Map<String, List<EndToEnd.Result>> byContender = new LinkedHashMap<>();
            for (EndToEnd.Contender c : contenders) {
                byContender.put(c.name(), new ArrayList<>());
            }
            results.put(w.label(), byContender);
            for (int round = 0; round < rounds; round++) {
                for (EndToEnd.Contender c : PairedRounds.order(contenders, round)) {
                    EndToEnd.Result r;
                    try {
                        r = run.run(c, w);
                    } catch (Exception e) {
                        System.err.println(c.name() + " failed on " + w.label() + ": " + e);
                        r = EndToEnd.Result.failed(w.messages());
                    }
                    System.out.printf(Locale.ROOT, "e2e round %d %-22s %-34s %s%n", round + 1, w.label(), c.name(), r.line());
                    byContender.get(c.name()).add(r);
                }
            }
        }
        return results;
    }

    /** One round of one workload: what each contender measured in it. */
    record Round(Map<String, EndToEnd.Result> results) {
        /** msg/s of {@code contender} in this round; NaN when it did not run or failed. */
        double rate(String contender) {
            EndToEnd.Result r = results.get(contender);
            return r == null ? Double.NaN : r.msgPerSec();
        }

        /** Client CPU µs per message of {@code contender} in this round; NaN when it did not run or failed. */
        double cpu(String contender) {
            EndToEnd.Result r = results.get(contender);
            return r == null ? Double.NaN : r.cpuMicrosPerMessage();
        }

        /** The faster of Spring and Vert.x in this round (NaN unless both ran: a bar needs both). */
        double fasterPeer() {
            return Math.max(rate(SPRING), rate(VERTX));
        }

        /**
         * What a client with its defaults is held to in this round: the higher of 0.9 of the raw
         * socket's limit and the faster peer (NaN unless all three ran).
         */
        double rateBar() {
            return Math.max(0.9 * rate(RAW), fasterPeer());
        }

        /** The CPU per message of the cheaper of Spring and Vert.x in this round (NaN unless both ran). */
        double cheapestPeerCpu() {
            return Math.min(cpu(SPRING), cpu(VERTX));
        }
    }

    /** The rounds of one workload's results (as {@link #run} returns them), in the order they ran. */
    static List<Round> rounds(Map<String, List<EndToEnd.Result>> byContender) {
        int n = byContender.values().stream().mapToInt(List::size).max().orElse(0);
        List<Round> rounds = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, EndToEnd.Result> round = new LinkedHashMap<>();
            for (Map.Entry<String, List<EndToEnd.Result>> e : byContender.entrySet()) {
                if (i < e.getValue().size()) {
                    round.put(e.getKey(), e.getValue().get(i));
                }
            }
            rounds.add(new Round(round));
        }
        return rounds;
    }

    /** A figure taken within each round; the rounds where it is not finite (a failed run) are left out. */
    static List<Double> each(List<Round> rounds, ToDoubleFunction<Round> figure) {
        List<Double> out = new ArrayList<>(rounds.size());
        for (Round r : rounds) {
            double x = figure.applyAsDouble(r);
            if (Double.isFinite(x)) {
                out.add(x);
            }
        }
        return out;
    }

    /** The median of a figure taken within each round; NaN when no round gives one. */
    static double median(List<Round> rounds, ToDoubleFunction<Round> figure) {
        return BenchMain.median(each(rounds, figure));
    }
}
