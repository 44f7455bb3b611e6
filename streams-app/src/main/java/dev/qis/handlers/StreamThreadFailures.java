package dev.qis.handlers;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an instance does when a stream thread fails: it replaces the thread, unless threads have failed too often
 * lately, and then it stops.
 *
 * <p>Under exactly-once a replaced thread aborts its open transaction and resumes from the last committed offsets,
 * so replacing loses and doubles nothing. That is the right answer to a failure of the moment: a transaction the
 * coordinator aborted while an overloaded machine kept the thread from committing in time
 * ({@code InvalidTxnStateException}), a broker that stayed away past a timeout. A failure that comes back whatever
 * the thread does (a record the code cannot handle, a store that cannot be opened) would fail every replacement;
 * after {@code maxReplacements} replacements within {@code window} the instance stops instead, and says why.
 */
public final class StreamThreadFailures implements StreamsUncaughtExceptionHandler {
    /** Replacements allowed within {@link #DEFAULT_WINDOW} before the instance stops. */
    public static final int DEFAULT_MAX_REPLACEMENTS = 3;
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);
    private static final Logger LOG = LoggerFactory.getLogger(StreamThreadFailures.class);

    private final Clock clock;
    private final int maxReplacements;
    private final Duration window;
    private final Deque<Instant> replaced = new ArrayDeque<>();

    public StreamThreadFailures(Clock clock, int maxReplacements, Duration window) {
        if (maxReplacements < 0 || window.isNegative()) {
            throw new IllegalArgumentException("replacements and window must not be negative");
        }
        this.clock = clock;
        this.maxReplacements = maxReplacements;
        this.window = window;
    }

    public static StreamThreadFailures withDefaults(Clock clock) {
        return new StreamThreadFailures(clock, DEFAULT_MAX_REPLACEMENTS, DEFAULT_WINDOW);
    }

    @Override
    public synchronized StreamThreadExceptionResponse handle(Throwable failure) {
        Instant now = clock.instant();
        while (!replaced.isEmpty() && !replaced.peekFirst().isAfter(now.minus(window))) {
            replaced.removeFirst();
        }
        if (replaced.size() >= maxReplacements) {
            LOG.error("a stream thread failed, the {}th time within {}; stopping this instance", replaced.size() + 1,
                    window, failure);
            return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        }
        replaced.addLast(now);
        LOG.warn("a stream thread failed; replacing it (it resumes from the last committed offsets; {} of {} "
                + "replacements within {})", replaced.size(), maxReplacements, window, failure);
        return StreamThreadExceptionResponse.REPLACE_THREAD;
    }
}
