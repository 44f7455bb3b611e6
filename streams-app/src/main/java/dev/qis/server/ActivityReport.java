package dev.qis.server;

import dev.qis.cli.LogSetup;
import dev.qis.metrics.QisMeters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.streams.KafkaStreams;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running instance's story on the console: every interval in which something happened, one line of what this
 * instance stored, rejected (by reason) and counted; and, in the app's own words, a warning while Kafka Streams
 * stays away from RUNNING (the reasons are in the log file).
 */
final class ActivityReport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ActivityReport.class);
    static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration NOT_RUNNING_WARNING = Duration.ofSeconds(30);

    private final MeterRegistry registry;
    private final Supplier<KafkaStreams.State> state;
    private final String bootstrap;
    private final ScheduledExecutorService timer;
    private Snapshot last = Snapshot.EMPTY;
    private long notRunningSince = -1;
    private long lastWarning = -1;

    private ActivityReport(MeterRegistry registry, Supplier<KafkaStreams.State> state, String bootstrap) {
        this.registry = registry;
        this.state = state;
        this.bootstrap = bootstrap;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "qis-activity-report");
            t.setDaemon(true);
            return t;
        });
    }

    static ActivityReport start(MeterRegistry registry, Supplier<KafkaStreams.State> state, String bootstrap) {
        ActivityReport report = new ActivityReport(registry, state, bootstrap);
        report.timer.scheduleWithFixedDelay(report::tick, INTERVAL.toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return report;
    }

    private void tick() {
        try {
            Snapshot now = Snapshot.of(registry);
            String line = now.since(last);
            if (line != null) {
                LOG.info(line);
            }
            last = now;
            warnWhileNotRunning(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.debug("activity report failed", e);
        }
    }

    private void warnWhileNotRunning(long nowNanos) {
        KafkaStreams.State s = state.get();
        if (s == KafkaStreams.State.RUNNING || s == KafkaStreams.State.PENDING_SHUTDOWN
                || s == KafkaStreams.State.NOT_RUNNING) {
            notRunningSince = -1;
            lastWarning = -1;
            return;
        }
        if (notRunningSince < 0) {
            notRunningSince = nowNanos;
            return;
        }
        long waited = nowNanos - notRunningSince;
        boolean due = lastWarning < 0 ? waited >= NOT_RUNNING_WARNING.toNanos()
                : nowNanos - lastWarning >= 2 * NOT_RUNNING_WARNING.toNanos();
        if (due) {
            lastWarning = nowNanos;
            LOG.warn("the stream app has been {} for {} s: queries answer 503 meanwhile. Is Kafka reachable at {}? "
                    + "Kafka's own lines are in {}", s, Duration.ofNanos(waited).toSeconds(), bootstrap, LogSetup.logFile());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** The counters of one moment. */
    private record Snapshot(long accepted, Map<String, Long> rejected, long votes, long citations) {
        static final Snapshot EMPTY = new Snapshot(0, Map.of(), 0, 0);

        static Snapshot of(MeterRegistry registry) {
            Map<String, Long> rejected = new TreeMap<>();
            long votes = 0;
            for (Counter c : registry.find(QisMeters.PACKETS_REJECTED).counters()) {
                rejected.merge(String.valueOf(c.getId().getTag("reason")), (long) c.count(), Long::sum);
            }
            for (Counter c : registry.find(QisMeters.VOTES).counters()) {
                votes += (long) c.count();
            }
            return new Snapshot(count(registry, QisMeters.PACKETS_ACCEPTED), rejected, votes,
                    count(registry, QisMeters.CITATIONS));
        }

        private static long count(MeterRegistry registry, String name) {
            Counter c = registry.find(name).counter();
            return c == null ? 0 : (long) c.count();
        }

        private long rejectedTotal() {
            return rejected.values().stream().mapToLong(Long::longValue).sum();
        }

        /** A line of what changed since {@code before}, or null when nothing did. */
        String since(Snapshot before) {
            if (equals(before)) {
                return null;
            }
            StringBuilder line = new StringBuilder(String.format("accepted %,d packets (+%,d)", accepted,
                    accepted - before.accepted));
            line.append(String.format(", %,d votes (+%,d), %,d citations", votes, votes - before.votes, citations));
            line.append(String.format(", rejected %,d (+%,d)", rejectedTotal(), rejectedTotal() - before.rejectedTotal()));
            if (!rejected.isEmpty()) {
                StringBuilder reasons = new StringBuilder();
                rejected.forEach((reason, n) -> reasons.append(reasons.length() == 0 ? "" : ", ").append(reason)
                        .append(' ').append(String.format("%,d", n)));
                line.append(": ").append(reasons);
            }
            return line.toString();
        }
    }
}
