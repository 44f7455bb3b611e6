package dev.qis.store;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityScore;
import java.util.Map;

/**
 * Read-time scoring of stored values: the stores keep time- and trust-free tallies; the breakdown applies each
 * reporter's CURRENT trust to its report, the author's current trust, and decay at {@code nowMillis}.
 */
public final class Breakdowns {
    private final Elections elections;

    public Breakdowns(Elections elections) {
        this.elections = elections;
    }

    /** The breakdown of a stored packet; a pending state has no packet to score. */
    public FidelityScore of(PacketState state, TrustLookup trust, long nowMillis) {
        if (state.isPending()) {
            throw new IllegalArgumentException(state.packetId() + " is pending: no packet has arrived under this id");
        }
        double s = 0;
        double f = 0;
        for (Map.Entry<String, VoteEntry> v : state.votes().entrySet()) {
            if (Boolean.TRUE.equals(v.getValue().reproduced())) {
                s += trust.trust(v.getKey());
            } else if (Boolean.FALSE.equals(v.getValue().reproduced())) {
                f += trust.trust(v.getKey());
            }
        }
        return elections.score(state.curate(), s, f, trust.trust(state.facts().nodeId()),
                state.facts().issuedAt(), nowMillis);
    }

    public FidelityScore of(Candidate candidate, TrustLookup trust, long nowMillis) {
        double s = 0;
        double f = 0;
        for (Map.Entry<String, Boolean> v : candidate.votes().entrySet()) {
            if (v.getValue()) {
                s += trust.trust(v.getKey());
            } else {
                f += trust.trust(v.getKey());
            }
        }
        return elections.score(candidate.curate(), s, f, trust.trust(candidate.facts().nodeId()),
                candidate.facts().issuedAt(), nowMillis);
    }

    /** A stored candidate as synthesis evidence, weighted by its fidelity at {@code nowMillis}. */
    public Evidence evidence(Candidate candidate, TrustLookup trust, long nowMillis) {
        return evidence(candidate.facts(), of(candidate, trust, nowMillis));
    }

    /** A stored packet as synthesis evidence, weighted by its fidelity at {@code nowMillis}. */
    public Evidence evidence(PacketState state, TrustLookup trust, long nowMillis) {
        return evidence(state.facts(), of(state, trust, nowMillis));
    }

    private static Evidence evidence(PacketFacts f, FidelityScore score) {
        return new Evidence(f.packetId(), f.nodeId(), f.family(), f.task(), f.tags(), f.methodType(), f.hyperparams(),
                f.gain(), score.fidelity());
    }
}
