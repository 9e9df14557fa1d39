package dev.stompbox.cli;

import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;

/**
 * The page {@code stompbox bench --report FILE.html} writes: the run's summary, its throughput over
 * time and its latency percentile distribution, drawn as inline SVG. Self-contained on purpose: no
 * script, no stylesheet or font from the network, so it opens offline, in a mail attachment or in a CI
 * artifact viewer, and looks the same everywhere. Each chart carries its numbers twice: as the drawn
 * line and in a table under it, so that nothing is only a picture.
 */
final class BenchReport {
    /** Percentile levels drawn, as HdrHistogram plots them: denser toward the tail. */
    static final double[] LEVELS = {0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96.25, 97.5, 98.125, 98.75, 99, 99.375,
            99.5, 99.6875, 99.75, 99.84375, 99.9, 99.95, 99.975, 99.99, 99.995, 99.999, 100};
    private static final int MAX_THROUGHPUT_POINTS = 400;
    private static final int WIDTH = 860;
    private static final int HEIGHT = 340;
    private static final int LEFT = 90;
    private static final int RIGHT = 24;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;

    private BenchReport() {
    }

    /** A line to draw: its name (also its CSS class) and its points. */
    record Series(String name, double[] xs, double[] ys) {
    }

    /** A labelled mark on an axis. */
    record Tick(double at, String label) {
    }

