package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SynthesisTest {
    private final Synthesis synthesis = new Synthesis(FidelityParams.DEFAULTS);
    private final Synthesis.Context asking = new Synthesis.Context("llama-3-8b", "summarization", List.of("med", "en"));

    private static Evidence e(String id, String node, String family, String method, Map<String, Object> hp,
                              double gain, double fidelity) {
        return new Evidence(id, node, family, "summarization", List.of("med", "en"), method, hp, gain, fidelity);
    }

    @Test
    void similarityWeighsTaskTagsAndFamily() {
        Evidence same = e("p1", "n1", "llama-3-8b", "LoRA", Map.of(), 0.1, 1);
        Evidence otherFamily = e("p2", "n1", "mistral-7b", "LoRA", Map.of(), 0.1, 1);
        Evidence halfTags = new Evidence("p3", "n1", "llama-3-8b", "qa", List.of("med", "fr"), "LoRA", Map.of(), 0.1, 1);
        assertEquals(1.0, synthesis.similarity(asking, same), 1e-15);
        assertEquals(0.85, synthesis.similarity(asking, otherFamily), 1e-15);
        assertEquals(0.25 / 3 + 0.15, synthesis.similarity(asking, halfTags), 1e-15);
    }

    @Test
    void takesTheWeightedMedianAndModeOfTheHeaviestMethod() {
        List<Evidence> evidence = List.of(
                e("a", "n1", "llama-3-8b", "LoRA", Map.of("r", 8L, "lr", 1e-4, "sched", "cosine"), 0.10, 1.0),
                e("b", "n2", "llama-3-8b", "LoRA", Map.of("r", 16L, "lr", 2e-4, "sched", "linear"), 0.20, 3.0),
                e("c", "n3", "llama-3-8b", "LoRA", Map.of("r", 64L, "lr", 3e-4, "sched", "cosine"), 0.05, 1.5),
                e("d", "n4", "llama-3-8b", "DPO", Map.of("beta", 0.1), 0.30, 2.0));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType());
        // weights 1, 3, 1.5 (total 5.5): the median reaches 2.75 at r = 16; the mode of sched is linear (3 > 2.5)
        assertEquals(16L, r.hyperparams().get("r"));
        assertEquals(2e-4, r.hyperparams().get("lr"));
        assertEquals("linear", r.hyperparams().get("sched"));
        assertEquals((0.10 * 1 + 0.20 * 3 + 0.05 * 1.5) / 5.5, r.expectedGain(), 1e-12);
        assertEquals(3, r.evidenceCount());
        assertEquals(3, r.distinctNodes());
        assertEquals(List.of("a", "b", "c"), r.packetIds());
    }

    @Test
    void aPacketFromAnotherFamilyStillContributesWithLowerWeight() {
        Evidence llama = e("a", "n1", "llama-3-8b", "LoRA", Map.of("r", 8L), 0.10, 1.0);
        Evidence mistral = e("b", "n2", "mistral-7b", "LoRA", Map.of("r", 32L), 0.30, 1.0);
        Recommendation r = synthesis.recommend(asking, List.of(llama, mistral)).orElseThrow();
        assertEquals(List.of("a", "b"), r.packetIds());
        double wl = 1.0;
        double wm = 0.85;
        assertEquals((0.10 * wl + 0.30 * wm) / (wl + wm), r.expectedGain(), 1e-12);
        assertEquals(wl + wm, r.totalWeight(), 1e-12);
        assertEquals(8L, r.hyperparams().get("r"), "the closer context outweighs in the median");
        assertTrue(r.expectedGain() > 0.10, "the other family's packet moved the estimate");
    }

    @Test
    void nothingToSynthesizeFromIsEmpty() {
        assertTrue(synthesis.recommend(asking, List.of()).isEmpty());
        assertTrue(synthesis.recommend(asking, List.of(e("a", "n", "x", "LoRA", Map.of(), 0.1, 0.0))).isEmpty());
    }
}
