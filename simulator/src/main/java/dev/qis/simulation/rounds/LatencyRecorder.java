package dev.qis.simulation.rounds;

import dev.qis.simulation.LatencyStats;
import java.util.Arrays;

/** Collects call durations for one round; growable, no boxing. */
final class LatencyRecorder {
    private long[] nanos = new long[64];
    private int count;

    void record(long durationNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = durationNanos;
    }

    LatencyStats stats() {
        return LatencyStats.of(nanos, count);
    }

    void reset() {
        count = 0;
    }
}
