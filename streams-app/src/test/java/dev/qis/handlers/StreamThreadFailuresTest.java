package dev.qis.handlers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.junit.jupiter.api.Test;

class StreamThreadFailuresTest {
    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");
    private static final RuntimeException FAILURE = new InvalidTxnStateException("the transaction was aborted");

    private static final class MovableClock extends Clock {
        Instant now = START;

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aFailedThreadIsReplacedUntilTooManyFailWithinTheWindowThenTheInstanceStops() {
        MovableClock clock = new MovableClock();
        StreamThreadFailures failures = new StreamThreadFailures(clock, 3, Duration.ofMinutes(10));
        for (int i = 0; i < 3; i++) {
            assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.handle(FAILURE), "failure " + (i + 1));
            clock.now = clock.now.plusSeconds(60);
        }
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, failures.handle(FAILURE),
                "a fourth failure within 10 minutes is one that keeps coming back");
    }

    @Test
    void failuresOlderThanTheWindowNoLongerCount() {
        MovableClock clock = new MovableClock();
        StreamThreadFailures failures = new StreamThreadFailures(clock, 2, Duration.ofMinutes(10));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.handle(FAILURE));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.handle(FAILURE));
        clock.now = START.plus(Duration.ofMinutes(10));
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.handle(FAILURE),
                "the first two failures are 10 minutes old: out of the window");
        assertEquals(StreamThreadExceptionResponse.REPLACE_THREAD, failures.handle(FAILURE));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, failures.handle(FAILURE),
                "two failures within the window fill it");
    }

    @Test
    void noReplacementsAllowedStopsAtTheFirstFailure() {
        StreamThreadFailures failures = new StreamThreadFailures(new MovableClock(), 0, Duration.ofMinutes(10));
        assertEquals(StreamThreadExceptionResponse.SHUTDOWN_CLIENT, failures.handle(FAILURE));
        assertThrows(IllegalArgumentException.class, () -> new StreamThreadFailures(new MovableClock(), -1,
                Duration.ofMinutes(1)));
    }
}
