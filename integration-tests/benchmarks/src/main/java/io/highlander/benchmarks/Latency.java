package io.highlander.benchmarks;

import java.util.Locale;
import org.HdrHistogram.Histogram;

/** Latency samples in microseconds, with percentiles from HdrHistogram; shown in milliseconds. */
final class Latency {

    private final Histogram histogram = new Histogram(3_600_000_000L, 3);

    private long minimum = Long.MAX_VALUE;

    /** Negative samples are recorded as 0 (HdrHistogram counts from 0), but the true minimum is kept. */
    void record(long micros) {
        minimum = Math.min(minimum, micros);
        histogram.recordValue(Math.max(0, micros));
    }

    long count() {
        return histogram.getTotalCount();
    }

    double percentileMillis(double percentile) {
        return count() == 0 ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1000.0;
    }

    double maxMillis() {
        return count() == 0 ? Double.NaN : histogram.getMaxValue() / 1000.0;
    }

    double meanMillis() {
        return count() == 0 ? Double.NaN : histogram.getMean() / 1000.0;
    }

    String median() {
        return ms(percentileMillis(50));
    }

    String p95() {
        return ms(percentileMillis(95));
    }

    String p99() {
        return ms(percentileMillis(99));
    }

    String max() {
        return ms(maxMillis());
    }

    /** @return "median / p99 / max" */
    String summary() {
        String text = median() + " / " + p99() + " / " + max();
        return minimum < 0 ? text + " (min " + ms(minimum / 1000.0) + ")" : text;
    }

    static String ms(double millis) {
        if (Double.isNaN(millis)) {
            return "n/a";
        }
        if (Math.abs(millis) < 10) {
            return String.format(Locale.ROOT, "%.2f", millis);
        }
        if (Math.abs(millis) < 1000) {
            return String.format(Locale.ROOT, "%.1f", millis);
        }
        return String.format(Locale.ROOT, "%.0f", millis);
    }
}
