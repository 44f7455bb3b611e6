package dev.qis.query;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.qis.fidelity.FidelityScore;
import dev.qis.store.Candidate;
import dev.qis.store.PacketFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class DomainTopKTest {
    private static StateViews.Scored<Candidate> c(String id, String node, String family, List<String> tags,
                                                  double confidence, double fidelity, boolean routed) {
        PacketFacts f = new PacketFacts(id, node, 0L, family, "task", tags, "FROM_1K_TO_10K", "b", "m", 0.5, 0.6,
                true, 0.2, "LoRA", Map.of(), true, 100, confidence, List.of());
        return new StateViews.Scored<>(new Candidate(f, 1.0, 0, new TreeMap<>(), 0.0),
                new FidelityScore(1, 1, 1, 1, fidelity, routed, 0));
    }

    private static List<String> ids(List<StateViews.Scored<Candidate>> xs) {
        return xs.stream().map(x -> x.value().packetId()).toList();
    }

    private final List<StateViews.Scored<Candidate>> candidates = new ArrayList<>(List.of(
            c("p1", "flood", "llama", List.of("a"), 0.9, 9.0, true),
            c("p2", "flood", "llama", List.of("a"), 0.9, 8.0, true),
            c("p3", "flood", "llama", List.of("a"), 0.9, 7.0, true),
            c("p4", "n2", "mistral", List.of("b"), 0.5, 6.0, true),
            c("p5", "n3", "llama", List.of("a", "b"), 0.8, 5.0, true),
            c("p6", "n4", "llama", List.of("a"), 0.9, 10.0, false)));

    @Test
    void routedOnlyBestFirstAtMostTwoPerNode() {
        assertEquals(List.of("p1", "p2", "p4", "p5"), ids(DomainTopK.select(candidates, DomainTopK.Filter.NONE, 10, 2)));
    }

    @Test
    void cutsToK() {
        assertEquals(List.of("p1", "p2", "p4"), ids(DomainTopK.select(candidates, DomainTopK.Filter.NONE, 3, 2)));
    }

    @Test
    void filtersApplyBeforeTheCapAndTheCut() {
        DomainTopK.Filter tagB = new DomainTopK.Filter(Optional.empty(), Optional.of("b"), Optional.empty());
        assertEquals(List.of("p4", "p5"), ids(DomainTopK.select(candidates, tagB, 10, 2)));
        DomainTopK.Filter llamaConfident = new DomainTopK.Filter(Optional.of("llama"), Optional.empty(), Optional.of(0.85));
        assertEquals(List.of("p1", "p2"), ids(DomainTopK.select(candidates, llamaConfident, 10, 2)));
    }
}
