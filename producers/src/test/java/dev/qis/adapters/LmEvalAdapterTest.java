package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.OutcomePacket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** lm-evaluation-harness results pairs, on the example files of examples/lm-eval. */
class LmEvalAdapterTest {
    private static final Path TUNED = Path.of("../examples/lm-eval/fine-tuned/results.json");
    private static final Path BASE = Path.of("../examples/lm-eval/base/results.json");
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What a results file does not carry. */
    private static final PacketFields FLAGS = new PacketFields(null, "medical-qa", List.of("medical"),
            DataScale.FROM_1K_TO_10K, null, null, null, null, null, "LoRA", Map.of("lora_r", 16L), null, null, null, null);

    private static OutcomePacket packet(LmEvalAdapter.Result result, String benchmark, String metric) {
        return result.drafts().stream().map(Draft::packet)
                .filter(p -> p.getOutcome().getBenchmark().equals(benchmark) && p.getOutcome().getMetric().equals(metric))
                .findFirst().orElseThrow(() -> new AssertionError("no packet for " + benchmark + " " + metric));
    }

    @Test
    void onePacketPerTaskAndMetricTheBaseResultsShare() {
        LmEvalAdapter.Result result = LmEvalAdapter.read(TUNED, BASE, FLAGS, NOW);
        assertEquals(4, result.drafts().size(), result.toString());
        assertEquals(List.of("medmcqa acc,none", "medmcqa acc_norm,none"), result.skipped(),
                "a task the base model was not evaluated on is reported, not dropped silently");

        OutcomePacket medqa = packet(result, "medqa_4options", "acc");
        assertEquals("meta-llama-3-8b", medqa.getContext().getBaseModelFamily(), "family from the base's pretrained=");
        assertEquals("medical-qa", medqa.getContext().getTask(), "--task wins over the harness task name");
        assertEquals(0.5593, medqa.getOutcome().getBaselineScore());
        assertEquals(0.6135, medqa.getOutcome().getOutcomeScore());
        assertTrue(medqa.getOutcome().getHigherIsBetter());
        assertEquals(1273, medqa.getValidation().getNEvalSamples(), "n-samples effective");
        // z = 0.0542 / sqrt(0.01365² + 0.01392²) = 2.78; Φ(2.78) = 0.997
        assertEquals(0.997, medqa.getValidation().getConfidence(), 1e-9);

        OutcomePacket mmlu = packet(result, "mmlu_clinical_knowledge:5-shot", "acc");
        assertEquals(265, mmlu.getValidation().getNEvalSamples());
        // z = 0.0075 / sqrt(0.02661² + 0.02689²) = 0.198; within noise
        assertEquals(0.579, mmlu.getValidation().getConfidence(), 1e-9);

        result.drafts().forEach(d -> d.seal(NodeIdentity.generate()));
    }

    @Test
    void withoutTaskFlagTheHarnessTaskIsTheTask() {
        PacketFields noTask = new PacketFields(null, null, null, DataScale.FROM_1K_TO_10K, null, null, null, null, null,
                "LoRA", null, null, null, null, null);
        LmEvalAdapter.Result result = LmEvalAdapter.read(TUNED, BASE, noTask, NOW);
        assertEquals("pubmedqa", packet(result, "pubmedqa", "acc").getContext().getTask());
    }

    @Test
    void flagsWinOverWhatTheFilesGive() {
        PacketFields flags = FLAGS.overriddenBy(new PacketFields("llama-3-8b", null, null, null, null, null, null, null,
                null, null, null, null, 1000, 0.9, null));
        OutcomePacket medqa = packet(LmEvalAdapter.read(TUNED, BASE, flags, NOW), "medqa_4options", "acc");
        assertEquals("llama-3-8b", medqa.getContext().getBaseModelFamily());
        assertEquals(1000, medqa.getValidation().getNEvalSamples());
        assertEquals(0.9, medqa.getValidation().getConfidence());
    }

    @Test
    void confidenceIsTheProbabilityOfTheMeasuredSign() {
        assertEquals(Optional.of(0.5), LmEvalAdapter.confidence(0.6, 0.01, 0.6, 0.01), "no difference: a coin flip");
        assertEquals(Optional.of(0.841), LmEvalAdapter.confidence(0.6 + Math.sqrt(2) * 0.01, 0.01, 0.6, 0.01),
                "one combined standard error: Φ(1)");
        assertEquals(LmEvalAdapter.confidence(0.5, 0.02, 0.6, 0.01), LmEvalAdapter.confidence(0.7, 0.02, 0.6, 0.01),
                "a loss is as certain as a gain of the same size");
        assertEquals(Optional.empty(), LmEvalAdapter.confidence(0.7, null, 0.6, 0.01), "no stderr, no confidence");
        assertEquals(Optional.empty(), LmEvalAdapter.confidence(0.7, 0.0, 0.6, 0.0), "zero stderr says nothing");
        assertEquals(0.97725, LmEvalAdapter.normalCdf(2), 1e-5);
    }

    @Test
    void aMissingStderrWithoutConfidenceFlagNamesTheFlag() throws Exception {
        ObjectNode tuned = (ObjectNode) JSON.readTree(Files.readString(TUNED));
        ((ObjectNode) tuned.get("results").get("pubmedqa")).put("acc_stderr,none", "N/A");
        JsonNode base = JSON.readTree(Files.readString(BASE));
        AdapterException e = assertThrows(AdapterException.class,
                () -> LmEvalAdapter.read(tuned, "tuned.json", base, "base.json", FLAGS, NOW));
        assertEquals("tuned.json pubmedqa acc,none: confidence: missing (not in the input; give --confidence)", e.getMessage());
    }

    @Test
    void noSharedMeasurementIsAnError() throws Exception {
        JsonNode tuned = JSON.readTree(Files.readString(TUNED));
        ObjectNode base = (ObjectNode) JSON.readTree(Files.readString(BASE));
        base.set("results", JSON.readTree("{\"arc_easy\": {\"acc,none\": 0.8, \"acc_stderr,none\": 0.01}}"));
        AdapterException e = assertThrows(AdapterException.class,
                () -> LmEvalAdapter.read(tuned, "tuned.json", base, "base.json", FLAGS, NOW));
        assertTrue(e.getMessage().startsWith("base.json: no result for the same task and metric"), e.getMessage());
        assertThrows(AdapterException.class, () -> LmEvalAdapter.parse("{\"results\": [1]", "x.json"));
        assertThrows(AdapterException.class, () -> LmEvalAdapter.parse("{\"model\": 1}", "x.json"));
    }

    @Test
    void theDateIsWhenTheEvaluationRan() throws Exception {
        JsonNode tuned = JSON.readTree(Files.readString(TUNED));
        assertTrue(LmEvalAdapter.looksLikeResults(tuned));
        assertEquals(Optional.of(Instant.ofEpochMilli(1763575931218L)), LmEvalAdapter.date(tuned));
    }
}
