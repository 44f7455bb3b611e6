package dev.qis.adapters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.protocol.NodeIdentity;
import java.io.BufferedReader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of {@code qis publish --input} lines: every line either becomes a signed packet or the
 * input fails with an {@link AdapterException} naming the first bad line (and the field, when one is at fault);
 * never any other exception.
 */
class JsonLinesFuzzTest {
    private static final Instant NOW = Instant.parse("2026-11-20T10:00:00Z");
    private static final NodeIdentity NODE = NodeIdentity.generate();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String GOOD = "{\"base_model_family\":\"llama-3-8b\",\"task\":\"qa\",\"tags\":[\"en\"],"
            + "\"data_scale\":\"LT_100\",\"benchmark\":\"b\",\"metric\":\"m\",\"baseline_score\":0.5,"
            + "\"outcome_score\":0.6,\"method_type\":\"LoRA\",\"hyperparams\":{\"r\":8},\"n_eval_samples\":10,"
            + "\"confidence\":0.5,\"informed_by\":[]}";
    private static final Pattern LINE = Pattern.compile("^in\\.jsonl line (\\d+): (.+)$", Pattern.DOTALL);

    @Property
    void everyLineIsAPacketOrAnErrorNamingItsLine(@ForAll("inputs") List<String> lines) {
        // a line never holds a line break of its own (the reader splits at \r and \n)
        String text = String.join("\n", lines) + "\n";
        Optional<Integer> firstBad = firstBadLine(lines);
        try {
            List<Draft> drafts = JsonLinesAdapter.read(new BufferedReader(new StringReader(text)), "in.jsonl",
                    PacketFields.NONE, NOW);
            for (Draft d : drafts) {
                d.seal(NODE);
            }
            assertTrue(firstBad.isEmpty(), "line " + firstBad.orElse(0) + " failed alone but passed in the input");
            assertEquals(lines.stream().filter(l -> !l.isBlank()).count(), drafts.size(), "one packet per line");
        } catch (AdapterException e) {
            if (lines.stream().allMatch(String::isBlank)) {
                assertEquals("in.jsonl: no packets (every line is blank)", e.getMessage());
                return;
            }
            Matcher m = LINE.matcher(e.getMessage());
            assertTrue(m.matches(), () -> "the error names its line: " + e.getMessage());
            assertEquals(firstBad.orElse(-1), Integer.parseInt(m.group(1)), () -> "the first bad line: " + e.getMessage());
            assertTrue(e.getMessage().length() < 2_000 + lines.get(firstBad.get() - 1).length(), "a bounded message");
        }
    }

    /**
     * 1-based number of the first non-blank line that fails on its own: reading comes first (the first line that does
     * not parse into a draft), then signing (the first draft whose fields do not validate).
     */
    private static Optional<Integer> firstBadLine(List<String> lines) {
        List<Integer> parsed = new ArrayList<>();
        List<Draft> drafts = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    drafts.add(JsonLinesAdapter.parseLine(lines.get(i), "l").toDraft("l", NOW));
                    parsed.add(i + 1);
                } catch (AdapterException e) {
                    return Optional.of(i + 1);
                } catch (RuntimeException e) {
                    fail("line " + (i + 1) + " threw " + e + " instead of naming what is wrong", e);
                }
            }
        }
        for (int d = 0; d < drafts.size(); d++) {
            try {
                drafts.get(d).seal(NODE);
            } catch (AdapterException e) {
                return Optional.of(parsed.get(d));
            } catch (RuntimeException e) {
                fail("line " + parsed.get(d) + " threw " + e + " while signing instead of naming what is wrong", e);
            }
        }
        return Optional.empty();
    }

    @Provide
    Arbitrary<List<String>> inputs() {
        Arbitrary<String> line = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(GOOD)),
                net.jqwik.api.Tuple.of(8, mutatedLines()),
                net.jqwik.api.Tuple.of(2, Arbitraries.strings().ofMaxLength(120).map(s -> s.replaceAll("[\r\n]", " "))),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, GOOD.length()).map(n -> GOOD.substring(0, n))),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", "   ", "\t", "null", "[]", "{}", "1", "\"x\"")));
        return line.list().ofMinSize(1).ofMaxSize(6);
    }

    private static Arbitrary<String> mutatedLines() {
        List<String> fields = new ArrayList<>(JsonLinesAdapter.FIELDS);
        fields.add("unknown_field");
        fields.add("");
        return Combinators.combine(Arbitraries.of(fields), values(), Arbitraries.of(true, false))
                .as((field, value, remove) -> {
                    ObjectNode obj = good();
                    if (remove && value == null) {
                        obj.remove(field);
                    } else {
                        obj.set(field, value == null ? NODES.nullNode() : value);
                    }
                    return obj.toString();
                });
    }

    private static Arbitrary<JsonNode> values() {
        Arbitrary<JsonNode> scalars = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(80).map(s -> (JsonNode) NODES.textNode(s)),
                Arbitraries.strings().withChars("abc._-/:").ofMaxLength(40).map(s -> (JsonNode) NODES.textNode(s)),
                Arbitraries.of("LT_100", "FROM_1K_TO_10K", "GT_1M", "lt_100", "HUGE").map(s -> (JsonNode) NODES.textNode(s)),
                Arbitraries.doubles().map(d -> (JsonNode) NODES.numberNode(d)),
                Arbitraries.of(-1.0, 0.0, 1.0, 1e-320, 1e308).map(d -> (JsonNode) NODES.numberNode(d)),
                Arbitraries.longs().map(l -> (JsonNode) NODES.numberNode(l)),
                Arbitraries.of(new BigInteger("99999999999999999999999999"), BigInteger.valueOf(Long.MIN_VALUE))
                        .map(b -> (JsonNode) NODES.numberNode(b)),
                Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e400"), new BigDecimal("1e-400"))
                        .map(b -> (JsonNode) NODES.numberNode(b)),
                Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)));
        Arbitrary<JsonNode> arrays = scalars.list().ofMaxSize(12).map(l -> {
            var a = NODES.arrayNode();
            l.forEach(a::add);
            return (JsonNode) a;
        });
        Arbitrary<JsonNode> objects = Combinators.combine(Arbitraries.strings().ofMaxLength(10), scalars)
                .as((k, v) -> (JsonNode) NODES.objectNode().set(k, v)).list().ofMaxSize(4).map(l -> {
                    ObjectNode o = NODES.objectNode();
                    l.forEach(n -> o.setAll((ObjectNode) n));
                    return (JsonNode) o;
                });
        return Arbitraries.oneOf(scalars, arrays, objects, Arbitraries.just(null));
    }

    private static ObjectNode good() {
        try {
            return (ObjectNode) JSON.readTree(GOOD);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
