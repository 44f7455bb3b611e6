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
