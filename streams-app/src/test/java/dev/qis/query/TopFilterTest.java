package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.store.Candidate;
import dev.qis.store.PacketFacts;
import dev.qis.fidelity.TopK;
import dev.qis.fidelity.TrustLookup;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class TopFilterTest {
    private static Candidate c(String id, String node, String family, List<String> tags, double confidence,
                               double curate) {
        PacketFacts f = new PacketFacts(id, node, 0L, family, "task", tags, "FROM_1K_TO_10K", "b", "m", 0.5, 0.6,
                true, 0.2, "LoRA", Map.of(), true, 100, confidence, List.of());
        // listed, ranked by the stored key: the larger curate here stands for the larger expected gain
        return new Candidate(f, curate, 0, new TreeMap<>(), curate / 100, 1, 0, true, Math.log(curate / 100));
    }

    private final List<Candidate> candidates = List.of(
            c("p1", "flood", "llama", List.of("a"), 0.9, 9.0),
            c("p2", "flood", "llama", List.of("a"), 0.9, 8.0),
            c("p3", "flood", "llama", List.of("b"), 0.9, 7.0),
            c("p4", "n2", "mistral", List.of("b"), 0.5, 6.0),
            c("p5", "n3", "llama", List.of("a", "b"), 0.8, 5.0));

    private List<String> top(TopFilter filter, int k) {
        TopK<Candidate> topK = new TopK<>(new Breakdowns(new Elections(FidelityParams.DEFAULTS))::of, 2);
        return topK.top(candidates, filter, TrustLookup.NEUTRAL, 0L, k).stream()
                .map(r -> r.candidate().packetId()).toList();
    }

    @Test
    void noFilterKeepsTheCapOfTwoPerNode() {
        assertEquals(List.of("p1", "p2", "p4", "p5"), top(TopFilter.NONE, 10));
    }

    @Test
    void aFilterAppliesBeforeTheCapSoItsOwnMatchesAreNotCrowdedOut() {
        // p3 is the flooding node's third packet: capped without the filter, first with tag=b
        assertEquals(List.of("p3", "p4", "p5"),
                top(new TopFilter(Optional.empty(), Optional.of("b"), Optional.empty()), 10));
        assertEquals(List.of("p3", "p5"),
                top(new TopFilter(Optional.of("llama"), Optional.of("b"), Optional.empty()), 10));
        assertEquals(List.of("p1", "p2"),
                top(new TopFilter(Optional.empty(), Optional.empty(), Optional.of(0.85)), 2));
    }
}
