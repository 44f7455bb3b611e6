package dev.qis.config;

import java.time.Duration;

/**
 * How ingest waits for the key of a node it does not know yet: how long a record may wait, how often the
 * waiting records are checked again, and how many may wait per task before the oldest is rejected.
 */
public record UnknownNodeGrace(Duration grace, Duration recheckInterval, int maxHeld) {
    public static final UnknownNodeGrace DEFAULTS = new UnknownNodeGrace(Duration.ofSeconds(30), Duration.ofSeconds(1),
            100_000);

    public UnknownNodeGrace {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the unknown-node grace must not be negative, got " + grace);
        }
        if (recheckInterval.isNegative() || recheckInterval.isZero()) {
            throw new IllegalArgumentException("the unknown-node recheck interval must be positive, got "
                    + recheckInterval);
        }
        if (maxHeld < 1) {
            throw new IllegalArgumentException("at least one record must be allowed to wait, got " + maxHeld);
        }
    }
}
