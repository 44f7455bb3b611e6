package dev.qis.store;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Measurement;
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
    /**
     * A stored packet as its domain's candidate: its trust-free elections over ALL its backed reports (kept as
     * exact sums in the packet state), and the heaviest backed reports whole, at most the configured bound.
     */
    public static Candidate of(PacketState s, Elections elections) {
        if (s.isPending()) {
            throw new IllegalArgumentException(s.packetId() + " is pending: no packet has arrived under this id");
        }
        BackedReports b = s.backed();
        Measurement claim = new Measurement(s.facts().nodeId(), s.facts().gain(), s.curate());
        double expected = elections.expectedGain(claim, b.weight(), b.weightedGain().doubleValue());
        return new Candidate(s.facts(), s.curate(), s.citations(), new TreeMap<>(b.heaviest()), expected,
                b.successes(), b.failures(), Elections.listed(expected, b.successes(), b.failures()),
                elections.logScore(expected, s.facts().issuedAt()));
    }

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
