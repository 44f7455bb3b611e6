package dev.qis.rest;

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
}
