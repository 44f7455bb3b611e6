package dev.qis.config;

import java.time.Duration;

/**
 * How ingest waits for the key of a node it does not know yet: how long a record may wait, how often the waiting
 * records are checked for expiry, how many may wait per task, and how many of those may come from one node id.
 */
public record UnknownNodeGrace(Duration grace, Duration recheckInterval, int maxHeld, int maxHeldPerNode) {
    public static final UnknownNodeGrace DEFAULTS = new UnknownNodeGrace(Duration.ofSeconds(30), Duration.ofSeconds(1),
            100_000, 1_000);

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
        if (maxHeldPerNode < 1) {
            throw new IllegalArgumentException("at least one record per node must be allowed to wait, got "
                    + maxHeldPerNode);
        }
    }
}
