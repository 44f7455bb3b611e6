package dev.qis.simulation.rounds;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that advances one millisecond per reading: deterministic, and no two packets share an issued_at. */
public final class TickingClock extends Clock {
    public static final Instant BASE = Instant.parse("2026-01-01T00:00:00Z");
    private long ticks;

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return BASE.plusMillis(ticks++);
    }
}
