package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.DataScale;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class JsonLinesAdapterTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final NodeIdentity NODE = NodeIdentity.generate();
    private static final String GOOD = "{\"base_model_family\":\"llama-3-8b\",\"task\":\"qa\",\"data_scale\":\"LT_100\","
            + "\"benchmark\":\"b\",\"metric\":\"m\",\"baseline_score\":0.5,\"outcome_score\":0.6,\"method_type\":\"LoRA\","
            + "\"n_eval_samples\":10,\"confidence\":0.5";

    private static List<Draft> read(String text) {
        return JsonLinesAdapter.read(new BufferedReader(new StringReader(text)), "in.jsonl", PacketFields.NONE, NOW);
    }

    @Test
    void readsTheRealisticFileOnePacketPerNonBlankLine() throws IOException {
        List<Draft> drafts;
        try (BufferedReader in = Files.newBufferedReader(Path.of("src/test/resources/packets.jsonl"))) {
            drafts = JsonLinesAdapter.read(in, "packets.jsonl", PacketFields.NONE, NOW);
        }
        assertEquals(3, drafts.size());
        assertEquals("packets.jsonl line 4", drafts.get(2).source());
        SignedPacket first = drafts.get(0).seal(NODE);
        assertEquals("8ff8bb6992657811", first.fingerprint().value(), "the design's test vector context");
        assertEquals(16L, first.packet().getMethod().getHyperparams().get("lora_r"));
        assertEquals(0.0002, first.packet().getMethod().getHyperparams().get("learning_rate"));
        SignedPacket second = drafts.get(1).seal(NODE);
        assertEquals(DataScale.FROM_10K_TO_100K, second.packet().getContext().getDataScale(), "a count picks its bucket");
        assertTrue(second.packet().getOutcome().getHigherIsBetter(), "higher_is_better defaults to true");
        assertTrue(second.packet().getValidation().getHeldOutEval(), "held_out_eval defaults to true");
        assertEquals(false, drafts.get(2).seal(NODE).packet().getMethod().getHyperparams().get("packing"));
    }

    @Test
    void flagsOverrideTheLines() {
        PacketFields flags = new PacketFields(null, null, List.of("x"), null, null, null, null, null, null, null, null,
                null, null, 0.9, null);
        Draft d = JsonLinesAdapter.read(new BufferedReader(new StringReader(GOOD + "}")), "in", flags, NOW).get(0);
        assertEquals(0.9, d.packet().getValidation().getConfidence());
        assertEquals(List.of("x"), d.packet().getContext().getTags());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "malformed JSON            | {\"task\": |                             in.jsonl line 2: malformed JSON",
        "not an object             | [1,2] |                                  in.jsonl line 2: expected a JSON object",
        "unknown field             | " + "{\"score\": 1} |                    in.jsonl line 2: score: unknown field",
        "string where number       | {\"baseline_score\": \"high\"} |         in.jsonl line 2: baseline_score: expected a number",
        "bad data scale            | {\"data_scale\": \"HUGE\"} |             in.jsonl line 2: data_scale: expected one of",
        "fractional n_eval         | {\"n_eval_samples\": 1.5} |              in.jsonl line 2: n_eval_samples: expected a whole number",
        "NaN is not JSON           | {\"confidence\": NaN} |                  in.jsonl line 2: malformed JSON at column 19: NaN and Infinity",
    })
    void aBadLineIsNamedWithItsReason(String name, String line, String expected) {
        AdapterException e = assertThrows(AdapterException.class, () -> read(GOOD + "}\n" + line + "\n"));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    @Test
    void aMissingRequiredFieldNamesTheLineAndField() {
        AdapterException e = assertThrows(AdapterException.class,
                () -> read(GOOD + "}\n" + GOOD.replace("\"metric\":\"m\",", "") + "}\n"));
        assertEquals("in.jsonl line 2: metric: missing (not in the input; give --metric)", e.getMessage());
    }

    @Test
    void anOutOfRangeValueFailsWhenSealingNamingLineAndField() {
        List<Draft> drafts = read(GOOD + "}\n" + GOOD.replace("\"confidence\":0.5", "\"confidence\":1.5") + "}\n");
        AdapterException e = assertThrows(AdapterException.class, () -> drafts.get(1).seal(NODE));
        assertTrue(e.getMessage().startsWith("in.jsonl line 2: INVALID_FIELD: confidence"), e.getMessage());
        assertEquals(Reason.INVALID_PACKET, e.reason());
    }

    @Test
    void onlyBlankLinesIsAnError() {
        AdapterException e = assertThrows(AdapterException.class, () -> read("\n  \n"));
        assertFalse(e.getMessage().isBlank());
        assertEquals(Reason.EMPTY_INPUT, e.reason());
        assertEquals(2, e.exitCode(), "the user's input is at fault");
    }
}
