package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Measurement;
import dev.qis.fidelity.TrustLookup;
import dev.qis.store.BackedReports;
import dev.qis.store.Candidate;
import dev.qis.store.CandidateReport;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The elections of stored values: a candidate from its packet, breakdowns at read time, synthesis evidence. */
class BreakdownsTest {
    private static final long ISSUED = 1_790_000_000_000L;
    private static final long NOW = ISSUED + 3 * 86_400_000L;
    private final Elections elections = new Elections(FidelityParams.DEFAULTS);
    private final Breakdowns breakdowns = new Breakdowns(elections);

    private static PacketFacts facts(String nodeId, double gain) {
        return new PacketFacts("0123456789abcdef-00000000000000a1", nodeId, ISSUED, "llama-3-8b",
                "clinical-note-summarization", List.of("en-US"), "FROM_1K_TO_10K", "MedQA", "accuracy", 60, 66, true,
                gain, "LoRA", Map.of("r", 16L), true, 400, 0.9, List.of());
    }

    /** A packet with the given reports, every one kept whole in its backed sums. */
    private PacketState packet(double gain, Map<String, CandidateReport> reports) {
        BackedReports backed = BackedReports.none();
        TreeMap<String, CandidateReport> kept = new TreeMap<>();
        for (Map.Entry<String, CandidateReport> r : reports.entrySet()) {
            if (r.getValue().backed()) {
                backed = backed.plus(r.getValue(), (long) elections.reportWeight(r.getValue().nEvalSamples()));
                kept.put(r.getKey(), r.getValue());
            }
        }
        double curate = elections.claimWeight(0.9, 400, true);
        return new PacketState("0123456789abcdef-00000000000000a1", new byte[0], new byte[32], facts("author", gain),
                curate, 0, 0, -1, backed.withHeaviest(kept));
    }

    @Test
    void aPendingPacketIsNoCandidate() {
        assertThrows(IllegalArgumentException.class,
                () -> Candidate.of(PacketState.pending("0123456789abcdef-00000000000000a1", 5), elections));
    }

    @Test
    void aCandidateThatKeepsEveryReportHasThePacketsOwnBreakdown() {
        PacketState s = packet(0.1, Map.of(
                "r1", new CandidateReport(0.09, 300, true, true),
                "r2", new CandidateReport(0.11, 150, true, true)));
        Candidate c = Candidate.of(s, elections);
        TrustLookup trust = node -> node.equals("author") ? 0.8 : 0.5;
        assertEquals(breakdowns.of(s, trust, NOW), breakdowns.of(c, trust, NOW));
        assertEquals(2, c.successes());
        assertTrue(c.listed(), "reproduced with a positive expected gain");
    }

    @Test
    void refutationsOutnumberingReproductionsLeaveACandidateUnlisted() {
        Candidate c = Candidate.of(packet(0.1, Map.of(
                "r1", new CandidateReport(0.0, 300, false, true),
                "r2", new CandidateReport(0.01, 300, false, true),
                "r3", new CandidateReport(0.1, 300, true, true))), elections);
        assertEquals(1, c.successes());
        assertEquals(2, c.failures());
        assertFalse(c.listed());
    }

    @Test
    void evidenceWithoutReportsIsTheClaimWeighedByItsRunTrustAndDecay() {
        Candidate c = Candidate.of(packet(0.1, Map.of()), elections);
        Evidence e = breakdowns.evidence(c, node -> 0.6, NOW);
        Measurement m = e.measurements().get(0);
        assertEquals(1, e.measurements().size(), "one run, one measurement");
        assertEquals(0.1, m.gain());
        assertEquals(elections.runWeight(0.9, 400, true) * 0.6 * elections.decay(ISSUED, NOW), m.weight(), 1e-12);
        assertEquals(0.6, e.authorTrust(), "synthesis knows the author's standing");
        assertFalse(e.unproven(), "an author others have reproduced");
        assertTrue(breakdowns.evidence(c, node -> 0.5, NOW).unproven(), "a fresh key's unjudged packet");
    }

    @Test
    void evidencePoolsTheClaimWithBackedReportsEachByItsMeasurersTrust() {
        CandidateReport backed = new CandidateReport(0.02, 300, false, true);
        CandidateReport unbacked = new CandidateReport(0.5, 300, true, false);
        Candidate c = Candidate.of(packet(0.1, Map.of("r1", backed, "r2", unbacked)), elections);
        TrustLookup trust = node -> switch (node) {
            case "author" -> 0.4;
            case "r1" -> 0.9;
            default -> 0.1;
        };
        double claim = c.curate() * 0.4;
        double report = elections.reportWeight(300) * 0.9;
        double measured = (claim * 0.1 + report * 0.02) / (claim + report);
        Measurement m = breakdowns.evidence(c, trust, NOW).measurements().get(0);
        assertEquals(measured, m.gain(), 1e-12, "the unbacked report counts for nothing");
        assertTrue(m.gain() < 0.1, "a refuted claim counts at what others observed");
        assertEquals(elections.runWeight(0.9, 400, true) * 0.4 * elections.decay(ISSUED, NOW), m.weight(), 1e-12,
                "the reports add no weight of their own");
    }
}
