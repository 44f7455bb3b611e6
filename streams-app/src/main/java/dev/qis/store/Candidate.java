package dev.qis.store;

import java.util.TreeMap;

/**
 * Value of {@link StoreNames#DOMAIN_CANDIDATES}: what a top-k or a synthesis answer needs about one packet,
 * without another lookup. {@code votes} maps reporter → reproduced (the trust weights are applied at read time,
 * see {@link Breakdowns}); {@code logScore} is the stored rank key with every report weighing 1.
 */
public record Candidate(PacketFacts facts, double curate, long citations, TreeMap<String, Boolean> votes,
                        double logScore) {
    public String packetId() {
        return facts.packetId();
    }
}
