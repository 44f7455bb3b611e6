package dev.qis.fidelity;

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
 */
public final class Elections {
    private final FidelityParams params;

    public Elections(FidelityParams params) {
        this.params = params;
    }

    public FidelityParams params() {
        return params;
    }

    /** Relative gain, sign flipped when lower is better. */
    public double gain(double baseline, double outcome, boolean higherIsBetter) {
        double g = (outcome - baseline) / Math.max(Math.abs(baseline), params.gainEpsilon());
        return higherIsBetter ? g : -g;
    }

    public double curate(double gain, double confidence, int nEval, boolean heldOut, long citations) {
        return Math.max(gain, 0.0) * confidence * Math.sqrt(nEval)
                * (heldOut ? 1.0 : params.notHeldOutFactor())
                * (1.0 + Math.log1p(citations));
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

    /** ln(curate · vote) + issued_at · ln2/H; ordering by it equals ordering by curate·vote·decay at any t. */
    public double logScore(double curate, double vote, long issuedAtMillis) {
        return Math.log(curate * vote) + issuedAtMillis * params.decayRatePerMilli();
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
