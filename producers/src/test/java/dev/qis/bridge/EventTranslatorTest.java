package dev.qis.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.adapters.AdapterException;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.OutcomePacket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One event at a time, on the example topic and mapping of examples/bridge. */
class EventTranslatorTest {
    private static final Path EXAMPLES = Path.of("../examples/bridge");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T00:00:00Z"), ZoneOffset.UTC);
    private static final NodeIdentity NODE = NodeIdentity.generate();

    @TempDir
    Path dir;

    private static List<String> events() throws Exception {
        return Files.readAllLines(EXAMPLES.resolve("runs.jsonl"));
    }

    private static EventTranslator translator() {
        return new EventTranslator(BridgeMapping.read(EXAMPLES.resolve("mapping.yaml")), NODE, CLOCK);
    }

    private static EventTranslator.Translation translate(EventTranslator t, String event) {
        return t.translate("runs-0@1", event.getBytes(StandardCharsets.UTF_8), 1_763_000_000_000L);
    }

    private static List<SignedPacket> packets(EventTranslator.Translation t) {
        return assertInstanceOf(EventTranslator.Packets.class, t, t.toString()).packets();
    }

    private static EventTranslator.DeadLetter deadLetter(EventTranslator.Translation t) {
        return assertInstanceOf(EventTranslator.DeadLetter.class, t, t.toString());
    }

    @Test
    void aFinishedRunBecomesItsPacketWithTheMappingFillingTheGaps() throws Exception {
        OutcomePacket p = packets(translate(translator(), events().get(0))).get(0).packet();
        assertEquals("meta-llama-3-8b", p.getContext().getBaseModelFamily(), "from the run's base_model param");
        assertEquals("clinical-note-summarization", p.getContext().getTask(), "from the experiment 17 rule");
        assertEquals(List.of("healthcare", "SOAP-notes", "en-US"), p.getContext().getTags());
        assertEquals(0.417, p.getOutcome().getOutcomeScore(), "eval_rougeL at its last step");
        assertEquals(0.351, p.getOutcome().getBaselineScore(), "the mapping's baseline_metric");
        assertEquals("soap-notes-heldout", p.getOutcome().getBenchmark());
        assertEquals(Instant.ofEpochMilli(1763575200000L), p.getIssuedAt(), "the run's end time, not the clock");

        OutcomePacket legal = packets(translate(translator(), events().get(3))).get(0).packet();
        assertEquals("legal-clause-extraction", legal.getContext().getTask(), "from the tag rule");
        assertEquals("mistral-7b-v0.3", legal.getContext().getBaseModelFamily());
    }

    @Test
    void theSameEventYieldsByteIdenticalPacketsWhateverTheClock() throws Exception {
        BridgeMapping mapping = BridgeMapping.read(EXAMPLES.resolve("mapping.yaml"));
        for (String event : List.of(events().get(0), events().get(6))) {
            List<SignedPacket> first = packets(translate(new EventTranslator(mapping, NODE, CLOCK), event));
            List<SignedPacket> again = packets(translate(new EventTranslator(mapping, NODE,
                    Clock.offset(CLOCK, java.time.Duration.ofDays(3))), event));
            assertEquals(first.size(), again.size());
            for (int i = 0; i < first.size(); i++) {
                assertArrayEquals(first.get(i).bytes(), again.get(i).bytes(), "packet " + i + " of " + event.substring(0, 40));
            }
        }
    }

    @Test
    void lmEvalResultsGiveOnePacketPerMeasurementWithABaseline() throws Exception {
        EventTranslator.Packets p = assertInstanceOf(EventTranslator.Packets.class, translate(translator(), events().get(6)));
        assertEquals(4, p.packets().size());
        assertEquals(List.of("medmcqa acc,none", "medmcqa acc_norm,none"), p.skipped());
        OutcomePacket medqa = p.packets().get(0).packet();
        assertEquals("medical-qa", medqa.getContext().getTask());
        assertEquals(Instant.ofEpochMilli(1763575931218L), medqa.getIssuedAt(), "the results' date");
    }

