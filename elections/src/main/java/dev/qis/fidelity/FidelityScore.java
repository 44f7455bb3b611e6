package dev.qis.fidelity;

/**
 * One packet's elections breakdown at one instant: what each force contributed and whether it is routed.
 *
 * @param curate   CURATE: gain × confidence × √n_eval × held-out factor × (1 + ln(1 + citations))
 * @param vote     VOTE: 2(1+S)/(2+S+F) over trust-weighted reproductions S and refutations F
 * @param trust    the author's trust, same form over all reports on all the author's packets
 * @param decay    COMPETE: 2^(−age/H)
 * @param fidelity curate · vote · trust · decay
 * @param routed   fidelity ≥ θ and vote ≥ ¼
 * @param logScore ln(curate · vote) + issued_at · ln2/H: the time-invariant rank key (ln of the smallest double when curate is 0)
 */
public record FidelityScore(double curate, double vote, double trust, double decay, double fidelity,
                            boolean routed, double logScore) {
}
