package dev.qis.query;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityScore;
import dev.qis.fidelity.Measurement;
import dev.qis.fidelity.TrustLookup;
import dev.qis.store.BackedReports;
import dev.qis.store.Candidate;
import dev.qis.store.CandidateReport;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The elections of stored values at read time. The stores keep time- and trust-free facts (a candidate's expected
 * gain, S, F, listing and rank key follow from its packet state alone: {@link Candidate#of}); the breakdown adds
 * decay at {@code nowMillis} and shows the author's current trust; synthesis evidence weighs each measurement by
 * its measurer's current trust and the packet's decay ({@link #evidence}).
 */
public final class Breakdowns {
    private final Elections elections;

    public Breakdowns(Elections elections) {
        this.elections = elections;
    }

    /** The breakdown of a stored packet at {@code nowMillis}, over every backed report. */
    public FidelityScore of(PacketState s, TrustLookup trust, long nowMillis) {
        BackedReports b = s.backed();
        return elections.score(claim(s.facts(), s.curate(), 1.0, 1.0), b.weight(), b.weightedGain().doubleValue(),
                b.successes(), b.failures(), trust.trust(s.facts().nodeId()), s.facts().issuedAt(), nowMillis);
    }

    /**
     * The breakdown of a candidate at {@code nowMillis}. A candidate keeps the heaviest backed reports only: when it
     * keeps them all the breakdown is the packet's own; when it keeps fewer than S + F, the expected gain is the
     * stored one (over all reports) and the interval rests on the kept reports' weight, so it is wider than the
     * packet's (GET /v1/packets/{id} shows the exact one).
     */
    public FidelityScore of(Candidate c, TrustLookup trust, long nowMillis) {
        Measurement claim = claim(c.facts(), c.curate(), 1.0, 1.0);
        long weight = 0;
        BigDecimal weightedGain = BigDecimal.ZERO;
        for (CandidateReport r : c.reports().values()) {
            if (r.backed()) {
                long w = r.weight(elections);
                weight += w;
                weightedGain = weightedGain.add(BackedReports.term(w, r.observedGain()));
            }
        }
        double wg = weightedGain.doubleValue();
        if (c.reports().size() < c.successes() + c.failures()) {
            double pooled = elections.params().priorWeight() + Math.max(claim.weight(), 0) + weight;
            wg = c.expectedGain() * pooled - Math.max(claim.weight(), 0) * claim.gain();
        }
        return elections.score(claim, weight, wg, c.successes(), c.failures(), trust.trust(c.facts().nodeId()),
                c.facts().issuedAt(), nowMillis);
    }

    /**
     * A stored candidate as synthesis evidence: one measurement per packet (one run), weighing the run's eval size
     * — confidence · min(n_eval, cap) · held-out factor, without the claim factor, since in synthesis every run is
     * compared with other runs — × its author's earned trust × decay. Its value is the packet's MEASURED gain: the
     * claim and the backed reports on it pooled by weight, each weighed by its measurer's earned trust (the claim by
     * its author's, a report by its reporter's), not the claim alone, so a refuted claim counts at what others
     * observed, and less the more its author has been refuted. The reports add no weight of their own:
     * each describes the reporter's own run, a packet of its own, and counting both would count one run twice.
     */
    public Evidence evidence(Candidate c, TrustLookup trust, long nowMillis) {
        PacketFacts f = c.facts();
        double decay = elections.decay(f.issuedAt(), nowMillis);
        double authorTrust = trust.trust(f.nodeId());
        double w = c.curate() * authorTrust;
        double wg = w * f.gain();
        for (Measurement r : reports(c.reports(), trust, 1.0)) {
            w += r.weight();
            wg += r.weight() * r.gain();
        }
        double measured = w > 0 ? wg / w : f.gain();
        double weight = elections.runWeight(f.confidence(), f.nEvalSamples(), f.heldOutEval())
                * authorTrust * decay;
        List<Measurement> measurements = List.of(new Measurement(f.nodeId(), measured, weight));
        return new Evidence(f.packetId(), f.nodeId(), f.family(), f.task(), f.tags(), f.methodType(), f.hyperparams(),
                measurements, c.successes(), c.failures(), authorTrust);
    }

    /** A stored packet as synthesis evidence. */
    public Evidence evidence(PacketState state, TrustLookup trust, long nowMillis) {
        return evidence(Candidate.of(state, elections), trust, nowMillis);
    }

    private static Measurement claim(PacketFacts f, double curate, double trust, double decay) {
        return new Measurement(f.nodeId(), f.gain(), curate * trust * decay);
    }

    /** The backed reports as measurements, in reporter order; {@code trust} null weighs every reporter 1. */
    private List<Measurement> reports(TreeMap<String, CandidateReport> reports, TrustLookup trust, double decay) {
        List<Measurement> out = new ArrayList<>();
        for (Map.Entry<String, CandidateReport> r : reports.entrySet()) {
            if (r.getValue().backed()) {
                double t = trust == null ? 1.0 : trust.trust(r.getKey());
                out.add(new Measurement(r.getKey(), r.getValue().observedGain(),
                        elections.reportWeight(r.getValue().nEvalSamples()) * t * decay));
            }
        }
        return out;
    }
}