    /**
     * The whole page. {@code description} is the run's first line, {@code summary} the lines the
     * command printed at the end; the throughput comes from {@code timeline}, the percentiles from
     * {@code latency} (microseconds).
     */
    static String html(String description, List<String> summary, BenchTimeline timeline, Histogram latency) {
        StringBuilder sb = new StringBuilder(32 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>stompbox bench report</title>\n")
                .append("<style>\n")
                .append("body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1b1f24;background:#fff;margin:24px auto;max-width:900px;padding:0 16px}\n")
                .append("h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}\n")
                .append("pre{background:#f4f6f8;padding:10px 12px;border-radius:6px;white-space:pre-wrap;font-size:13px}\n")
                .append("svg{display:block;background:#fff;border:1px solid #d8dee4;border-radius:6px}\n")
                .append(".axis{stroke:#57606a;stroke-width:1}.grid{stroke:#e6e9ec;stroke-width:1}\n")
                .append("text{font:12px system-ui,sans-serif;fill:#1b1f24}.caption{font-size:13px;font-weight:600}\n")
                .append("polyline{fill:none;stroke-width:2.2;stroke-linejoin:round}\n")
                // Sent as a wide pale band under a thin received line: when the consumers keep up the two coincide, and both must show.
                .append("polyline.sent{stroke:#8cbcf2;stroke-width:7}.received{stroke:#cf6a07}.latency{stroke:#8250df}\n")
                .append("circle.latency{fill:#8250df;stroke:none}rect.sent{fill:#8cbcf2}rect.received{fill:#cf6a07}\n")
                .append("table{border-collapse:collapse;font-size:12px;margin-top:6px}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eef0f2}\n")
                .append("details{margin-top:6px}\n")
                .append("</style>\n</head>\n<body>\n")
                .append("<h1>stompbox bench</h1>\n<p>").append(escape(description)).append("</p>\n")
                .append("<pre id=\"summary\">").append(escape(String.join("\n", summary))).append("</pre>\n");
        throughput(sb, timeline.rates(MAX_THROUGHPUT_POINTS));
        latency(sb, latency);
        return sb.append("</body>\n</html>\n").toString();
    }

    private static void throughput(StringBuilder sb, List<BenchTimeline.Rate> rates) {
        double[] xs = new double[rates.size() + 1];
        double[] sent = new double[xs.length];
        double[] received = new double[xs.length];
        for (int i = 0; i < rates.size(); i++) {
            BenchTimeline.Rate r = rates.get(i);
            xs[i + 1] = r.seconds();
            sent[i + 1] = r.sent();
            received[i + 1] = r.received();
        }
        if (rates.size() > 0) { // the first interval's rates stand for the run's start too: a line from 0, not a step
            sent[0] = sent[1];
            received[0] = received[1];
        }
        double xMax = xs[xs.length - 1] > 0 ? xs[xs.length - 1] : 1;
        double yMax = niceCeiling(Math.max(max(sent), max(received)));
        sb.append("<h2>Throughput over time</h2>\n");
        chart(sb, "throughput", "messages per second, sent and received", "seconds since the first SEND",
                List.of(new Series("sent", xs, sent), new Series("received", xs, received)),
                ticks(0, xMax, v -> number(v) + " s"), xMax, ticks(0, yMax, BenchReport::number), yMax, false);
        sb.append("<details><summary>Data (").append(xs.length).append(" points)</summary>\n<table id=\"throughput-data\">")
                .append("<tr><th>seconds</th><th>sent msg/s</th><th>received msg/s</th></tr>\n");
        for (int i = 0; i < xs.length; i++) {
            sb.append("<tr><td>").append(fixed(xs[i], 2)).append("</td><td>").append(fixed(sent[i], 0)).append("</td><td>")
                    .append(fixed(received[i], 0)).append("</td></tr>\n");
        }
        sb.append("</table></details>\n");
    }

    private static void latency(StringBuilder sb, Histogram h) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        List<String> rows = new ArrayList<>();
        double lastX = -1;
        for (double level : LEVELS) {
            if (h.getTotalCount() == 0) {
                break;
            }
            // 1/(1-p) on a log scale, as HdrHistogram plots percentiles; the maximum sits one step past 99.999%.
            double x = level >= 100 ? Math.max(lastX, 5) + 0.5 : Math.log10(1 / (1 - level / 100));
            long micros = level >= 100 ? h.getMaxValue() : h.getValueAtPercentile(level);
            xs.add(x);
            ys.add((double) micros);
            lastX = x;
            rows.add("<tr><td>" + (level >= 100 ? "max" : trimmed(level) + "%") + "</td><td>" + String.format(Locale.ROOT, "%,d", micros)
                    + "</td></tr>");
        }
        double xMax = xs.isEmpty() ? 1 : xs.get(xs.size() - 1);
        double yMax = niceCeiling(ys.stream().mapToDouble(Double::doubleValue).max().orElse(1));
        List<Tick> xTicks = new ArrayList<>();
        String[] names = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
        for (int i = 0; i < names.length && i <= xMax; i++) {
            xTicks.add(new Tick(i, names[i]));
        }
        if (!xs.isEmpty()) {
            xTicks.add(new Tick(xMax, "max"));
        }
        sb.append("<h2>Latency by percentile</h2>\n");
        chart(sb, "latency", "end-to-end latency, " + String.format(Locale.ROOT, "%,d", h.getTotalCount()) + " messages",
                "percentile", List.of(new Series("latency", unbox(xs), unbox(ys))), xTicks, xMax, ticks(0, yMax, BenchReport::micros), yMax, true);
        sb.append("<details><summary>Data (").append(rows.size()).append(" percentiles)</summary>\n<table id=\"latency-data\">")
                .append("<tr><th>percentile</th><th>latency (µs)</th></tr>\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        sb.append("</table></details>\n");
    }

    private static void chart(StringBuilder sb, String id, String caption, String xLabel, List<Series> series, List<Tick> xTicks,
                              double xMax, List<Tick> yTicks, double yMax, boolean dots) {
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        DoubleFunction<Double> px = x -> LEFT + plotW * (xMax > 0 ? x / xMax : 0);
        DoubleFunction<Double> py = y -> TOP + plotH * (1 - (yMax > 0 ? Math.min(y, yMax) / yMax : 0));
        sb.append("<svg id=\"").append(id).append("\" class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\" aria-label=\"").append(escape(caption)).append("\">\n");
        sb.append("<text class=\"caption\" x=\"").append(LEFT).append("\" y=\"22\">").append(escape(caption)).append("</text>\n");
        for (Tick t : yTicks) {
            double y = py.apply(t.at());
            sb.append("<line class=\"grid\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(fixed(y, 1))
                    .append("\" y2=\"").append(fixed(y, 1)).append("\"/>")
                    .append("<text x=\"").append(LEFT - 8).append("\" y=\"").append(fixed(y + 4, 1)).append("\" text-anchor=\"end\">")
                    .append(escape(t.label())).append("</text>\n");
        }
        for (Tick t : xTicks) {
            double x = px.apply(t.at());
            sb.append("<line class=\"axis\" x1=\"").append(fixed(x, 1)).append("\" x2=\"").append(fixed(x, 1)).append("\" y1=\"")
                    .append(TOP + plotH).append("\" y2=\"").append(TOP + plotH + 5).append("\"/>")
                    .append("<text x=\"").append(fixed(x, 1)).append("\" y=\"").append(TOP + plotH + 20).append("\" text-anchor=\"middle\">")
                    .append(escape(t.label())).append("</text>\n");
        }
        sb.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(WIDTH - RIGHT).append("\" y1=\"").append(TOP + plotH)
                .append("\" y2=\"").append(TOP + plotH).append("\"/>\n");
        sb.append("<line class=\"axis\" x1=\"").append(LEFT).append("\" x2=\"").append(LEFT).append("\" y1=\"").append(TOP)
                .append("\" y2=\"").append(TOP + plotH).append("\"/>\n");
        sb.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(HEIGHT - 12).append("\" text-anchor=\"middle\">")
                .append(escape(xLabel)).append("</text>\n");
        int legendX = WIDTH - RIGHT - 110 * series.size();
        for (Series s : series) {
            sb.append("<polyline class=\"").append(s.name()).append("\" data-series=\"").append(s.name()).append("\" data-points=\"")
                    .append(s.xs().length).append("\" points=\"");
            for (int i = 0; i < s.xs().length; i++) {
                sb.append(i == 0 ? "" : " ").append(fixed(px.apply(s.xs()[i]), 1)).append(',').append(fixed(py.apply(s.ys()[i]), 1));
            }
            sb.append("\"/>\n");
            if (dots) {
                for (int i = 0; i < s.xs().length; i++) {
                    sb.append("<circle class=\"").append(s.name()).append("\" cx=\"").append(fixed(px.apply(s.xs()[i]), 1)).append("\" cy=\"")
                            .append(fixed(py.apply(s.ys()[i]), 1)).append("\" r=\"2.5\"/>");
                }
                sb.append('\n');
            }
            if (series.size() > 1) {
                sb.append("<rect class=\"").append(s.name()).append("\" x=\"").append(legendX).append("\" y=\"13\" width=\"14\" height=\"4\"/>")
                        .append("<text x=\"").append(legendX + 20).append("\" y=\"19\">").append(escape(s.name())).append("</text>\n");
                legendX += 110;
            }
        }
        sb.append("</svg>\n");
    }

    /** Five or so round ticks from {@code from} to {@code to}. */
    static List<Tick> ticks(double from, double to, DoubleFunction<String> label) {
        List<Tick> ticks = new ArrayList<>();
        double step = niceStep((to - from) / 5);
        for (double v = from; v <= to + step * 1e-9; v += step) {
            ticks.add(new Tick(v, label.apply(v)));
        }
        return ticks;
    }

    /** 1, 2, 2.5 or 5 times a power of ten: the tick spacing closest above {@code rough}. */
    static double niceStep(double rough) {
        if (!(rough > 0)) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= rough) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    /** The axis top: a multiple of the tick step at or above {@code max}. */
    static double niceCeiling(double max) {
        if (!(max > 0)) {
            return 1;
        }
        double step = niceStep(max / 5);
        return Math.ceil(max / step) * step;
    }

    private static String micros(double us) {
        if (us >= 1_000_000) {
            return trimmed(us / 1_000_000) + " s";
        }
        if (us >= 1_000) {
            return trimmed(us / 1_000) + " ms";
        }
        return trimmed(us) + " µs";
    }

    private static String number(double v) {
        if (v >= 1_000_000) {
            return trimmed(v / 1_000_000) + "M";
        }
        if (v >= 1_000) {
            return trimmed(v / 1_000) + "k";
        }
        return trimmed(v);
    }

    private static String trimmed(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String fixed(double v, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static double max(double[] values) {
        double m = 0;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    private static double[] unbox(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
