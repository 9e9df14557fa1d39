package dev.stompbox.benchmarks;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The codec ratios the targets read, measured again in paired rounds: in each round the methods of
 * a group (one workload: Stompbox's paths and the peers they are held to) run one after the other,
 * each in a fork of its own, starting with a different one each round; a ratio is the median of
 * the ratios within rounds. On a shared machine the speed of everything drifts by a third for
 * seconds at a time (three forks of one Stompbox benchmark measured 2.2 M frames/s and the two
 * after them 1.3 M, while Netty's forks before them held within 5 %); a ratio of two figures
 * measured minutes apart, one fork each, reads that drift as a difference between codecs. Pairs
 * measured seconds apart, in turn, and the median of several, do not.
 *
 * <pre>{@code
 * Map<String, Map<String, Map<String, List<Double>>>> byKind =
 *         PairedRounds.run(PairedRounds.groups(), PairedRounds.ROUNDS, PairedRounds.jmh(false));
 * double readingOverNetty = PairedRounds.medianRatio(byKind.get("decode").get("small-send"), "stompboxReadingHeaders", "netty");
 * }</pre>
 */
final class PairedRounds {
    /** Rounds of a full run: the median of five is robust to two bad ones. */
    static final int ROUNDS = 5;
    static final String DECODE = "decode";
    static final String ENCODE = "encode";

    private PairedRounds() {
    }

    /** One workload of one benchmark class and the methods whose ratios the targets read. */
    record Group(String kind, Class<?> benchmark, String workload, List<String> methods) {
    }

    /** Measures one method on one workload in a fork of its own; answers ops/s. */
    interface Measure {
        double opsPerSec(Class<?> benchmark, String method, String workload) throws Exception;
    }

    /** The groups whose ratios the targets table reads. */
    static List<Group> groups() {
        List<Group> groups = new ArrayList<>();
        // Streaming in TCP-sized segments is held to feeding whole frames: a ratio of two Stompbox paths,
        // as open to the machine's drift as any other.
        for (String w : List.of(Workloads.SMALL_SEND, Workloads.BROKER_MESSAGE, Workloads.ESCAPED)) {
            groups.add(new Group(DECODE, DecodeBenchmark.class, w,
                    List.of("stompbox", "stompboxReadingHeaders", "netty", "spring", "stompboxChunks1460")));
        }
        groups.add(new Group(DECODE, DecodeBenchmark.class, Workloads.ONE_KIB, List.of("stompbox", "stompboxChunks1460")));
        groups.add(new Group(DECODE, DecodeBenchmark.class, Workloads.SIXTY_FOUR_KIB,
                List.of("stompbox", "netty", "stompboxOwned", "nettyAggregated", "stompboxChunks1460")));
        groups.add(new Group(DECODE, DecodeBenchmark.class, Workloads.ONE_MIB,
                List.of("stompboxOwned", "nettyAggregated", "stompbox", "stompboxChunks1460")));
        groups.add(new Group(ENCODE, EncodeBenchmark.class, Workloads.SMALL_SEND, List.of("stompbox", "stompboxBlocking", "netty")));
        groups.add(new Group(ENCODE, EncodeBenchmark.class, Workloads.SIXTY_FOUR_KIB, List.of("stompbox", "netty")));
        return groups;
    }

    /**
     * The methods of a group (or the end-to-end contenders) in the order round {@code round} runs
     * them: each starts one round in turn.
     */
    static <T> List<T> order(List<T> methods, int round) {
        List<T> order = new ArrayList<>(methods.size());
        for (int i = 0; i < methods.size(); i++) {
            order.add(methods.get((round + i) % methods.size()));
        }
        return order;
    }

    /** kind -> workload -> method -> ops/s, one per round (NaN where a run failed). */
    static Map<String, Map<String, Map<String, List<Double>>>> run(List<Group> groups, int rounds, Measure measure) {
        Map<String, Map<String, Map<String, List<Double>>>> results = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (Group g : groups) {
                for (String method : order(g.methods(), round)) {
                    double ops;
                    try {
                        ops = measure.opsPerSec(g.benchmark(), method, g.workload());
                    } catch (Exception e) {
                        System.err.println("paired round " + (round + 1) + ", " + g.kind() + " " + method + " on " + g.workload() + " failed: " + e);
                        ops = Double.NaN;
                    }
                    System.out.printf(Locale.ROOT, "paired round %d %s %-16s %-24s %,.0f ops/s%n", round + 1, g.kind(), g.workload(), method, ops);
                    results.computeIfAbsent(g.kind(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(g.workload(), k -> new LinkedHashMap<>())
                            .computeIfAbsent(method, k -> new ArrayList<>()).add(ops);
                }
            }
        }
        return results;
    }

    /** The ratios {@code ours / theirs} within each round; empty when either was not measured. */
    static List<Double> ratios(Map<String, List<Double>> byMethod, String ours, String theirs) {
        List<Double> a = byMethod == null ? null : byMethod.get(ours);
        List<Double> b = byMethod == null ? null : byMethod.get(theirs);
        List<Double> r = new ArrayList<>();
        if (a != null && b != null) {
            for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
                double x = a.get(i) / b.get(i);
                if (Double.isFinite(x)) {
                    r.add(x);
                }
            }
        }
        return r;
    }

    /** The median of the ratios within rounds, as the report takes every median; NaN when there is none. */
    static double medianRatio(Map<String, List<Double>> byMethod, String ours, String theirs) {
        return BenchMain.median(ratios(byMethod, ours, theirs));
    }

    /** JMH, one fork per call: two warm-up and two measured iterations of a second (one and one when quick). */
    static Measure jmh(boolean quick) {
        return (benchmark, method, workload) -> {
            Options opts = new OptionsBuilder()
                    .include("^" + benchmark.getName().replace(".", "\\.") + "\\." + method + "$")
                    .param("workload", workload)
                    .warmupIterations(quick ? 1 : 2).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(quick ? 1 : 2).measurementTime(TimeValue.seconds(1))
                    .forks(1)
                    .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                    .shouldFailOnError(true)
                    .build();
            Collection<RunResult> results = new Runner(opts).run();
            if (results.size() != 1) {
                throw new IllegalStateException(results.size() + " results for " + method + " on " + workload);
            }
            return results.iterator().next().getPrimaryResult().getScore();
        };
    }
}
