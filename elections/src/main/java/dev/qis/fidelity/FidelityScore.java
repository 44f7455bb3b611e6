package dev.qis.fidelity;

/**
 * One packet's elections breakdown at one instant (docs/elections.md).
 *
 * @param curate           CURATE: the claim's weight, claimFactor · confidence · min(n_eval, cap) · held-out factor
 * @param vote             VOTE: 2(1+S)/(2+S+F) over backed reports (1 with none)
 * @param trust            the author's earned trust, (1+S)/(2+S+F) over backed reports on all its packets
 * @param decay            COMPETE: 2^(−age/H)
 * @param fidelity         the rank score: max(expected gain, 0) · decay
 * @param routed           listed in a top-k: expected gain > 0 and S > F
 * @param logScore         ln(max(expected gain, min double)) + issued_at · ln2/H: the time-invariant rank key
 * @param expectedGain     the claim and the backed reports, precision-weighted and shrunk toward 0
 * @param expectedGainLow  lower end of its 95 % interval
 * @param expectedGainHigh upper end of its 95 % interval
 * @param evidenceWeight   the claim's and the reports' weights, in eval-sample equivalents
 * @param successes        backed reports that reproduce the claim (S)
 * @param failures         backed reports that do not (F)
 */
public record FidelityScore(double curate, double vote, double trust, double decay, double fidelity,
                            boolean routed, double logScore, double expectedGain, double expectedGainLow,
                            double expectedGainHigh, double evidenceWeight, long successes, long failures) {
}
