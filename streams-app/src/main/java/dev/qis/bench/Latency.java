package dev.qis.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** Latencies of one kind of call: percentiles, throughput and the calls that failed. */
public record Latency(int count, long failed, double seconds, double p50Ms, double p99Ms, double p999Ms) {

    /** From the nanoseconds of each call, over a wall time of {@code seconds}. */
    public static Latency of(long[] nanos, long failed, double seconds) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new Latency(sorted.length, failed, seconds, percentile(sorted, 0.50), percentile(sorted, 0.99),
                percentile(sorted, 0.999));
    }

    static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    public double perSecond() {
        return seconds > 0 ? count / seconds : Double.NaN;
    }

    Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", count);
        m.put("failed", failed);
        m.put("p50_ms", round(p50Ms));
        m.put("p99_ms", round(p99Ms));
        m.put("p999_ms", round(p999Ms));
        m.put("per_s", round(perSecond()));
        return m;
    }

    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : v;
    }

    /**
     * Runs every query once on {@code clients} threads, each taking the next query; the first {@code warmup} queries
     * run before the clock starts and are not counted. A query that returns false counts as failed.
     */
    public static <Q> Latency run(List<Q> queries, int warmup, int clients, Predicate<Q> call) throws Exception {
        for (int i = 0; i < Math.min(warmup, queries.size()); i++) {
            call.test(queries.get(i));
        }
        long[] nanos = new long[queries.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicLong failed = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(clients, r -> {
            Thread t = new Thread(r, "qis-bench-client");
            t.setDaemon(true);
            return t;
        });
        try {
            long start = System.nanoTime();
            Future<?>[] futures = new Future<?>[clients];
            for (int c = 0; c < clients; c++) {
                futures[c] = pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < queries.size(); i = next.getAndIncrement()) {
                        long t0 = System.nanoTime();
                        boolean ok = call.test(queries.get(i));
                        nanos[i] = System.nanoTime() - t0;
                        if (!ok) {
                            failed.incrementAndGet();
                        }
                    }
                });
            }
            for (Future<?> f : futures) {
                f.get();
            }
            return of(nanos, failed.get(), (System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }
}
