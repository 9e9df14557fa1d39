package dev.stompbox.cli;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** {@code stompbox bench --report}: a page that works offline and draws both charts with the run's own numbers. */
class BenchReportTest {

    @Test
    @DisplayName("a bench run's report, rendered in headless Chromium, holds both charts with the run's data and is not blank")
    void reportRendersBothChartsWithTheirData(@TempDir Path dir) throws Exception {
        HeadlessChromium.assumeAvailable();
        Path page = dir.resolve("report.html");
        Path json = dir.resolve("bench.json");
        CliTest.Result r = CliTest.run("", "bench", "--rate", "2000", "--duration", "2s", "--warmup", "0", "--report", page.toString(),
                "--json", json.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("report    " + page.toAbsolutePath().toUri());

        String html = Files.readString(page);
        assertThat(html).as("self-contained: nothing fetched, nothing run")
                .doesNotContain("<script", "<link", "src=", "url(", "@import")
                .doesNotContainPattern("https?://(?!www\\.w3\\.org/2000/svg\")");

        String dom = HeadlessChromium.dumpDom(page, dir);
        String throughput = element(dom, "svg", "throughput");
        String latency = element(dom, "svg", "latency");
        int rows = rows(element(dom, "table", "throughput-data"));
        assertThat(rows).as("about 2 s sampled every 100 ms").isGreaterThanOrEqualTo(10);
        assertThat(points(throughput, "sent")).isEqualTo(rows);
        assertThat(points(throughput, "received")).isEqualTo(rows);
        String latencyTable = element(dom, "table", "latency-data");
        assertThat(points(latency, "latency")).isEqualTo(rows(latencyTable)).isEqualTo(BenchReport.LEVELS.length);

        // The drawn numbers are the run's: the table's median is the JSON's p50, and the rates are near --rate.
        Matcher p50 = Pattern.compile("\"p50\":(\\d+)").matcher(Files.readString(json));
        assertThat(p50.find()).isTrue();
        assertThat(latencyTable).contains("<tr><td>50%</td><td>" + String.format(java.util.Locale.ROOT, "%,d", Long.parseLong(p50.group(1))) + "</td></tr>");
        List<double[]> sentRates = table(element(dom, "table", "throughput-data"));
        double mid = sentRates.get(sentRates.size() / 2)[1];
        assertThat(mid).as("sent msg/s mid-run at --rate 2000").isBetween(1000.0, 3000.0);

        BufferedImage shot = ImageIO.read(HeadlessChromium.screenshot(page, dir, 960, 1150).toFile());
        assertThat(shot).isNotNull();
        assertThat(pixelsNear(shot, 0xFFFFFF)).as("not blank").isLessThan(shot.getWidth() * shot.getHeight() * 97L / 100);
        assertThat(pixelsNear(shot, 0x8cbcf2)).as("the sent line is drawn").isGreaterThan(300);
        assertThat(pixelsNear(shot, 0xcf6a07)).as("the received line is drawn").isGreaterThan(300);
        assertThat(pixelsNear(shot, 0x8250df)).as("the latency line is drawn").isGreaterThan(300);
    }

    @Test
    @DisplayName("the page escapes what it quotes and draws nothing it was not given")
    void escapesAndEmptyRuns() {
        BenchTimeline empty = new BenchTimeline();
        String html = BenchReport.html("bench: <queue> & \"x\"", List.of("sent 0 <none>"), empty, new Histogram(3));
        assertThat(html).contains("bench: &lt;queue&gt; &amp; &quot;x&quot;").contains("sent 0 &lt;none&gt;").doesNotContain("<queue>");
        assertThat(points(element(html, "svg", "latency"), "latency")).isZero();
        assertThat(points(element(html, "svg", "throughput"), "sent")).isEqualTo(1);
    }

    @Test
    @DisplayName("throughput comes from the counters' own clock readings, merged into at most the points asked for")
    void timelineRates() {
        BenchTimeline t = new BenchTimeline();
        long s = 1_000_000_000L;
        t.sample(s, 5, 5); // before start: ignored
        t.start(s);
        for (int i = 1; i <= 10; i++) {
            t.sample(s + i * 100_000_000L, i * 100L, i * 50L); // 1,000 msg/s sent, 500 received
        }
        t.sample(s + 1_010_000_000L, 2_000, 2_000); // 10 ms after the last: sooner than the cadence, ignored
        assertThat(t.samples()).hasSize(11);
        List<BenchTimeline.Rate> all = t.rates(100);
        assertThat(all).hasSize(10);
        assertThat(all.get(0).seconds()).isCloseTo(0.1, within(1e-9));
        assertThat(all).allSatisfy(rate -> {
            assertThat(rate.sent()).isCloseTo(1000, within(1e-6));
            assertThat(rate.received()).isCloseTo(500, within(1e-6));
        });
        List<BenchTimeline.Rate> merged = t.rates(3);
        assertThat(merged).hasSize(3).last().satisfies(rate -> assertThat(rate.seconds()).isCloseTo(1.0, within(1e-9)));
        assertThat(merged).allSatisfy(rate -> assertThat(rate.sent()).isCloseTo(1000, within(1e-6)));

        t.sample(s + 1_200_000_000L, 1_000, 500); // idle after the run: nothing moved
        t.finish(s + 1_050_000_000L, 1_050, 525); // the last delivery came at 1.05 s
        assertThat(t.samples()).hasSize(12).last().isEqualTo(new BenchTimeline.Sample(1_050_000_000L, 1_050, 525));
        assertThat(t.rates(100)).last().satisfies(rate -> assertThat(rate.sent()).isCloseTo(1000, within(1e-6)));

        BenchTimeline spike = new BenchTimeline();
        spike.start(0);
        spike.sample(100_000_000L, 100, 100);
        spike.sample(200_000_000L, 200, 200);
        spike.finish(200_500_000L, 201, 248); // 0.5 ms after the last sample: merged into the interval before it
        assertThat(spike.samples()).extracting(BenchTimeline.Sample::nanos).containsExactly(0L, 100_000_000L, 200_500_000L);
        assertThat(spike.rates(100)).last().satisfies(rate -> assertThat(rate.received()).isLessThan(2_000));
    }

    @Test
    @DisplayName("a long run thins its samples instead of growing without bound")
    void timelineIsBounded() {
        BenchTimeline t = new BenchTimeline();
        t.start(0);
        for (long i = 1; i <= 20 * BenchTimeline.MAX_SAMPLES; i++) {
            t.sample(i * 100_000_000L, i, i);
        }
        List<BenchTimeline.Sample> samples = t.samples();
        assertThat(samples.size()).isLessThanOrEqualTo(BenchTimeline.MAX_SAMPLES).isGreaterThan(BenchTimeline.MAX_SAMPLES / 4);
        assertThat(samples.get(samples.size() - 1).nanos()).as("the latest is kept").isGreaterThan(19L * BenchTimeline.MAX_SAMPLES * 100_000_000L);
        assertThat(t.rates(400)).hasSizeLessThanOrEqualTo(400).allSatisfy(rate -> assertThat(rate.sent()).isCloseTo(10, within(1e-6)));
    }

    @Test
    @DisplayName("axis ticks are round numbers that cover the data")
    void ticks() {
        assertThat(BenchReport.niceStep(1234)).isEqualTo(2000);
        assertThat(BenchReport.niceStep(2100)).isEqualTo(2500);
        assertThat(BenchReport.niceStep(0.3)).isEqualTo(0.5);
        assertThat(BenchReport.niceCeiling(161_000)).isEqualTo(200_000);
        assertThat(BenchReport.niceCeiling(1_526_783)).isEqualTo(2_000_000);
        assertThat(BenchReport.niceCeiling(0)).isEqualTo(1);
        assertThat(BenchReport.ticks(0, 200_000, v -> Long.toString((long) v))).extracting(BenchReport.Tick::label)
                .containsExactly("0", "50000", "100000", "150000", "200000");
    }

    private static String element(String dom, String tag, String id) {
        int start = dom.indexOf("<" + tag + " id=\"" + id + "\"");
        assertThat(start).as(tag + "#" + id + " in the page").isNotNegative();
        return dom.substring(start, dom.indexOf("</" + tag + ">", start));
    }

    private static int points(String svg, String series) {
        Matcher m = Pattern.compile("<polyline class=\"" + series + "\" data-series=\"" + series + "\" data-points=\"(\\d+)\" points=\"([^\"]*)\"")
                .matcher(svg);
        assertThat(m.find()).as("a " + series + " line").isTrue();
        int drawn = m.group(2).isBlank() ? 0 : m.group(2).trim().split(" ").length;
        assertThat(drawn).as("points drawn = points declared").isEqualTo(Integer.parseInt(m.group(1)));
        return drawn;
    }

    private static int rows(String table) {
        return table.split("<tr><td>", -1).length - 1;
    }

    private static List<double[]> table(String table) {
        List<double[]> rows = new ArrayList<>();
        Matcher m = Pattern.compile("<tr><td>([\\d.]+)</td><td>([\\d.]+)</td><td>([\\d.]+)</td></tr>").matcher(table);
        while (m.find()) {
            rows.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3))});
        }
        return rows;
    }

    private static long pixelsNear(BufferedImage img, int rgb) {
        long n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int p = img.getRGB(x, y);
                int dr = ((p >> 16) & 0xff) - ((rgb >> 16) & 0xff);
                int dg = ((p >> 8) & 0xff) - ((rgb >> 8) & 0xff);
                int db = (p & 0xff) - (rgb & 0xff);
                if (dr * dr + dg * dg + db * db < 40 * 40) {
                    n++;
                }
            }
        }
        return n;
    }
}
