package dev.qis.fidelity;

import dev.qis.protocol.FieldRules;
import java.util.List;

/**
 * The Three Elections as formulas (docs/elections.md): pure functions of a packet's claim, the reproductions
 * reported on it and the time, with every constant taken from {@link FidelityParams}.
 *
 * <ul>
 *   <li><b>CURATE</b> turns the claim into a measurement: its gain, weighing
 *       {@code claimFactor · confidence · min(n_eval, evalCap) · held-out factor} — a self-report counts less than
 *       an independent run of the same size, and no eval size buys unbounded weight.</li>
 *   <li><b>VOTE</b> turns each report into a measurement: the reporter's observed gain, weighing
 *       {@code min(n_eval, evalCap)}. Only <i>backed</i> reports count: the reporter also published a run that
 *       cites the packet (it applied it). A report without such a run is shown but weighs nothing.</li>
 *   <li>The packet's <b>expected gain</b> is the precision-weighted mean of its measurements, shrunk toward 0 by a
 *       prior of {@code priorWeight} samples: an unreproduced claim is discounted, a reproduced one converges to
 *       what others observed. The interval is ±1.96 · unitNoise / √(prior + weight).</li>
 *   <li><b>COMPETE</b>: a packet is listed while its expected gain is positive and its backed reproductions
 *       outnumber its refutations; listed packets rank by expected gain × 2^(−age/H), the stored rank key being
 *       its logarithm plus issued_at · ln2/H, so ordering by it is ordering by the score at any time.</li>
 * </ul>
 *
 * <p>Every value here depends only on the packet and the reports on it, so a store built from them is the same
 * whatever the arrival order. Trust (reporters' and authors' standing) weighs measurements at read time, in
 * synthesis. Every formula is total: finite inputs give finite outputs, never NaN.
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

    /** CURATE: the weight of a claim against independent reports, in eval-sample equivalents; 0 without confidence. */
    public double claimWeight(double confidence, int nEval, boolean heldOut) {
        return params.claimFactor() * runWeight(confidence, nEval, heldOut);
    }

    /**
     * The weight of a run as evidence for its configuration, when every measurement compared is a claim (synthesis):
     * confidence · min(n_eval, evalCap) · held-out factor.
     */
    public double runWeight(double confidence, int nEval, boolean heldOut) {
        if (!(confidence > 0.0)) {
            return 0.0;
        }
        return Math.min(confidence, 1.0) * Math.min(Math.max(nEval, 0), params.evalCap())
                * (heldOut ? 1.0 : params.notHeldOutFactor());
    }

    /** VOTE: the weight of a backed report, in eval samples. */
    public double reportWeight(int nEval) {
        return Math.min(Math.max(nEval, 0), params.evalCap());
    }

    /** A report reproduces the claim when its observed gain is at least {@code successRatio} of the claimed gain. */
    public boolean reproduces(double claimedGain, double observedGain) {
        return observedGain >= params.successRatio() * claimedGain;
    }

    /** The VOTE form shown with a packet: 2(1+S)/(2+S+F) over backed reports, 1 with none, in (0, 2). */
    public static double vote(double successes, double failures) {
        return 2.0 * (1.0 + successes) / (2.0 + successes + failures);
    }

    /**
     * A node's earned trust: the posterior chance that a backed report reproduces its claims,
     * (1+S)/(2+S+F) over all backed reports on all its packets; ½ for a node nobody has reproduced yet.
     */
    public static double trust(long successes, long failures) {
        return (1.0 + Math.max(successes, 0)) / (2.0 + Math.max(successes, 0) + Math.max(failures, 0));
    }

    /** The precision-weighted mean of the measurements, shrunk toward 0 by the prior. */
    public double expectedGain(List<Measurement> measurements) {
        double w = 0;
        double wg = 0;
        for (Measurement m : measurements) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                w += m.weight();
                wg += m.weight() * m.gain();
            }
        }
        return wg / (params.priorWeight() + w);
    }

    /**
     * The expected gain of a claim and reports pooled beforehand — their total weight Σ w_r and weighted gain
     * Σ w_r · g_r — so a store can keep two sums instead of every report.
     */
    public double expectedGain(Measurement claim, double reportWeight, double reportWeightedGain) {
        double w = Math.max(reportWeight, 0);
        double wg = reportWeightedGain;
        if (claim.weight() > 0 && Double.isFinite(claim.weight()) && Double.isFinite(claim.gain())) {
            w += claim.weight();
            wg += claim.weight() * claim.gain();
        }
        return wg / (params.priorWeight() + w);
    }

    /** Half the width of the 95 % interval of an estimate resting on {@code weight} samples besides the prior. */
    public double halfWidth(double weight) {
        return 1.96 * params.unitNoise() / Math.sqrt(params.priorWeight() + Math.max(weight, 0));
    }

    public double decay(long issuedAtMillis, long nowMillis) {
        return Math.pow(2.0, -(double) (nowMillis - issuedAtMillis) / params.halfLife().toMillis());
    }

    /** Listed in a top-k: a positive expected gain and more backed reproductions than refutations. */
    public static boolean listed(double expectedGain, long successes, long failures) {
        return expectedGain > 0 && successes > failures;
    }

    /**
     * ln(max(expected gain, smallest double)) + issued_at · ln2/H; among listed packets, ordering by it equals
     * ordering by expected gain · decay at any time, and the key stays finite for any gain.
     */
    public double logScore(double expectedGain, long issuedAtMillis) {
        return Math.log(Math.max(expectedGain, Double.MIN_VALUE)) + issuedAtMillis * params.decayRatePerMilli();
    }

    /** The breakdown of one packet whose backed reports are pooled beforehand (see {@link #expectedGain(Measurement, double, double)}). */
    public FidelityScore score(Measurement claim, double reportWeight, double reportWeightedGain, long successes,
                               long failures, double authorTrust, long issuedAtMillis, long nowMillis) {
        double expected = expectedGain(claim, reportWeight, reportWeightedGain);
        double weight = Math.max(claim.weight(), 0) + Math.max(reportWeight, 0);
        double half = halfWidth(weight);
        double decay = decay(issuedAtMillis, nowMillis);
        boolean listed = listed(expected, successes, failures);
        return new FidelityScore(claim.weight(), vote(successes, failures), authorTrust, decay,
                Math.max(expected, 0) * decay, listed, logScore(expected, issuedAtMillis), expected,
                expected - half, expected + half, weight, successes, failures);
    }

    /**
     * The breakdown of one packet at {@code nowMillis}.
     *
     * @param claim       the author's claim as a measurement (weight from {@link #claimWeight})
     * @param reports     the backed reports as measurements (weights from {@link #reportWeight}), in a fixed order
     * @param successes   backed reports that reproduce the claim
     * @param failures    backed reports that do not
     * @param authorTrust the author's earned trust, shown with the packet
     */
    public FidelityScore score(Measurement claim, List<Measurement> reports, long successes, long failures,
                               double authorTrust, long issuedAtMillis, long nowMillis) {
        double weight = 0;
        double weightedGain = 0;
        for (Measurement m : reports) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                weight += m.weight();
                weightedGain += m.weight() * m.gain();
            }
        }
        return score(claim, weight, weightedGain, successes, failures, authorTrust, issuedAtMillis, nowMillis);
    }
}
