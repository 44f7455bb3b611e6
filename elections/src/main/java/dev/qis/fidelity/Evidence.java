package dev.qis.fidelity;

import java.util.List;
import java.util.Map;

/**
 * One packet as synthesis sees it: its context, its configuration (method and hyperparameters) and its
 * measurements — the claim and the backed reproductions — each weight already carrying the measurer's trust and
 * the packet's decay. Hyperparameter values are Long, Double, String or Boolean, as in the protocol.
 *
 * @param reproductions backed reports that reproduced the claim (S)
 * @param refutations   backed reports that did not (F); a packet with F &gt; S is refuted
 * @param authorTrust   the author's earned trust ({@link TrustLookup}); ½ for a node nobody has reproduced yet
 */
public record Evidence(String packetId, String nodeId, String family, String task, List<String> tags,
                       String methodType, Map<String, Object> hyperparams, List<Measurement> measurements,
                       long reproductions, long refutations, double authorTrust) {
    public Evidence {
        tags = List.copyOf(tags);
        hyperparams = Map.copyOf(hyperparams);
        measurements = List.copyOf(measurements);
        if (reproductions < 0 || refutations < 0) {
            throw new IllegalArgumentException("reproductions and refutations must be >= 0, got " + reproductions
                    + " and " + refutations);
        }
        if (!(authorTrust >= 0 && authorTrust <= 1)) {
            throw new IllegalArgumentException("authorTrust must be in [0, 1], got " + authorTrust);
        }
    }

    /** More backed reports refuted the claim than reproduced it (F &gt; S). */
    public boolean refuted() {
        return refutations > reproductions;
    }

    /** More backed reports reproduced the claim than refuted it (S &gt; F): what a top-k lists. */
    public boolean reproduced() {
        return reproductions > refutations;
    }

    /**
     * Nothing about this packet or its author has been measured in its favour: nobody reproduced it, and its author
     * has earned no more trust than a fresh key (½) — a new key, a node whose packets nobody has reproduced yet, or
     * one refuted as often or more.
     */
    public boolean unproven() {
        return !reproduced() && authorTrust <= TrustLookup.UNKNOWN;
    }

    /** Total weight of the measurements. */
    public double weight() {
        double w = 0;
        for (Measurement m : measurements) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                w += m.weight();
            }
        }
        return w;
    }

    /** Sum of weight × gain over the measurements. */
    public double weightedGain() {
        double wg = 0;
        for (Measurement m : measurements) {
            if (m.weight() > 0 && Double.isFinite(m.weight()) && Double.isFinite(m.gain())) {
                wg += m.weight() * m.gain();
            }
        }
        return wg;
    }
}
