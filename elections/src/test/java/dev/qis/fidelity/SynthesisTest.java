package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SynthesisTest {
    private final Synthesis synthesis = new Synthesis(FidelityParams.DEFAULTS);
    private final Synthesis.Context asking = new Synthesis.Context("llama-3-8b", "summarization", List.of("med", "en"));

    /** An author others have reproduced once: (1 + 1) / (2 + 1). */
    private static final double PROVEN = 2.0 / 3;

    /** A run not yet judged, by an author others have reproduced before. */
    private static Evidence e(String id, String node, String family, String method, Map<String, Object> hp,
                              double gain, double weight) {
        return new Evidence(id, node, family, "summarization", List.of("med", "en"), method, hp,
                List.of(new Measurement(node, gain, weight)), 0, 0, PROVEN);
    }

    /** The same run by a fresh key: nobody has reproduced anything of its author. */
    private static Evidence fresh(Evidence e) {
        return new Evidence(e.packetId(), e.nodeId(), e.family(), e.task(), e.tags(), e.methodType(), e.hyperparams(),
                e.measurements(), e.reproductions(), e.refutations(), TrustLookup.UNKNOWN);
    }

    @Test
    void similarityWeighsTaskFamilyAndTags() {
        Evidence same = e("p1", "n1", "llama-3-8b", "LoRA", Map.of(), 0.1, 1);
        Evidence otherFamily = e("p2", "n1", "mistral-7b", "LoRA", Map.of(), 0.1, 1);
        Evidence otherTaskHalfTags = new Evidence("p3", "n1", "llama-3-8b", "qa", List.of("med", "fr"), "LoRA",
                Map.of(), List.of(new Measurement("n1", 0.1, 1)), 0, 0, PROVEN);
        assertEquals(1.0, synthesis.similarity(asking, same), 1e-15);
        assertEquals(0.5, synthesis.similarity(asking, otherFamily), 1e-15);
        assertEquals(0.25 * (0.5 + 0.5 / 3), synthesis.similarity(asking, otherTaskHalfTags), 1e-15);
    }

    @Test
    void recommendsAConfigurationThatWasRunNeverAMedianOfParameters() {
        // two clusters: many runs at (r=8, lr=1e-4) around 0.05, fewer at (r=64, lr=5e-4) around 0.09
        List<Evidence> evidence = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            evidence.add(e("a" + i, "n" + i, "llama-3-8b", "LoRA", Map.of("r", 8L, "lr", 1e-4), 0.05, 300));
        }
        for (int i = 0; i < 4; i++) {
            evidence.add(e("b" + i, "m" + i, "llama-3-8b", "LoRA", Map.of("r", 64L, "lr", 5e-4), 0.09, 300));
        }
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals(Map.of("r", 64L, "lr", 5e-4), r.hyperparams(), "the better configuration, as it was run");
        assertTrue(r.expectedGainLow() < r.expectedGain() && r.expectedGain() < r.expectedGainHigh());
        assertEquals(4, r.evidenceCount());
        assertTrue(r.packetIds().stream().allMatch(id -> id.startsWith("b")), r.packetIds().toString());
        assertNotNull(r.exploration());
        assertNotEquals(r.hyperparams(), r.exploration().hyperparams());
    }

    @Test
    void evidenceIdsComeHeaviestFirstNotByPacketId() {
        List<Evidence> evidence = List.of(
                e("a-light", "n1", "llama-3-8b", "LoRA", Map.of("r", 8L), 0.08, 50),
                e("z-heavy", "n2", "llama-3-8b", "LoRA", Map.of("r", 8L), 0.08, 900),
                e("m-mid", "n3", "llama-3-8b", "LoRA", Map.of("r", 8L), 0.08, 300));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals(List.of("z-heavy", "m-mid", "a-light"), r.packetIds());
        assertEquals(900, r.contributions().get(0).weight(), 1e-9);
    }

    @Test
    void aSingleHighClaimIsShrunkTowardTheMethodMean() {
        List<Evidence> evidence = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            evidence.add(e("a" + i, "n" + i, "llama-3-8b", "LoRA", Map.of("r", 16L), 0.06, 400));
        }
        evidence.add(e("lucky", "x", "llama-3-8b", "LoRA", Map.of("r", 128L), 0.075, 100));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        double lucky = r.hyperparams().get("r").equals(128L) ? r.expectedGain() : r.exploration().expectedGain();
        assertTrue(lucky < 0.066, "one small run at 0.075 is mostly shrunk toward the 0.06 of the others: " + lucky);
        assertTrue(lucky > 0.06, "but it still counts: " + lucky);
    }

    @Test
    void theAnswerDoesNotDependOnTheOrderOfTheEvidence() {
        Random random = new Random(7);
        List<Evidence> evidence = new ArrayList<>();
        long[] ranks = {8, 16, 32};
        double[] rates = {1e-4, 2e-4, 5e-4};
        String[] methods = {"LoRA", "QLoRA"};
        for (int i = 0; i < 60; i++) {
            evidence.add(e("p" + i, "n" + (i % 17), i % 3 == 0 ? "mistral-7b" : "llama-3-8b",
                    methods[random.nextInt(2)], Map.of("r", ranks[random.nextInt(3)], "lr", rates[random.nextInt(3)]),
                    random.nextGaussian() * 0.03 + 0.05, 50 + random.nextInt(900)));
        }
        Recommendation first = synthesis.recommend(asking, evidence).orElseThrow();
        for (int shuffle = 0; shuffle < 5; shuffle++) {
            Collections.shuffle(evidence, random);
            assertEquals(first, synthesis.recommend(asking, evidence).orElseThrow());
        }
    }

    @Test
    void textHyperparametersMustMatchToShareEvidence() {
        List<Evidence> evidence = List.of(
                e("a", "n1", "llama-3-8b", "LoRA", Map.of("sched", "cosine", "r", 8L), 0.10, 500),
                e("b", "n2", "llama-3-8b", "LoRA", Map.of("sched", "linear", "r", 8L), 0.02, 500));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("cosine", r.hyperparams().get("sched"));
        assertEquals(List.of("a"), r.packetIds());
    }

    @Test
    void runsThatNameOtherHyperparametersDoNotShareEvidence() {
        List<Evidence> evidence = List.of(
                e("a", "n1", "llama-3-8b", "LoRA", Map.of("r", 8L), 0.10, 500),
                e("b", "n2", "llama-3-8b", "LoRA", Map.of("r", 8L, "packing", true), 0.02, 500),
                e("c", "n3", "llama-3-8b", "LoRA", Map.of("r", 16L, "packing", true), 0.03, 500));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals(Map.of("r", 8L), r.hyperparams());
        assertEquals(List.of("a"), r.packetIds(), "b and c ran with packing named: another setting");
    }

    /** Ten honest runs of LoRA: six at r=16 near 0.06, four at r=32 near 0.08, each from its own node. */
    private static List<Evidence> honestRuns() {
        List<Evidence> evidence = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            evidence.add(e("a" + i, "n" + i, "llama-3-8b", "LoRA", Map.of("r", 16L), 0.058 + 0.001 * i, 400));
        }
        for (int i = 0; i < 4; i++) {
            evidence.add(e("b" + i, "m" + i, "llama-3-8b", "LoRA", Map.of("r", 32L), 0.078 + 0.001 * i, 400));
        }
        return evidence;
    }

    @Test
    void oneNodesClaimFarAboveTheRestDoesNotBecomeTheRecommendation() {
        List<Evidence> evidence = honestRuns();
        evidence.add(e("inflated", "byz", "llama-3-8b", "full", Map.of("epochs", 3L), 0.35, 1000));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType());
        assertEquals(Map.of("r", 32L), r.hyperparams());
        assertTrue(r.expectedGain() < 0.09, "the inflated claim does not lift the answer: " + r.expectedGain());
    }

    @Test
    void aReproducedRunOfTheSameHighGainMakesItCountInFull() {
        List<Evidence> evidence = honestRuns();
        evidence.add(e("first", "x1", "llama-3-8b", "full", Map.of("epochs", 3L), 0.35, 1000));
        evidence.add(judged(e("second", "x2", "llama-3-8b", "full", Map.of("epochs", 3L), 0.34, 1000), 2, 0));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("full", r.methodType(), "a reproduced run agrees with a much better claim");
        assertTrue(r.expectedGain() > 0.2, "and its estimate is theirs, shrunk by the prior: " + r.expectedGain());
    }

    @Test
    void keysThatOnlyAgreeWithEachOtherDoNotCorroborate() {
        // three keys of one actor: each claims the same much better configuration, nobody reproduced any of them
        List<Evidence> evidence = honestRuns();
        for (int k = 0; k < 3; k++) {
            evidence.add(fresh(e("sybil" + k, "key" + k, "llama-3-8b", "full", Map.of("epochs", 3L),
                    0.30 + 0.001 * k, 1000)));
        }
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType(), "unreproduced keys agreeing is not corroboration");
        assertTrue(r.packetIds().stream().noneMatch(id -> id.startsWith("sybil")), r.packetIds().toString());
    }

    @Test
    void oneLuckyReproductionDoesNotSpareAClaimFarAboveTheRest() {
        List<Evidence> evidence = honestRuns();
        evidence.add(judged(e("inflated", "byz", "llama-3-8b", "full", Map.of("epochs", 3L), 0.30, 1000), 1, 0));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType());
        assertTrue(r.packetIds().stream().noneMatch("inflated"::equals), r.packetIds().toString());
    }

    @Test
    void aRefutedPacketIsNeitherFittedNorRestedOn() {
        // the refuted packet's measured value has already moved toward what the refuters saw, and it is heavy
        List<Evidence> evidence = honestRuns();
        evidence.add(judged(e("refuted", "byz", "llama-3-8b", "LoRA", Map.of("r", 32L), 0.08, 1000), 1, 3));
        Recommendation withIt = synthesis.recommend(asking, evidence).orElseThrow();
        Recommendation without = synthesis.recommend(asking, honestRuns()).orElseThrow();
        assertTrue(withIt.packetIds().stream().noneMatch("refuted"::equals), withIt.packetIds().toString());
        assertEquals(without, withIt, "a refuted claim moves nothing");
        // a packet as often reproduced as refuted is not refuted: it counts
        evidence.set(evidence.size() - 1, judged(evidence.get(evidence.size() - 1), 2, 2));
        Recommendation tied = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("refuted", tied.packetIds().get(0), "the heaviest packet of the point when it is not refuted");
    }

    private static Evidence judged(Evidence e, long reproductions, long refutations) {
        return new Evidence(e.packetId(), e.nodeId(), e.family(), e.task(), e.tags(), e.methodType(), e.hyperparams(),
                e.measurements(), reproductions, refutations, e.authorTrust());
    }

    /** The ten honest runs and {@code keys} packets claiming 0.30 at one configuration, by fresh keys or not. */
    private static List<Evidence> honestRunsAndAFlood(int keys, boolean freshKeys) {
        List<Evidence> evidence = honestRuns();
        for (int k = 0; k < keys; k++) {
            Evidence claim = e("flood" + k, "key" + k, "llama-3-8b", "full", Map.of("epochs", 3L), 0.30, 1000);
            evidence.add(freshKeys ? fresh(claim) : claim);
        }
        return evidence;
    }

    @Test
    void aFloodOfFreshKeysRepeatingOneClaimCountsAsOneClaim() {
        // thirty keys outweigh the ten honest runs seven to one: counted one by one, their claim would be the median
        Recommendation r = synthesis.recommend(asking, honestRunsAndAFlood(30, true)).orElseThrow();
        assertEquals("LoRA", r.methodType(), "thirty fresh keys saying the same thing are one claim");
        assertEquals(Map.of("r", 32L), r.hyperparams());
        assertTrue(r.expectedGain() < 0.09, "and the flood does not lift the answer: " + r.expectedGain());
        Recommendation one = synthesis.recommend(asking, honestRunsAndAFlood(1, true)).orElseThrow();
        assertEquals(one.hyperparams(), r.hyperparams(), "as if one key had claimed it");
        assertEquals(one.expectedGain(), r.expectedGain(), 1e-12);
        assertEquals(one.exploration().expectedGain(), r.exploration().expectedGain(), 1e-12);
        assertEquals(one.exploration().upperBound(), r.exploration().upperBound(), 1e-12);
    }

    @Test
    void authorsOthersHaveReproducedAreCountedOneByOne() {
        // the same thirty packets, by nodes whose earlier runs others reproduced: thirty measurements, not one
        Recommendation r = synthesis.recommend(asking, honestRunsAndAFlood(30, false)).orElseThrow();
        assertEquals("full", r.methodType(), "a majority of established nodes is the evidence");
    }

    /** The ten honest runs, two runs of r=32 that others reproduced (300 and 400), and a heavy claim of r=32. */
    private static List<Evidence> measuredRunsAndAHeavyClaim(long claimReproductions) {
        List<Evidence> evidence = honestRuns();
        evidence.add(judged(e("h1", "k1", "llama-3-8b", "LoRA", Map.of("r", 32L), 0.079, 300), 2, 0));
        evidence.add(judged(e("h2", "k2", "llama-3-8b", "LoRA", Map.of("r", 32L), 0.081, 400), 1, 0));
        // within the outlier bound of the rest, its weight all from its own eval size and confidence
        evidence.add(judged(e("claim", "byz", "llama-3-8b", "LoRA", Map.of("r", 32L), 0.095, 1000),
                claimReproductions, 0));
        return evidence;
    }

    private static double weightOf(Recommendation r, String packetId) {
        return r.contributions().stream().filter(c -> c.packetId().equals(packetId)).findFirst().orElseThrow()
                .weight();
    }

    @Test
    void aHeavyUnreproducedClaimDoesNotOutweighTwoMeasuredRuns() {
        Recommendation r = synthesis.recommend(asking, measuredRunsAndAHeavyClaim(0)).orElseThrow();
        assertEquals(Map.of("r", 32L), r.hyperparams());
        assertEquals(300, weightOf(r, "claim"), 1e-9, "counted as the typical measured run (lower median of 300, 400)");
        assertTrue(weightOf(r, "claim") < weightOf(r, "h1") + weightOf(r, "h2"));
        assertEquals("h2", r.packetIds().get(0), "the answer rests on a measured run: " + r.packetIds());
        assertTrue(Math.abs(r.expectedGain() - 0.08) < Math.abs(r.expectedGain() - 0.095),
                "the estimate stays nearer what was measured: " + r.expectedGain());
    }

    @Test
    void aClaimReproducedByAnotherNodeCountsInFull() {
        Recommendation unreproduced = synthesis.recommend(asking, measuredRunsAndAHeavyClaim(0)).orElseThrow();
        Recommendation r = synthesis.recommend(asking, measuredRunsAndAHeavyClaim(1)).orElseThrow();
        assertEquals(1000, weightOf(r, "claim"), 1e-9);
        assertEquals("claim", r.packetIds().get(0));
        assertTrue(r.expectedGain() > unreproduced.expectedGain(), r.expectedGain() + " vs " + unreproduced);
    }

    @Test
    void withNothingReproducedNoWeightIsBounded() {
        // nobody measured anything yet: there is no measured run to compare a claim with
        List<Evidence> evidence = honestRuns();
        evidence.add(e("heavy", "z", "llama-3-8b", "LoRA", Map.of("r", 32L), 0.08, 1000));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals(1000, weightOf(r, "heavy"), 1e-9);
        assertEquals("heavy", r.packetIds().get(0));
    }

    @Test
    void aRunFarBelowTheRestKeepsItsWeight() {
        List<Evidence> evidence = honestRuns();
        evidence.add(e("bad", "y", "llama-3-8b", "full", Map.of("epochs", 3L), -0.30, 1000));
        evidence.add(e("good", "z", "llama-3-8b", "full", Map.of("epochs", 1L), 0.075, 50));
        Recommendation r = synthesis.recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType());
        // the bad run keeps its weight and drags its method's mean, so full at epochs=1 is not explored first
        assertNotEquals("full", r.exploration().methodType(), r.exploration().toString());
    }

    @Test
    void nothingToSynthesizeFromIsEmpty() {
        assertTrue(synthesis.recommend(asking, List.of()).isEmpty());
        assertTrue(synthesis.recommend(asking, List.of(e("a", "n", "x", "LoRA", Map.of(), 0.1, 0.0))).isEmpty());
    }
}
