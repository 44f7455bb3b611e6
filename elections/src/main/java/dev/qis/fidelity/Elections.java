package dev.qis.fidelity;

import dev.qis.protocol.FieldRules;

/**
 * The Three Elections as formulas (design §6): pure functions of a packet's facts, its tallies, its author's
 * trust and the time, with every constant taken from {@link FidelityParams}.
 *
 * <p>Weights, chosen so that every stored value is a deterministic function of the inputs whatever their
 * arrival order:
 * <ul>
 *   <li>a node's trust is computed over UNWEIGHTED reports (each counts 1), so it needs no fixed point;</li>
 *   <li>a packet's vote weighs each report by its reporter's trust READ AT SCORE TIME ({@link #vote});</li>
 *   <li>the rank key stored for a candidate uses the UNWEIGHTED vote ({@link #intrinsicLogScore}), because a
 *       reporter's trust changes without the packet changing; trust weights are applied when reading.</li>
 * </ul>
 *
 * <p>Every formula is total: for finite inputs in their protocol ranges it yields a finite number, never NaN
 * or an infinity, so a stored rank key always compares and a score always prints.
 */
public final class Elections {
    private final FidelityParams params;

    public Elections(FidelityParams params) {
        this.params = params;
    }

    public FidelityParams params() {
        return params;
    }

    /**
     * Relative gain, sign flipped when lower is better, clamped to ±{@link FieldRules#MAX_RELATIVE_GAIN}: packets
     * beyond it are refused at validation, but a report's observed gain is not, and an overflowing difference
     * would otherwise be infinite.
     */
    public double gain(double baseline, double outcome, boolean higherIsBetter) {
        double g = FieldRules.relativeGain(baseline, outcome, higherIsBetter, params.gainEpsilon());
        if (Double.isNaN(g)) {
            return 0.0;
        }
        return Math.max(-FieldRules.MAX_RELATIVE_GAIN, Math.min(FieldRules.MAX_RELATIVE_GAIN, g));
    }

    /** Zero for no gain or no confidence, whatever the other factors. */
    public double curate(double gain, double confidence, int nEval, boolean heldOut, long citations) {
        if (!(gain > 0.0) || !(confidence > 0.0)) {
            return 0.0;
        }
        return Math.min(gain, FieldRules.MAX_RELATIVE_GAIN) * Math.min(confidence, 1.0) * Math.sqrt(Math.max(nEval, 0))
                * (heldOut ? 1.0 : params.notHeldOutFactor())
                * (1.0 + Math.log1p(Math.max(citations, 0)));
    }

    /** A report reproduces the claim when its observed gain is at least {@code successRatio} of the claimed gain. */
    public boolean reproduces(double claimedGain, double observedGain) {
        return observedGain >= params.successRatio() * claimedGain;
    }

    /** Beta-reputation posterior mean over its prior: 1 with no reports, toward 2 reproduced, toward 0 refuted. */
    public static double vote(double successes, double failures) {
        return 2.0 * (1.0 + successes) / (2.0 + successes + failures);
    }

    /** A node's trust: the same form as the vote, over all (unweighted) reports on all its packets. */
    public static double trust(long successes, long failures) {
        return vote(successes, failures);
    }

    public double decay(long issuedAtMillis, long nowMillis) {
        return Math.pow(2.0, -(double) (nowMillis - issuedAtMillis) / params.halfLife().toMillis());
    }

    /**
     * ln(curate · vote) + issued_at · ln2/H; ordering by it equals ordering by curate·vote·decay at any t. A
     * product of 0 (no gain, no confidence) counts as the smallest positive double, so the key stays finite and
     * such a candidate ranks below every other one of its time.
     */
    public double logScore(double curate, double vote, long issuedAtMillis) {
        return Math.log(Math.max(curate * vote, Double.MIN_VALUE)) + issuedAtMillis * params.decayRatePerMilli();
    }

    public boolean routed(double fidelity, double vote) {
        return fidelity >= params.routeThreshold() && vote >= params.minRoutedVote();
    }

    /** The full breakdown; {@code weightedS/F} are the reports weighted by their reporters' current trust. */
    public FidelityScore score(double curate, double weightedS, double weightedF, double authorTrust,
                               long issuedAtMillis, long nowMillis) {
        double vote = vote(weightedS, weightedF);
        double decay = decay(issuedAtMillis, nowMillis);
        double fidelity = curate * vote * authorTrust * decay;
        return new FidelityScore(curate, vote, authorTrust, decay, fidelity, routed(fidelity, vote),
                logScore(curate, vote, issuedAtMillis));
    }

    /** The stored rank key of a candidate: the log-score with every report weighing 1. */
    public double intrinsicLogScore(double curate, long successes, long failures, long issuedAtMillis) {
        return logScore(curate, vote(successes, failures), issuedAtMillis);
    }
}
