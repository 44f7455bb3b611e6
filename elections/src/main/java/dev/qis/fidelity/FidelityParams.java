package dev.qis.fidelity;

import java.time.Duration;

/**
 * Every constant of the Three Elections and of synthesis (docs/elections.md gives the formulas). One record so a
 * deployment can tune them in one place (see {@code dev.qis.config.QisConfig} for the property keys).
 *
 * @param halfLife          COMPETE: a packet's weight halves every half-life (30 days)
 * @param successRatio      a report reproduces a claim when its observed gain is at least this share of it (½)
 * @param notHeldOutFactor  CURATE: factor on a claim's weight when it was not evaluated on held-out data (½)
 * @param gainEpsilon       floor of |baseline| when a relative gain is computed
 * @param maxCandidates     per-domain candidate set bound (ordered by the stored rank key)
 * @param maxPerNode        at most this many packets of one node in a top-k answer (2)
 * @param maxStoredPerNode  at most this many candidates of one node kept per domain, its best by rank key (8)
 * @param claimFactor       CURATE: a self-reported claim weighs this share of an independent measurement of the
 *                          same eval size (½)
 * @param evalCap           eval sizes above this count as this (1,000): no claim buys unbounded weight
 * @param priorWeight       the prior every estimate is shrunk by, in eval samples at gain 0 (sample-equivalents, 300)
 * @param unitNoise         standard deviation of a relative gain measured on one eval sample, for intervals (1.0)
 * @param crossTaskWeight   synthesis: weight of evidence from another task (fingerprint synthesis) (0.25)
 * @param crossFamilyWeight synthesis: weight of evidence from another base-model family (0.5)
 */
public record FidelityParams(
        Duration halfLife,
        double successRatio,
        double notHeldOutFactor,
        double gainEpsilon,
        int maxCandidates,
        int maxPerNode,
        int maxStoredPerNode,
        double claimFactor,
        int evalCap,
        double priorWeight,
        double unitNoise,
        double crossTaskWeight,
        double crossFamilyWeight) {

    public static final FidelityParams DEFAULTS = new FidelityParams(
            Duration.ofDays(30), 0.5, 0.5, 1e-6, 200, 2, 8, 0.5, 1000, 300, 1.0, 0.25, 0.5);

    public FidelityParams {
        if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("halfLife must be positive, got " + halfLife);
        }
        if (maxCandidates < 1 || maxPerNode < 1 || maxStoredPerNode < 1 || evalCap < 1) {
            throw new IllegalArgumentException("maxCandidates, maxPerNode, maxStoredPerNode and evalCap must be at"
                    + " least 1, got " + maxCandidates + ", " + maxPerNode + ", " + maxStoredPerNode + ", " + evalCap);
        }
        requireIn("claimFactor", claimFactor, 0, 1);
        requireIn("notHeldOutFactor", notHeldOutFactor, 0, 1);
        requireIn("crossTaskWeight", crossTaskWeight, 0, 1);
        requireIn("crossFamilyWeight", crossFamilyWeight, 0, 1);
        if (!(priorWeight > 0) || !(unitNoise > 0) || !(gainEpsilon > 0)
                || !Double.isFinite(priorWeight + unitNoise + gainEpsilon)) {
            throw new IllegalArgumentException("priorWeight, unitNoise and gainEpsilon must be positive and finite, got "
                    + priorWeight + ", " + unitNoise + ", " + gainEpsilon);
        }
        if (!(successRatio >= 0) || !Double.isFinite(successRatio)) {
            throw new IllegalArgumentException("successRatio must be finite and at least 0, got " + successRatio);
        }
    }

    private static void requireIn(String name, double v, double lo, double hi) {
        if (!(v >= lo && v <= hi)) {
            throw new IllegalArgumentException(name + " must be in [" + lo + ", " + hi + "], got " + v);
        }
    }

    /** ln 2 / H, per millisecond: the slope that makes the log-score time-invariant. */
    public double decayRatePerMilli() {
        return Math.log(2) / halfLife.toMillis();
    }
}
