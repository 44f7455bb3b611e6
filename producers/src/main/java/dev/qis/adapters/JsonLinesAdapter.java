package dev.qis.adapters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.errors.Reason;
import dev.qis.protocol.avro.DataScale;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * JSON lines: one packet per line, a flat object whose field names are the Avro field names
 * ({@link #FIELDS}). Blank lines are skipped; any other bad line fails the whole input, naming the line.
 */
public final class JsonLinesAdapter {
    public static final List<String> FIELDS = List.of("base_model_family", "task", "tags", "data_scale", "benchmark",
            "metric", "baseline_score", "outcome_score", "higher_is_better", "method_type", "hyperparams",
            "held_out_eval", "n_eval_samples", "confidence", "informed_by");
    private static final Set<String> KNOWN = Set.copyOf(FIELDS);
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonLinesAdapter() {
    }

    /**
     * Reads every line; {@code overrides} (from flags) replace what the lines carry.
     *
     * @param sourceName the file name, for messages ("-" for standard input)
     */
    public static List<Draft> read(BufferedReader in, String sourceName, PacketFields overrides, Instant issuedAt) {
        List<Draft> drafts = new ArrayList<>();
        int lineNo = 0;
        try {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String source = sourceName + " line " + lineNo;
                drafts.add(parseLine(line, source).overriddenBy(overrides).toDraft(source, issuedAt));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + sourceName + " failed after line " + lineNo, e);
        }
        if (drafts.isEmpty()) {
            throw new AdapterException(Reason.EMPTY_INPUT, sourceName + ": no packets (every line is blank)");
        }
        return drafts;
    }

    /** One line's fields; a malformed line, an unknown field or a value of the wrong type names itself. */
    public static PacketFields parseLine(String line, String source) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage().startsWith("Non-standard token")
                    ? "NaN and Infinity are not numbers in JSON (and scores must be finite)"
                    : e.getOriginalMessage().replaceAll("\\s*\\(start marker at \\[Source.*", "");
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    source + ": malformed JSON at column " + e.getLocation().getColumnNr() + ": "
                    + reason);
        }
        if (!(node instanceof ObjectNode obj)) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    source + ": expected a JSON object, got " + node.getNodeType().name().toLowerCase());
        }
        for (Iterator<String> names = obj.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN.contains(name)) {
                throw new AdapterException(Reason.UNKNOWN_FIELD,
                        source + ": " + name + ": unknown field (expected some of " + FIELDS + ")");
            }
        }
        Fields f = new Fields(obj, source);
        return new PacketFields(f.text("base_model_family"), f.text("task"), f.texts("tags"), f.dataScale("data_scale"),
                f.text("benchmark"), f.text("metric"), f.number("baseline_score"), f.number("outcome_score"),
                f.bool("higher_is_better"), f.text("method_type"), f.hyperparams("hyperparams"),
                f.bool("held_out_eval"), f.integer("n_eval_samples"), f.number("confidence"), f.texts("informed_by"));
    }

    /** Typed access to one object's fields; {@code null} (or absent) reads as "not given". */
    private record Fields(ObjectNode obj, String source) {
        private JsonNode get(String name) {
            JsonNode v = obj.get(name);
            return v == null || v.isNull() ? null : v;
        }

        private AdapterException wrong(String name, String expected, JsonNode v) {
            return new AdapterException(Reason.INVALID_VALUE,
                    source + ": " + name + ": expected " + expected + ", got " + v);
        }

        String text(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isTextual()) {
                throw wrong(name, "a string", v);
            }
            return v.asText();
        }

        Double number(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isNumber()) {
                throw wrong(name, "a number", v);
            }
            return v.doubleValue();
        }

        Integer integer(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw wrong(name, "a whole number", v);
            }
            return v.intValue();
        }

        Boolean bool(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isBoolean()) {
                throw wrong(name, "true or false", v);
            }
            return v.booleanValue();
        }

        List<String> texts(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isArray()) {
                throw wrong(name, "an array of strings", v);
            }
            List<String> out = new ArrayList<>();
            for (JsonNode item : v) {
                if (!item.isTextual()) {
                    throw wrong(name, "an array of strings", v);
                }
                out.add(item.asText());
            }
            return out;
        }

        DataScale dataScale(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            try {
                if (v.isIntegralNumber()) {
                    return DataScales.ofCount(v.longValue());
                }
                if (v.isTextual()) {
                    return DataScales.parse(v.asText());
                }
            } catch (IllegalArgumentException e) {
                throw new AdapterException(Reason.INVALID_VALUE, source + ": " + name + ": " + e.getMessage());
            }
            throw wrong(name, "a bucket name or a count of examples", v);
        }

        Map<String, Object> hyperparams(String name) {
            JsonNode v = get(name);
            if (v == null) {
                return null;
            }
            if (!v.isObject()) {
                throw wrong(name, "an object of numbers, strings and booleans", v);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (var it = v.fields(); it.hasNext(); ) {
                var e = it.next();
                JsonNode h = e.getValue();
                Object value;
                if (h.isIntegralNumber() && h.canConvertToLong()) {
                    value = h.longValue();
                } else if (h.isNumber()) {
                    value = h.doubleValue();
                } else if (h.isTextual()) {
                    value = h.asText();
                } else if (h.isBoolean()) {
                    value = h.booleanValue();
                } else {
                    throw wrong(name + "." + e.getKey(), "a number, string or boolean", h);
                }
                out.put(e.getKey(), value);
            }
            return out;
        }
    }
}
