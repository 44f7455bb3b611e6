package dev.qis.fidelity;

import java.time.Duration;

/**
 * Every constant of the Three Elections and of synthesis, with the defaults of the design. One record so a
 * deployment can tune them in one place (see {@code dev.qis.config.QisConfig} for the property keys).
 *
 * @param halfLife           COMPETE: a packet's weight halves every half-life (30 days)
 * @param routeThreshold     a packet is routed while fidelity is at least this (θ)
 * @param minRoutedVote      ... and its vote is at least this (¼)
 * @param successRatio       a report reproduces a packet when its observed gain is at least this share of the claim
 * @param notHeldOutFactor   CURATE factor for a packet not evaluated on held-out data
 * @param gainEpsilon        floor of |baseline| when the relative gain is computed
 * @param maxCandidates      per-domain candidate set bound (ordered by the log-score)
 * @param maxPerNode         at most this many packets of one node in a top-k answer (diversity)
 * @param sameTaskWeight     synthesis similarity weight of the same task
 * @param tagJaccardWeight   synthesis similarity weight of the tags' Jaccard index
 * @param sameFamilyWeight   synthesis similarity weight of the same base-model family
 */
public record FidelityParams(
        Duration halfLife,
        double routeThreshold,
        double minRoutedVote,
        double successRatio,
        double notHeldOutFactor,
        double gainEpsilon,
        int maxCandidates,
        int maxPerNode,
        double sameTaskWeight,
        double tagJaccardWeight,
        double sameFamilyWeight) {

    public static final FidelityParams DEFAULTS = new FidelityParams(
            Duration.ofDays(30), 0.01, 0.25, 0.5, 0.5, 1e-6, 200, 2, 0.6, 0.25, 0.15);

    public FidelityParams {
        if (halfLife == null || halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("halfLife must be positive, got " + halfLife);
        }
        if (maxCandidates < 1 || maxPerNode < 1) {
            throw new IllegalArgumentException("maxCandidates and maxPerNode must be at least 1, got "
                    + maxCandidates + " and " + maxPerNode);
        }
    }

    /** ln 2 / H, per millisecond: the slope that makes the log-score time-invariant. */
    public double decayRatePerMilli() {
        return Math.log(2) / halfLife.toMillis();
    }
}
