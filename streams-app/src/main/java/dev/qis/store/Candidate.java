package dev.qis.store;

import dev.qis.fidelity.TopK;
import java.util.TreeMap;

/**
 * Value of {@link StoreNames#DOMAIN_CANDIDATES}: what a top-k or a synthesis answer needs about one packet,
 * without another lookup: its facts, CURATE's claim weight, the reports (reporter → report), and the trust-free
 * elections computed from them alone — expected gain, backed S and F, whether it is listed, and the stored rank
 * key. Read order and eviction order both follow {@code (listed, logScore)}; trust weighs evidence in synthesis.
 */
public record Candidate(PacketFacts facts, double curate, long citations, TreeMap<String, CandidateReport> reports,
                        double expectedGain, long successes, long failures, boolean listed, double logScore)
        implements TopK.Entry {
    @Override
    public String packetId() {
        return facts.packetId();
    }

    @Override
    public String nodeId() {
        return facts.nodeId();
    }

    /** True when this candidate ranks below {@code other}: unlisted below listed, then by rank key, then id. */
    public boolean ranksBelow(Candidate other) {
        if (listed != other.listed) {
            return !listed;
        }
        int byScore = Double.compare(logScore, other.logScore);
        return byScore < 0 || (byScore == 0 && packetId().compareTo(other.packetId()) > 0);
    }
}