    @Test
    void everyOtherEventHasItsReason() throws Exception {
        EventTranslator t = translator();
        assertEquals(DeadLetterReason.NOT_FINISHED, deadLetter(translate(t, events().get(2))).reason());
        EventTranslator.DeadLetter noBase = deadLetter(translate(t, events().get(4)));
        assertEquals(DeadLetterReason.NO_BASELINE, noBase.reason());
        assertTrue(noBase.detail().contains("baseline_f1"), noBase.detail());
        assertEquals(DeadLetterReason.MALFORMED, deadLetter(translate(t, "{\"run\": ")).reason());
        assertEquals(DeadLetterReason.MALFORMED, deadLetter(translate(t, "[1, 2]")).reason());
        assertEquals(DeadLetterReason.UNKNOWN_FORMAT, deadLetter(translate(t, "{\"event\": \"deploy\"}")).reason());
        assertEquals(DeadLetterReason.MALFORMED, deadLetter(t.translate("runs-0@1", null, 0)).reason());

        String noEnd = events().get(0).replace("\"end_time\":1763575200000", "\"end_time\":0");
        assertEquals(DeadLetterReason.MISSING_FIELD, deadLetter(translate(t, noEnd)).reason());
        String future = events().get(0).replace("\"end_time\":1763575200000", "\"end_time\":1900000000000");
        assertEquals(DeadLetterReason.FUTURE_TIMESTAMP, deadLetter(translate(t, future)).reason());
        String badConfidence = events().get(0).replace("{\"key\":\"team\",\"value\":\"clinical\"}",
                "{\"key\":\"team\",\"value\":\"clinical\"},{\"key\":\"qis.confidence\",\"value\":\"1.5\"}");
        EventTranslator.DeadLetter invalid = deadLetter(translate(t, badConfidence));
        assertEquals(DeadLetterReason.INVALID_FIELD, invalid.reason(), "the run's own tag wins over the mapping");
        String noTask = events().get(0).replace("\"experiment_id\":\"17\"", "\"experiment_id\":\"99\"");
        assertEquals(DeadLetterReason.MISSING_FIELD, deadLetter(translate(t, noTask)).reason());
        assertEquals(DeadLetterReason.NO_BASELINE, deadLetter(translate(new EventTranslator(BridgeMapping.NONE, NODE, CLOCK),
                events().get(6))).reason(), "lm-eval results without base results in the mapping");
    }

    @Test
    void aFlatPacketTakesTheMappingAsDefaultsAndItsOwnTime() {
        String line = "{\"base_model_family\": \"llama-3-8b\", \"task\": \"medical-qa\", \"data_scale\": 900,"
                + " \"benchmark\": \"medqa\", \"metric\": \"acc\", \"baseline_score\": 0.55, \"outcome_score\": 0.6,"
                + " \"method_type\": \"DPO\", \"n_eval_samples\": 100, \"confidence\": 0.6,"
                + " \"issued_at\": \"2026-11-01T12:00:00Z\"}";
        OutcomePacket p = packets(translate(translator(), line)).get(0).packet();
        assertEquals("DPO", p.getMethod().getMethodType(), "the event's own field wins");
        assertEquals(Instant.parse("2026-11-01T12:00:00Z"), p.getIssuedAt());
        OutcomePacket noTime = packets(translate(translator(), line.replace(", \"issued_at\": \"2026-11-01T12:00:00Z\"", "")))
                .get(0).packet();
        assertEquals(Instant.ofEpochMilli(1_763_000_000_000L), noTime.getIssuedAt(), "the record's timestamp");
    }

    @Test
    void aBadMappingFailsAtStartNamingTheRule() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "rules:\n  - match: {experiment_id: \"1\"}\n    fields: {confidance: 0.8}\n");
        AdapterException e = assertThrows(AdapterException.class, () -> BridgeMapping.read(bad));
        assertTrue(e.getMessage().contains("rules[0].fields.confidance: unknown field"), e.getMessage());
        Files.writeString(bad, "rules:\n  - match: {format: csv}\n");
        assertTrue(assertThrows(AdapterException.class, () -> BridgeMapping.read(bad)).getMessage()
                .contains("expected mlflow, lm-eval or packet"));
        Files.writeString(bad, "defaults: {tags: healthcare}\n");
        assertTrue(assertThrows(AdapterException.class, () -> BridgeMapping.read(bad)).getMessage()
                .contains("tags: expected an array of strings"));
    }
}
