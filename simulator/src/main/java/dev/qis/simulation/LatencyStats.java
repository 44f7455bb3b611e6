package dev.qis.simulation;

import java.util.Arrays;

/** Query latency over a set of calls: count and nearest-rank p50/p99 in milliseconds. */
public record LatencyStats(int count, double p50Ms, double p99Ms) {
    public static final LatencyStats NONE = new LatencyStats(0, 0, 0);

    public static LatencyStats of(long[] nanos, int count) {
        if (count == 0) {
            return NONE;
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        return new LatencyStats(count, percentile(sorted, 0.50) / 1e6, percentile(sorted, 0.99) / 1e6);
    }

    /** Nearest-rank percentile: the smallest sample with at least q of the samples at or below it. */
    static long percentile(long[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
