package dev.qis.bridge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.qis.adapters.AdapterException;
import dev.qis.adapters.JsonLinesAdapter;
import dev.qis.adapters.LmEvalAdapter;
import dev.qis.adapters.PacketFields;
import dev.qis.errors.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run cannot carry, by rule: a YAML (or JSON) file with {@code defaults} and a list of {@code rules}, each a
 * {@code match} and the {@code fields} it supplies. Every rule that matches an event applies, in file order, a later
 * rule's field replacing an earlier one's; {@code defaults} apply first.
 *
 * <pre>
 * defaults:
 *   data_scale: FROM_1K_TO_10K
 * rules:
 *   - match: {experiment_id: "17"}                # an MLflow experiment
 *     fields: {task: clinical-note-summarization, metric: rougeL, baseline_metric: baseline_rougeL}
 *   - match: {tags: {team: medical}}              # MLflow run tags, all equal
 *     fields: {tags: [healthcare, en-US], method_type: QLoRA, confidence: 0.8}
 *   - match: {format: lm-eval}                    # mlflow, lm-eval or packet
 *     fields: {task: medical-qa, baseline_results: lm-eval/base/results.json}
 * </pre>
 *
 * Field names are the packet's Avro field names, plus {@code outcome_metric}, {@code baseline_metric} (MLflow metric
 * names) and {@code baseline_results} (an lm-eval results file of the base model, relative to the mapping file).
 * {@code hyperparams} is a list of MLflow param names or a map of values.
 */
public final class BridgeMapping {
    /** Fields only a mapping gives: how to find an MLflow run's outcome and baseline, and the lm-eval base results. */
    public static final String OUTCOME_METRIC = "outcome_metric";
    public static final String BASELINE_METRIC = "baseline_metric";
    public static final String BASELINE_RESULTS = "baseline_results";
    public static final List<String> FIELDS;
    private static final Set<String> MATCH_KEYS = Set.of("format", "experiment_id", "tags");
    private static final YAMLMapper YAML = new YAMLMapper();

    static {
        List<String> fields = new ArrayList<>(JsonLinesAdapter.FIELDS);
        fields.remove("outcome_score");
        fields.addAll(List.of(OUTCOME_METRIC, BASELINE_METRIC, BASELINE_RESULTS));
        FIELDS = List.copyOf(fields);
    }

    /** No defaults, no rules: events must carry every field themselves. */
    public static final BridgeMapping NONE = new BridgeMapping(JsonNodeFactory.instance.objectNode(), List.of(), Map.of());

    private final ObjectNode defaults;
    private final List<Rule> rules;
    private final Map<String, JsonNode> baselineResults;

    private BridgeMapping(ObjectNode defaults, List<Rule> rules, Map<String, JsonNode> baselineResults) {
        this.defaults = defaults;
        this.rules = rules;
        this.baselineResults = baselineResults;
    }

