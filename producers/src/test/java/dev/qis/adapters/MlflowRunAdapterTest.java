package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.DataScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MlflowRunAdapterTest {
    private static final Path RUN = Path.of("src/test/resources/mlflow/run.json");
    private static final Path TRAINER = Path.of("../examples/mlflow-trainer-run.json");
    private static final Path AUTOLOG = Path.of("../examples/mlflow-autolog-run.json");
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void mapsTheRunToOnePacket() {
        Draft draft = MlflowRunAdapter.read(RUN, PacketFields.NONE, NOW);
        assertEquals("run.json run 4c0d1f7e9a2b4c6d8e0f1a2b3c4d5e6f", draft.source());
        SignedPacket p = draft.seal(NodeIdentity.generate());
        var packet = p.packet();
        assertEquals("meta-llama-3-8b", packet.getContext().getBaseModelFamily(), "from param base_model");
        assertEquals("clinical-note-summarization", packet.getContext().getTask());
        assertEquals(List.of("SOAP-notes", "en-US", "healthcare"), packet.getContext().getTags().stream().sorted().toList());
        assertEquals(DataScale.FROM_1K_TO_10K, packet.getContext().getDataScale(), "5200 train_samples");
        assertEquals("soap-notes-heldout", packet.getOutcome().getBenchmark(), "the eval dataset input");
        assertEquals("rougeL", packet.getOutcome().getMetric());
        assertEquals(0.417, packet.getOutcome().getOutcomeScore(), "eval_rougeL at its last step (750), not the last listed");
        assertEquals(0.351, packet.getOutcome().getBaselineScore(), "baseline_rougeL");
        assertEquals("QLoRA", packet.getMethod().getMethodType());
        assertEquals(400, packet.getValidation().getNEvalSamples(), "the eval_samples metric");
        assertEquals(0.8, packet.getValidation().getConfidence());
        Map<String, Object> hp = new TreeMap<>();
        packet.getMethod().getHyperparams().forEach((k, v) -> hp.put(k.toString(), v instanceof CharSequence ? v.toString() : v));
        assertEquals(Map.of("learning_rate", 0.0002, "lora_r", 16L, "lora_alpha", 32L, "lora_dropout", 0.05,
                "num_train_epochs", 3L, "lr_scheduler_type", "cosine"), hp, "only the params qis.hyperparams names, typed");
    }

    @Test
    void flagsOverrideTheRun() {
        PacketFields flags = new PacketFields("llama-3-8b", null, null, null, null, null, null, null, null, null, null,
                null, 500, null, null);
        var packet = MlflowRunAdapter.read(RUN, flags, NOW).packet();
        assertEquals("llama-3-8b", packet.getContext().getBaseModelFamily());
        assertEquals(500, packet.getValidation().getNEvalSamples());
    }

    /** A run as the Hugging Face Trainer's MLflow callback logs it: eval_* metrics per epoch, no qis.* tags. */
    @Test
    void aTrainerRunPublishesWithTheFlagsItCannotCarry() {
        PacketFields flags = new PacketFields(null, "legal-clause-extraction", List.of("legal"), DataScale.FROM_1K_TO_10K,
                "cuad-test", "f1", 0.74, null, null, "LoRA", null, null, 510, 0.7, null);
        var packet = MlflowRunAdapter.read(TRAINER, flags, NOW).seal(NodeIdentity.generate()).packet();
        assertEquals("mistral-7b-v0.1", packet.getContext().getBaseModelFamily(), "from the config's _name_or_path");
        assertEquals("f1", packet.getOutcome().getMetric());
        assertEquals(0.812, packet.getOutcome().getOutcomeScore(), "--metric f1 finds eval_f1 at its last step");
        assertEquals(0.74, packet.getOutcome().getBaselineScore());
        assertTrue(packet.getOutcome().getHigherIsBetter());
        assertEquals(510, packet.getValidation().getNEvalSamples());
        Map<String, Object> hp = new TreeMap<>();
        packet.getMethod().getHyperparams().forEach((k, v) -> hp.put(k.toString(), v instanceof CharSequence ? v.toString() : v));
        assertEquals(Map.of("learning_rate", 0.0002, "num_train_epochs", 3L, "per_device_train_batch_size", 4L,
                "gradient_accumulation_steps", 4L, "warmup_ratio", 0.03, "weight_decay", 0.0, "lr_scheduler_type", "cosine",
                "lora_r", 16L, "lora_alpha", 32L, "lora_dropout", 0.05), hp, "the training arguments, not seed or output_dir");
    }

    @Test
    void aLowerIsBetterMetricGivenByFlagFlipsTheDirection() {
        PacketFields flags = new PacketFields("mistral-7b", "legal-clause-extraction", null, DataScale.FROM_1K_TO_10K,
                "cuad-test", "loss", 1.02, null, null, "LoRA", null, null, 510, 0.7, null);
        var packet = MlflowRunAdapter.read(TRAINER, flags, NOW).packet();
        assertEquals(0.9485, packet.getOutcome().getOutcomeScore(), "eval_loss at its last step");
        assertEquals(false, packet.getOutcome().getHigherIsBetter(), "loss: lower is better");
    }

    @Test
    void withoutTheMetricFlagTheTrainerRunNamesWhatIsMissing() {
        PacketFields flags = new PacketFields(null, "legal-clause-extraction", null, DataScale.FROM_1K_TO_10K,
                "cuad-test", null, 0.74, null, null, "LoRA", null, null, 510, 0.7, null);
        AdapterException e = assertThrows(AdapterException.class, () -> MlflowRunAdapter.read(TRAINER, flags, NOW));
        assertTrue(e.getMessage().contains("metric: missing") && e.getMessage().contains("--metric"), e.getMessage());
    }

    /** A run as mlflow.autolog logs a fine-tuning script: train_samples, eval_samples, an eval dataset input. */
    @Test
    void anAutologRunTakesScaleEvalSizeAndBenchmarkFromTheRun() {
        PacketFields flags = new PacketFields(null, "sentiment-classification", null, null, null, "accuracy", 0.861,
                null, null, "full-fine-tune", null, null, null, 0.8, null);
        var packet = MlflowRunAdapter.read(AUTOLOG, flags, NOW).seal(NodeIdentity.generate()).packet();
        assertEquals("qwen2.5-1.5b", packet.getContext().getBaseModelFamily(), "param model_name_or_path");
        assertEquals(DataScale.FROM_10K_TO_100K, packet.getContext().getDataScale(), "metric train_samples 24000");
        assertEquals("sst2-validation", packet.getOutcome().getBenchmark(), "the eval dataset input");
        assertEquals(0.902, packet.getOutcome().getOutcomeScore(), "eval_accuracy at its last step");
        assertEquals(2000, packet.getValidation().getNEvalSamples(), "metric eval_samples");
    }

    @Test
    void aGivenOutcomeIsNotLookedUp() {
        PacketFields flags = new PacketFields(null, "sentiment-classification", null, null, null, "bleu", 0.5, 0.6,
                null, "full-fine-tune", null, null, null, 0.8, null);
        var packet = MlflowRunAdapter.read(AUTOLOG, flags, NOW).packet();
        assertEquals(0.6, packet.getOutcome().getOutcomeScore(), "the run has no bleu metric, and none is needed");
    }

    @Test
    void aMissingMetricIsNamed() throws IOException {
        Path run = write(Files.readString(RUN).replace("\"qis.metric\", \"value\": \"rougeL\"",
                "\"qis.metric\", \"value\": \"bleu\""));
        AdapterException e = assertThrows(AdapterException.class, () -> MlflowRunAdapter.read(run, PacketFields.NONE, NOW));
        assertTrue(e.getMessage().contains("baseline_score: missing"), e.getMessage());
    }

    @Test
    void aBadConfidenceTagIsNamed() throws IOException {
        Path run = write(Files.readString(RUN).replace("\"value\": \"0.8\"", "\"value\": \"high\""));
        AdapterException e = assertThrows(AdapterException.class, () -> MlflowRunAdapter.read(run, PacketFields.NONE, NOW));
        assertTrue(e.getMessage().contains("confidence: expected a number, got 'high'"), e.getMessage());
    }

    @Test
    void notARunIsAnError() throws IOException {
        Path run = write("{\"runs\": []}");
        AdapterException e = assertThrows(AdapterException.class, () -> MlflowRunAdapter.read(run, PacketFields.NONE, NOW));
        assertTrue(e.getMessage().contains("run: missing"), e.getMessage());
    }

    private Path write(String text) throws IOException {
        Path p = dir.resolve("run.json");
        Files.writeString(p, text);
        return p;
    }
}
