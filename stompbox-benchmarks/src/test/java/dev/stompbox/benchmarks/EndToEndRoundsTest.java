package dev.stompbox.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The end-to-end rounds: each in an order of its own, and every result kept in its round for the ratios within rounds. */
class EndToEndRoundsTest {
    private static final List<EndToEnd.Contender> CONTENDERS = List.of(TargetsTableTest.contender("a"),
            TargetsTableTest.contender("b"), TargetsTableTest.contender("c"));

    @Test
    void eachRoundRunsEveryContenderOnceAndEachStartsARoundInTurn() {
        List<String> ran = new ArrayList<>();
        EndToEndRounds.run(CONTENDERS, BenchMain.workloads(false).subList(0, 1), 3, (c, w) -> {
            ran.add(c.name());
            return result(1);
        });

        assertThat(ran).containsExactly("a", "b", "c", "b", "c", "a", "c", "a", "b");
    }

    @Test
    void resultsStayInTheContendersOrderAndInTheirRoundThoughEachRoundRanThemInAnotherOrder() {
        int[] run = {0};
        // The n-th run overall measures n msg/s; "b" fails in the second round.
        Map<String, Map<String, List<EndToEnd.Result>>> results = EndToEndRounds.run(CONTENDERS,
                BenchMain.workloads(false).subList(0, 2), 2, (c, w) -> {
                    run[0]++;
                    if (c.name().equals("b") && run[0] % 6 == 4) {
                        throw new IllegalStateException("b stalled");
                    }
                    return result(run[0]);
                });

        assertThat(results.keySet()).containsExactly("1p/1c 20 B", "1p/1c 20 B, receipts");
        Map<String, List<EndToEnd.Result>> first = results.get("1p/1c 20 B");
        assertThat(first.keySet()).containsExactly("a", "b", "c");
        // Round 1 ran a, b, c (runs 1-3); round 2 ran b (run 4, failed), c, a (runs 5, 6).
        assertThat(first.get("a")).extracting(EndToEnd.Result::msgPerSec).containsExactly(1.0, 6.0);
        assertThat(first.get("b")).extracting(EndToEnd.Result::msgPerSec).containsExactly(2.0, Double.NaN);
        assertThat(first.get("b").get(1).lost()).isEqualTo(BenchMain.workloads(false).get(0).messages());
        assertThat(first.get("c")).extracting(EndToEnd.Result::msgPerSec).containsExactly(3.0, 5.0);

        List<EndToEndRounds.Round> rounds = EndToEndRounds.rounds(first);
        assertThat(EndToEndRounds.each(rounds, r -> r.rate("c") / r.rate("a"))).containsExactly(3.0, 5.0 / 6.0);
        // The round in which "b" failed gives no ratio with it, rather than a ratio of nothing.
        assertThat(EndToEndRounds.each(rounds, r -> r.rate("b") / r.rate("a"))).containsExactly(2.0);
    }

    private static EndToEnd.Result result(double msgPerSec) {
        return new EndToEnd.Result(msgPerSec, 1, 2, 0, 1.0, 0);
    }
}
