package dev.qis.store;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityScore;
import dev.qis.fidelity.Measurement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The elections of stored values. The stores keep time- and trust-free facts; a candidate's expected gain, S, F,
 * listing and rank key follow from its packet state alone ({@link #candidate}); the breakdown adds decay at
 * {@code nowMillis} and shows the author's current trust; synthesis evidence weighs each measurement by its
 * measurer's current trust and the packet's decay ({@link #evidence}).
 */
public final class Breakdowns {
    private final Elections elections;

    public Breakdowns(Elections elections) {
        this.elections = elections;
    }

    /** A stored packet as its domain's candidate: its reports judged, backed or not, and its trust-free elections. */
    public Candidate candidate(PacketState s) {
        if (s.isPending()) {
            throw new IllegalArgumentException(s.packetId() + " is pending: no packet has arrived under this id");
        }
        TreeSet<String> backers = s.citingNodes();
        TreeMap<String, CandidateReport> reports = new TreeMap<>();
        for (Map.Entry<String, VoteEntry> v : s.votes().entrySet()) {
            VoteEntry e = v.getValue();
            if (e.reproduced() != null && e.observedGain() != null) {
                reports.put(v.getKey(), new CandidateReport(e.observedGain(), e.nEvalSamples(), e.reproduced(),
                        backers.contains(v.getKey())));
            }
        }
        long successes = 0;
        long failures = 0;
        for (CandidateReport r : reports.values()) {
            if (r.backed()) {
                successes += r.reproduced() ? 1 : 0;
                failures += r.reproduced() ? 0 : 1;
            }
        }
        List<Measurement> all = new ArrayList<>();
        all.add(claim(s.facts(), s.curate(), 1.0, 1.0));
        all.addAll(reports(reports, null, 1.0));
        double expected = elections.expectedGain(all);
        return new Candidate(s.facts(), s.curate(), s.citations(), reports, expected, successes, failures,
                Elections.listed(expected, successes, failures), elections.logScore(expected, s.facts().issuedAt()));
    }

    /** The breakdown of a stored packet at {@code nowMillis}. */
    public FidelityScore of(PacketState state, TrustLookup trust, long nowMillis) {
        return of(candidate(state), trust, nowMillis);
    }

    public FidelityScore of(Candidate c, TrustLookup trust, long nowMillis) {
        return elections.score(claim(c.facts(), c.curate(), 1.0, 1.0), reports(c.reports(), null, 1.0),
                c.successes(), c.failures(), trust.trust(c.facts().nodeId()), c.facts().issuedAt(), nowMillis);
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
                measurements);
    }

    /** A stored packet as synthesis evidence. */
    public Evidence evidence(PacketState state, TrustLookup trust, long nowMillis) {
        return evidence(candidate(state), trust, nowMillis);
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
