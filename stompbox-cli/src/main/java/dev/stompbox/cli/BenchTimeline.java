package dev.stompbox.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * The sent and received counters of a {@code stompbox bench} run, sampled as it goes, for the
 * report's throughput-over-time chart. Samples come from the thread that shows progress, a few
 * times a second; the rates are computed from the samples' own clock readings, so an irregular
 * cadence shifts no figure. Memory is bounded: past {@link #MAX_SAMPLES} every other sample is
 * dropped and the cadence halves. Thread-safe.
 */
final class BenchTimeline {
    /** Enough for a smooth line; a long run thins its samples rather than growing without bound. */
    static final int MAX_SAMPLES = 4096;

    /** One reading: nanoseconds since the run started, and the counters then. */
    record Sample(long nanos, long sent, long received) {
    }

    /** Throughput over one interval: its end in seconds since the start, and the rates in messages per second. */
    record Rate(double seconds, double sent, double received) {
    }

    private final List<Sample> samples = new ArrayList<>();
    private long start;
    private long minGapNanos = 50_000_000L;

    /** Forgets every sample and starts the clock at {@code startNanos} (a {@link System#nanoTime()} reading). */
    synchronized void start(long startNanos) {
        samples.clear();
        start = startNanos;
        minGapNanos = 50_000_000L;
        samples.add(new Sample(0, 0, 0));
    }

    /** Records the counters at {@code nowNanos}; ignored before {@link #start} or sooner than the cadence allows. */
    synchronized void sample(long nowNanos, long sent, long received) {
        if (samples.isEmpty()) {
            return;
        }
        long t = nowNanos - start;
        Sample last = samples.get(samples.size() - 1);
        if (t - last.nanos() < minGapNanos) {
            return;
        }
        samples.add(new Sample(t, sent, received));
        if (samples.size() > MAX_SAMPLES) {
            List<Sample> kept = new ArrayList<>(MAX_SAMPLES / 2 + 1);
            for (int i = 0; i < samples.size(); i += 2) {
                kept.add(samples.get(i));
            }
            samples.clear();
            samples.addAll(kept);
            minGapNanos *= 2;
        }
    }

    /**
     * Ends the timeline at {@code endNanos}, the run's last SEND or delivery: samples taken after it
     * (while the command waited for stragglers or closed its clients) would draw an idle tail that is
     * not part of the run. Ignored before {@link #start}.
     */
    synchronized void finish(long endNanos, long sent, long received) {
        if (samples.isEmpty()) {
            return;
        }
        long t = endNanos - start;
        // Also drops a sample just before the end: an interval of a millisecond would turn a handful of messages into a spike.
        while (samples.size() > 1 && samples.get(samples.size() - 1).nanos() > t - minGapNanos) {
            samples.remove(samples.size() - 1);
        }
        if (t > samples.get(samples.size() - 1).nanos()) {
            samples.add(new Sample(t, sent, received));
        }
    }

    synchronized List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * The rates between consecutive samples, merged into at most {@code maxPoints} intervals of about
     * equal length so that a chart shows a trend rather than the jitter of 100 ms windows.
     */
    synchronized List<Rate> rates(int maxPoints) {
        List<Rate> rates = new ArrayList<>();
        if (samples.size() < 2) {
            return rates;
        }
        int step = Math.max(1, (int) Math.ceil((samples.size() - 1) / (double) maxPoints));
        int last = samples.size() - 1;
        for (int from = 0; from < last; from += step) {
            Sample a = samples.get(from);
            Sample b = samples.get(Math.min(from + step, last));
            double secs = (b.nanos() - a.nanos()) / 1e9;
            rates.add(new Rate(b.nanos() / 1e9, (b.sent() - a.sent()) / secs, (b.received() - a.received()) / secs));
        }
        return rates;
    }
}
