package dev.qis.rest;

import dev.qis.fidelity.FidelityScore;
import dev.qis.query.QueryService;
import dev.qis.query.StateViews;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.VoteEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code GET /v1/packets/{packet_id}}: the packet's facts and its elections, routed or not. */
public record PacketDetail(String packetId, String nodeId, String fingerprint, String issuedAt, String family,
                           String task, List<String> tags, String dataScale, String benchmark, String metric,
                           double baselineScore, double outcomeScore, boolean higherIsBetter, String methodType,
                           Map<String, Object> hyperparams, boolean heldOutEval, int nEvalSamples,
                           double confidence, List<String> informedBy, double gain, Elections elections) {
    /**
     * The Three Elections for this packet now, and the evidence behind VOTE: {@code curate} is the claim's weight,
     * S and F count backed reports, {@code routed} says whether a top-k lists it, and the expected gain is the
     * claim and the backed reports pooled (docs/elections.md). {@code votes} counts every reporter's latest report;
     * {@code reports} shows one page of them in reporter order, {@code reportsNext} the cursor of the next page.
     */
    public record Elections(double curate, long citations, double vote, long successes, long failures, long votes,
                            List<ReportEntry> reports, String reportsNext, double trust, double decay, double fidelity,
                            boolean routed, double expectedGain, double expectedGainLow, double expectedGainHigh,
                            double evidenceWeight) {
    }

    /** A packet as read, with its breakdown and one page of its reports. */
    public static PacketDetail of(QueryService.PacketRead read) {
        PacketState s = read.packet().value();
        PacketFacts f = s.facts();
        List<ReportEntry> reports = new ArrayList<>();
        for (QueryService.ReportRead r : read.reports()) {
            StateViews.Report report = r.report();
            VoteEntry e = report.entry();
            reports.add(new ReportEntry(report.reporter(), e.reportId(), Instant.ofEpochMilli(e.issuedAt()).toString(),
                    e.observedScore(), e.observedGain(), e.nEvalSamples(), e.reproduced(), report.backed(),
                    r.reporterTrust()));
        }
        FidelityScore score = read.packet().score();
        return new PacketDetail(f.packetId(), f.nodeId(), f.fingerprint(), Instant.ofEpochMilli(f.issuedAt()).toString(),
                f.family(), f.task(), f.tags(), f.dataScale(), f.benchmark(), f.metric(), f.baselineScore(),
                f.outcomeScore(), f.higherIsBetter(), f.methodType(), f.hyperparams(), f.heldOutEval(),
                f.nEvalSamples(), f.confidence(), f.informedBy(), f.gain(),
                new Elections(score.curate(), s.citations(), score.vote(), s.successes(), s.failures(),
                        s.votes(), reports, read.nextReporter().orElse(null), score.trust(), score.decay(),
                        score.fidelity(), score.routed(), score.expectedGain(), score.expectedGainLow(),
                        score.expectedGainHigh(), score.evidenceWeight()));
    }
}