    /** One rule: which events it matches and the fields it gives them. */
    record Rule(EventFormat format, String experimentId, Map<String, String> tags, ObjectNode fields) {
        boolean matches(EventFormat eventFormat, String eventExperimentId, Map<String, String> eventTags) {
            if (format != null && format != eventFormat) {
                return false;
            }
            if (experimentId != null && !experimentId.equals(eventExperimentId)) {
                return false;
            }
            for (var t : tags.entrySet()) {
                if (!t.getValue().equals(eventTags.get(t.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }

    /** The fields for one event: defaults, then every matching rule's in order. */
    public Fields fieldsFor(EventFormat format, String experimentId, Map<String, String> runTags) {
        ObjectNode merged = defaults.deepCopy();
        for (Rule rule : rules) {
            if (rule.matches(format, experimentId, runTags)) {
                merged.setAll(rule.fields().deepCopy());
            }
        }
        return new Fields(merged, baselineResults.get(merged.path(BASELINE_RESULTS).asText("")));
    }

    /**
     * The fields a mapping gives one event.
     *
     * @param values        field name to value, as written in the mapping
     * @param baselineResults the parsed base-model results named by {@code baseline_results}, or null
     */
    public record Fields(ObjectNode values, JsonNode baselineResults) {
        /** The fields as packet fields (MLflow-only names and a list of hyperparameter names left out). */
        public PacketFields packetFields(String where) {
            ObjectNode packet = JsonNodeFactory.instance.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = values.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                boolean hyperparamNames = e.getKey().equals("hyperparams") && e.getValue().isArray();
                if (JsonLinesAdapter.FIELDS.contains(e.getKey()) && !hyperparamNames) {
                    packet.set(e.getKey(), e.getValue());
                }
            }
            return JsonLinesAdapter.parseLine(packet.toString(), where);
        }

        /** A field as an MLflow tag value: lists comma-separated, scalars as text; null for a map. */
        public static String tagValue(JsonNode value) {
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(v -> items.add(v.asText()));
                return String.join(",", items);
            }
            return value.isValueNode() ? value.asText() : null;
        }
    }

    /** Reads and checks a mapping file: unknown keys and ill-typed values fail here, naming the rule, not per event. */
    public static BridgeMapping read(Path file) {
        JsonNode root;
        try {
            root = YAML.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new AdapterException(Reason.MALFORMED_INPUT, file + ": malformed YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new AdapterException(Reason.FILE_UNREADABLE, file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT, file + ": expected a mapping with defaults and rules");
        }
        for (Iterator<String> keys = root.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!key.equals("defaults") && !key.equals("rules")) {
                throw new AdapterException(Reason.UNKNOWN_FIELD,
                        file + ": " + key + ": unknown key (expected defaults and rules)");
            }
        }
        Map<String, JsonNode> baselines = new LinkedHashMap<>();
        ObjectNode defaults = fields(root.get("defaults"), file + ": defaults", file, baselines);
        List<Rule> rules = new ArrayList<>();
        JsonNode list = root.get("rules");
        if (list != null && !list.isNull() && !list.isArray()) {
            throw new AdapterException(Reason.MALFORMED_INPUT, file + ": rules: expected a list");
        }
        if (list != null && list.isArray()) {
            for (int i = 0; i < list.size(); i++) {
                rules.add(rule(list.get(i), file + ": rules[" + i + "]", file, baselines));
            }
        }
        return new BridgeMapping(defaults, List.copyOf(rules), Map.copyOf(baselines));
    }

    private static Rule rule(JsonNode node, String where, Path file, Map<String, JsonNode> baselines) {
        if (!node.isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT, where + ": expected {match, fields}");
        }
        Set<String> keys = new LinkedHashSet<>();
        node.fieldNames().forEachRemaining(keys::add);
        keys.removeAll(Set.of("match", "fields"));
        if (!keys.isEmpty()) {
            throw new AdapterException(Reason.UNKNOWN_FIELD,
                    where + ": " + keys.iterator().next() + ": unknown key (expected match and fields)");
        }
        JsonNode match = node.path("match");
        if (!match.isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    where + ".match: expected an object with some of " + MATCH_KEYS);
        }
        for (Iterator<String> it = match.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!MATCH_KEYS.contains(key)) {
                throw new AdapterException(Reason.UNKNOWN_FIELD,
                        where + ".match." + key + ": unknown (expected some of " + MATCH_KEYS + ")");
            }
        }
        EventFormat format = null;
        if (match.has("format")) {
            format = EventFormat.ofLabel(match.get("format").asText()).orElseThrow(() -> new AdapterException(Reason.INVALID_VALUE,
                    
                    where + ".match.format: expected mlflow, lm-eval or packet, got " + match.get("format")));
        }
        String experimentId = match.has("experiment_id") ? match.get("experiment_id").asText() : null;
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode tagNode = match.path("tags");
        if (!tagNode.isMissingNode()) {
            if (!tagNode.isObject()) {
                throw new AdapterException(Reason.MALFORMED_INPUT,
                        where + ".match.tags: expected an object of tag names and values");
            }
            tagNode.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        }
        return new Rule(format, experimentId, Map.copyOf(tags), fields(node.get("fields"), where + ".fields", file, baselines));
    }

    private static ObjectNode fields(JsonNode node, String where, Path file, Map<String, JsonNode> baselines) {
        if (node == null || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT, where + ": expected an object of packet fields");
        }
        ObjectNode fields = (ObjectNode) node;
        for (Iterator<String> it = fields.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new AdapterException(Reason.UNKNOWN_FIELD,
                        where + "." + name + ": unknown field (expected some of " + FIELDS + ")");
            }
        }
        new Fields(fields, null).packetFields(where); // types checked once, here
        JsonNode results = fields.get(BASELINE_RESULTS);
        if (results != null) {
            String name = results.asText();
            Path path = file.toAbsolutePath().getParent().resolve(name);
            if (!baselines.containsKey(name)) {
                try {
                    baselines.put(name, LmEvalAdapter.parse(Files.readString(path, StandardCharsets.UTF_8), path.toString()));
                } catch (IOException e) {
                    throw new AdapterException(Reason.FILE_UNREADABLE,
                            where + "." + BASELINE_RESULTS + ": cannot read " + path + ": " + e.getMessage(), e);
                }
            }
        }
        return fields;
    }
}
