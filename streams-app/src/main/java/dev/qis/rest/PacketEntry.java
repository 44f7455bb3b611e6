package dev.qis.rest;

import dev.qis.fidelity.FidelityScore;
import dev.qis.query.StateViews;
import dev.qis.store.Candidate;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.fidelity.TopK;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A packet in a listing, with its elections breakdown at the time of the answer: {@code gain} is what it claims,
 * {@code expected_gain} what the claim and the backed reports on it support (docs/elections.md).
 */
public record PacketEntry(String packetId, String nodeId, String fingerprint, String family, String task,
                          List<String> tags, String methodType, Map<String, Object> hyperparams, double gain,
                          double confidence, int nEvalSamples, long citations, double curate, double vote,
                          double trust, double decay, double fidelity, boolean routed, String issuedAt,
                          double expectedGain, double expectedGainLow, double expectedGainHigh, long successes,
                          long failures) {
    public static PacketEntry of(Candidate candidate, FidelityScore score) {
        return of(candidate.facts(), candidate.citations(), score);
    }

    /** A top-k entry. */
    public static PacketEntry of(TopK.Ranked<Candidate> ranked) {
        return of(ranked.candidate(), ranked.score());
    }

    /** A packet of a fingerprint's listing. */
    public static PacketEntry of(StateViews.Scored<PacketState> scored) {
        return of(scored.value(), scored.score());
    }

    public static PacketEntry of(PacketState state, FidelityScore score) {
        return of(state.facts(), state.citations(), score);
    }

    static PacketEntry of(PacketFacts f, long citations, FidelityScore s) {
        return new PacketEntry(f.packetId(), f.nodeId(), f.fingerprint(), f.family(), f.task(), f.tags(),
                f.methodType(), f.hyperparams(), f.gain(), f.confidence(), f.nEvalSamples(), citations,
                s.curate(), s.vote(), s.trust(), s.decay(), s.fidelity(), s.routed(),
                Instant.ofEpochMilli(f.issuedAt()).toString(), s.expectedGain(), s.expectedGainLow(),
                s.expectedGainHigh(), s.successes(), s.failures());
    }
}
