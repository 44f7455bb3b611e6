package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.DataScale;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelCardAdapterTest {
    private static final Path BASE = Path.of("src/test/resources/cards/base/README.md");
    private static final Path TUNED = Path.of("src/test/resources/cards/fine-tuned/README.md");
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    /** What a card does not carry. */
    private static final PacketFields FLAGS = new PacketFields(null, "medical-qa", List.of("medical", "en"),
            DataScale.FROM_1K_TO_10K, null, null, null, null, null, "LoRA", Map.of("lora_r", 16L), null, 1273, 0.8, null);

    @TempDir
    Path dir;

    @Test
    void onePacketPerResultWithABaselineInTheBaseCard() {
        ModelCardAdapter.Result result = ModelCardAdapter.read(TUNED, BASE, FLAGS, NOW);
        NodeIdentity node = NodeIdentity.generate();
        List<SignedPacket> packets = result.drafts().stream().map(d -> d.seal(node)).toList();
        assertEquals(2, packets.size());

        var medqa = packets.get(0).packet();
        assertEquals("meta-llama-3-8b", medqa.getContext().getBaseModelFamily(), "family from base_model");
        assertEquals("medical-qa", medqa.getContext().getTask(), "--task wins over the card's task.type");
        assertEquals("bigbio/med_qa:med_qa_en_4options_source", medqa.getOutcome().getBenchmark());
        assertEquals("accuracy", medqa.getOutcome().getMetric());
        assertEquals(54.2, medqa.getOutcome().getBaselineScore(), "baseline from the base card's same dataset and metric");
        assertEquals(61.3, medqa.getOutcome().getOutcomeScore(), "the leading number of \"61.3 ± 1.4\"");
        assertTrue(medqa.getOutcome().getHigherIsBetter());
        assertEquals(Fingerprint.of("meta-llama-3-8b", "medical-qa", List.of("medical", "en")), packets.get(0).fingerprint());

        var wikitext = packets.get(1).packet();
        assertEquals("perplexity", wikitext.getOutcome().getMetric());
        assertEquals(6.14, wikitext.getOutcome().getBaselineScore());
        assertFalse(wikitext.getOutcome().getHigherIsBetter(), "perplexity is lower-is-better");

        assertEquals(List.of("qiaojin/PubMedQA:pqa_labeled (train) accuracy"), result.skipped(),
                "a result the base card lacks is reported, not dropped silently");
    }

    @Test
    void taskComesFromTheCardWithoutTheFlag() {
        PacketFields noTask = FLAGS.overriddenBy(PacketFields.NONE);
        noTask = new PacketFields(null, null, noTask.tags(), noTask.dataScale(), null, null, null, null, null,
                noTask.methodType(), null, null, noTask.nEvalSamples(), noTask.confidence(), null);
        var drafts = ModelCardAdapter.read(TUNED, BASE, noTask, NOW).drafts();
        assertEquals("text-generation", drafts.get(0).packet().getContext().getTask());
    }

    @Test
    void fieldsCardsDoNotCarryMustComeFromFlags() {
        AdapterException e = assertThrows(AdapterException.class,
                () -> ModelCardAdapter.read(TUNED, BASE, PacketFields.NONE, NOW));
        assertTrue(e.getMessage().contains("data_scale: missing"), e.getMessage());
        assertTrue(e.getMessage().contains("--data-scale"), e.getMessage());
    }

    @Test
    void aCardWithoutModelIndexIsAnError() throws IOException {
        Path card = write("no-index.md", "---\nbase_model: meta-llama/Meta-Llama-3-8B\nlicense: mit\n---\n# hi\n");
        AdapterException e = assertThrows(AdapterException.class, () -> ModelCardAdapter.read(card, BASE, FLAGS, NOW));
        assertTrue(e.getMessage().contains("model-index: missing"), e.getMessage());
    }

    @Test
    void aCardWithoutFrontMatterIsAnError() throws IOException {
        Path card = write("plain.md", "# A model\n\nNo metadata.\n");
        AdapterException e = assertThrows(AdapterException.class, () -> ModelCardAdapter.read(card, BASE, FLAGS, NOW));
        assertTrue(e.getMessage().contains("no YAML front matter"), e.getMessage());
    }

    @Test
    void aBaseCardWithNoMatchingDatasetAndMetricIsAnError() throws IOException {
        Path base = write("base.md", """
                ---
                model-index:
                - name: other
                  results:
                  - task: {type: text-generation}
                    dataset: {type: cais/mmlu, name: MMLU, config: all}
                    metrics:
                    - {type: accuracy, value: 66.6}
                ---
                """);
        AdapterException e = assertThrows(AdapterException.class, () -> ModelCardAdapter.read(TUNED, base, FLAGS, NOW));
        assertTrue(e.getMessage().contains("no result for the same dataset and metric type"), e.getMessage());
    }

    @Test
    void aValueThatIsNotANumberNamesItsPlace() throws IOException {
        Path tuned = write("tuned.md", Files.readString(TUNED).replace("\"61.3 ± 1.4\"", "\"n/a\""));
        AdapterException e = assertThrows(AdapterException.class, () -> ModelCardAdapter.read(tuned, BASE, FLAGS, NOW));
        assertTrue(e.getMessage().contains("model-index[0].results[0].metrics[0].value"), e.getMessage());
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }
}
