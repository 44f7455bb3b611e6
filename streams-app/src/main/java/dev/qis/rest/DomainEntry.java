package dev.qis.rest;

import dev.qis.store.DomainStats;
import java.time.Instant;

/** One domain in {@code GET /v1/domains}: accepted packets, distinct fingerprints and nodes, latest issued_at. */
public record DomainEntry(String domain, long packets, int fingerprints, int nodes, String lastSeen) {
    public static DomainEntry of(DomainStats stats) {
        return new DomainEntry(stats.domain(), stats.packets(), stats.fingerprintCount(), stats.nodeCount(),
                Instant.ofEpochMilli(stats.lastSeen()).toString());
    }
}
