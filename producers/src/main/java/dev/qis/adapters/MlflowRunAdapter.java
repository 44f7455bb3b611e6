package dev.qis.adapters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.errors.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An MLflow run, as the tracking server's REST API returns it ({@code {"run": {"info", "data", "inputs"}}}):
 * one packet per run. Values are looked up as run tags, then params, named {@code qis.<avro field>}; a metric
 * logged at several steps counts at its last step. See {@link #read} for the whole mapping.
 */
public final class MlflowRunAdapter {
    /** Prefix of the tags and params that name packet fields explicitly. */
    public static final String PREFIX = "qis.";
    /** Params taken as hyperparameters when the run names none with {@code qis.hyperparams}. */
    public static final List<String> DEFAULT_HYPERPARAMS = List.of("learning_rate", "lora_r", "lora_alpha",
            "lora_dropout", "num_train_epochs", "per_device_train_batch_size", "gradient_accumulation_steps",
            "warmup_ratio", "weight_decay", "lr_scheduler_type", "max_seq_length", "beta");
    /**
     * Params naming the base model, in order: a pipeline's own {@code base_model}, the Hugging Face example
     * scripts' {@code model_name_or_path}, the model config's {@code _name_or_path} (which the Trainer's MLflow
     * callback logs) and a PEFT adapter config's {@code base_model_name_or_path}.
     */
    static final List<String> FAMILY_PARAMS = List.of("base_model", "model_name_or_path", "base_model_name_or_path",
            "_name_or_path");
    /** Prefixes under which trackers log an evaluation metric: the Trainer's {@code eval_f1}, {@code test_f1}. */
    private static final List<String> EVAL_PREFIXES = List.of("eval_", "test_", "validation_", "val_");
    private static final Set<String> EVAL_CONTEXTS = Set.of("eval", "evaluation", "validation", "test");
    private static final ObjectMapper JSON = new ObjectMapper();

    private MlflowRunAdapter() {
    }

    /**
     * The run's packet. Mapping (tag or param {@code qis.X} first, then the fallback, then the flag):
     * <ul>
     * <li>base_model_family: {@code qis.base_model_family}, else the last segment of param {@code base_model}
     *     or {@code model_name_or_path}, lower case;</li>
     * <li>task, method_type, benchmark, metric, confidence, n_eval_samples, higher_is_better, held_out_eval:
     *     {@code qis.<field>}; benchmark falls back to the name of the dataset input whose
     *     {@code mlflow.data.context} is eval/evaluation/validation/test; n_eval_samples to the last
     *     {@code eval_samples} metric; higher_is_better to the metric's kind;</li>
     * <li>tags, informed_by: {@code qis.tags}, {@code qis.informed_by}, comma-separated;</li>
     * <li>data_scale: {@code qis.data_scale} (bucket or count), else the {@code train_samples} param or metric;</li>
     * <li>outcome_score: metric {@code qis.outcome_metric}, else the first of {@code eval_<metric>},
     *     {@code test_<metric>}, {@code validation_<metric>}, {@code val_<metric>} and {@code <metric>} the run has,
     *     where the metric comes from {@code --metric} or {@code qis.metric};
     *     baseline_score: {@code qis.baseline_score}, else metric {@code qis.baseline_metric} (default
     *     {@code baseline_<metric>});</li>
     * <li>hyperparams: the params listed in {@code qis.hyperparams}, else those of {@link #DEFAULT_HYPERPARAMS}
     *     the run has; values that read as whole numbers, decimals or booleans become those.</li>
     * </ul>
     */
    public static Draft read(Path runJson, PacketFields overrides, Instant issuedAt) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(runJson, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new AdapterException(Reason.MALFORMED_INPUT, runJson + ": malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new AdapterException(Reason.FILE_UNREADABLE, runJson + ": cannot read: " + e.getMessage(), e);
        }
        return read(root, runJson.toString(), runJson.getFileName().toString(), overrides, issuedAt);
    }

    /**
     * The packet of a run already parsed (a record of a topic, say), mapped as {@link #read(Path, PacketFields, Instant)}.
     *
     * @param where the run's origin for a missing {@code run} object ("topic partition 0 offset 12")
     * @param name  how messages name the run before its id
     */
    public static Draft read(JsonNode root, String where, String name, PacketFields overrides, Instant issuedAt) {
        JsonNode run = root == null ? null : root.get("run");
        if (run == null || !run.isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    where + ": run: missing (expected the REST API's {\"run\": {...}} object)");
        }
        String runId = run.path("info").path("run_id").asText("");
        String source = name + (runId.isEmpty() ? "" : " run " + runId);
        Run r = new Run(source, keyValues(run.path("data").path("params"), source, "params"),
                keyValues(run.path("data").path("tags"), source, "tags"), lastMetrics(run.path("data").path("metrics"), source),
                run.path("inputs").path("dataset_inputs"));
        return r.fields(overrides).overriddenBy(overrides).toDraft(source, issuedAt);
    }

    private static Map<String, String> keyValues(JsonNode list, String source, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    source + ": data." + what + ": expected a list of {key, value}");
        }
        for (JsonNode kv : list) {
            if (!kv.path("key").isTextual() || kv.get("value") == null) {
                throw new AdapterException(Reason.MALFORMED_INPUT,
                        source + ": data." + what + ": an entry without key or value: " + kv);
            }
            out.put(kv.get("key").asText(), kv.get("value").asText());
        }
        return out;
    }

    /** Each metric at its last step (the later timestamp breaking a tie). */
    private static Map<String, Double> lastMetrics(JsonNode list, String source) {
        Map<String, Double> values = new HashMap<>();
        Map<String, long[]> at = new HashMap<>();
        if (list.isMissingNode() || list.isNull()) {
            return values;
        }
        if (!list.isArray()) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    source + ": data.metrics: expected a list of {key, value, timestamp, step}");
        }
        for (JsonNode m : list) {
            JsonNode value = m.get("value");
            if (!m.path("key").isTextual() || value == null || !(value.isNumber() || value.isTextual())) {
                throw new AdapterException(Reason.MALFORMED_INPUT,
                        source + ": data.metrics: an entry without key or numeric value: " + m);
            }
            double v = value.isNumber() ? value.doubleValue() : parseDouble(value.asText(), source, m.get("key").asText());
            long[] when = {m.path("step").asLong(0), m.path("timestamp").asLong(0)};
            long[] seen = at.get(m.get("key").asText());
            if (seen == null || when[0] > seen[0] || (when[0] == seen[0] && when[1] >= seen[1])) {
                at.put(m.get("key").asText(), when);
                values.put(m.get("key").asText(), v);
            }
        }
        return values;
    }

    private static double parseDouble(String text, String source, String key) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new AdapterException(Reason.INVALID_VALUE,
                    source + ": metric " + key + ": not a number: '" + text + "'");
        }
    }

    /** One run's values and the lookups of the mapping. */
    private record Run(String source, Map<String, String> params, Map<String, String> tags, Map<String, Double> metrics,
                       JsonNode datasetInputs) {

        String explicit(String field) {
            String v = tags.get(PREFIX + field);
            return v != null ? v : params.get(PREFIX + field);
        }

        /**
         * The run's fields. A field the caller gives ({@code given}, the command line's flags) is not looked up,
         * and it takes part in the lookups of the others: {@code --metric f1} finds the run's {@code eval_f1}.
         */
        PacketFields fields(PacketFields given) {
            String metric = given.metric() != null ? given.metric() : explicit("metric");
            return new PacketFields(given.baseModelFamily() != null ? null : family(), explicit("task"), list("tags"),
                    given.dataScale() != null ? null : dataScale(), given.benchmark() != null ? null : benchmark(),
                    metric, given.baselineScore() != null ? null : baseline(metric),
                    given.outcomeScore() != null ? null : outcome(metric), higherIsBetter(metric),
                    explicit("method_type"), hyperparams(), bool("held_out_eval"),
                    given.nEvalSamples() != null ? null : nEval(), number("confidence"), list("informed_by"));
        }

        private String family() {
            String f = explicit("base_model_family");
            if (f != null) {
                return f;
            }
            for (String key : FAMILY_PARAMS) {
                String id = params.getOrDefault(key, tags.get(key));
                if (id != null && !id.isBlank()) {
                    return Scores.familyOf(id);
                }
            }
            return null;
        }

        private List<String> list(String field) {
            String v = explicit(field);
            if (v == null) {
                return null;
            }
            return Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        private dev.qis.protocol.avro.DataScale dataScale() {
            String v = explicit("data_scale");
            String from = PREFIX + "data_scale";
            if (v == null && params.containsKey("train_samples")) {
                v = params.get("train_samples");
                from = "param train_samples";
            }
            if (v == null && metrics.containsKey("train_samples")) {
                return DataScales.ofCount(Math.round(metrics.get("train_samples")));
            }
            if (v == null) {
                return null;
            }
            try {
                return DataScales.parse(v);
            } catch (IllegalArgumentException e) {
                throw new AdapterException(Reason.INVALID_VALUE,
                        source + ": data_scale (" + from + "): " + e.getMessage());
            }
        }

        private String benchmark() {
            String b = explicit("benchmark");
            if (b != null || !datasetInputs.isArray()) {
                return b;
            }
            for (JsonNode input : datasetInputs) {
                for (JsonNode tag : input.path("tags")) {
                    if ("mlflow.data.context".equals(tag.path("key").asText())
                            && EVAL_CONTEXTS.contains(tag.path("value").asText().toLowerCase(Locale.ROOT))) {
                        String name = input.path("dataset").path("name").asText("");
                        if (!name.isBlank()) {
                            return name;
                        }
                    }
                }
            }
            return null;
        }

        private Double outcome(String metric) {
            String key = explicit("outcome_metric");
            if (key != null) {
                return requiredMetric(key, "outcome_score");
            }
            if (metric == null) {
                return null;
            }
            // an evaluation's name first: a Trainer run logs the training loss as "loss" and the held-out one as "eval_loss"
            for (String prefix : EVAL_PREFIXES) {
                if (!metric.startsWith(prefix) && metrics.containsKey(prefix + metric)) {
                    return metrics.get(prefix + metric);
                }
            }
            return metrics.get(metric);
        }

        private Double baseline(String metric) {
            Double explicitScore = number("baseline_score");
            if (explicitScore != null) {
                return explicitScore;
            }
            String key = explicit("baseline_metric");
            if (key != null) {
                return requiredMetric(key, "baseline_score");
            }
            return metric == null ? null : metrics.get("baseline_" + metric);
        }

        private Double requiredMetric(String key, String field) {
            Double v = metrics.get(key);
            if (v == null) {
                throw new MissingFieldException(field, source + ": " + field + ": the run has no metric '" + key + "'");
            }
            return v;
        }

        private Boolean higherIsBetter(String metric) {
            Boolean b = bool("higher_is_better");
            if (b != null || metric == null) {
                return b;
            }
            return Scores.higherIsBetter(metric);
        }

        private Integer nEval() {
            String v = explicit("n_eval_samples");
            if (v != null) {
                try {
                    return Integer.parseInt(v.strip());
                } catch (NumberFormatException e) {
                    throw new AdapterException(Reason.INVALID_VALUE,
                            source + ": n_eval_samples: expected a whole number, got '" + v + "'");
                }
            }
            Double m = metrics.get("eval_samples");
            return m == null ? null : (int) Math.round(m);
        }

        private Double number(String field) {
            String v = explicit(field);
            if (v == null) {
                return null;
            }
            try {
                return Double.parseDouble(v.strip());
            } catch (NumberFormatException e) {
                throw new AdapterException(Reason.INVALID_VALUE,
                        source + ": " + field + ": expected a number, got '" + v + "'");
            }
        }

        private Boolean bool(String field) {
            String v = explicit(field);
            if (v == null) {
                return null;
            }
            return switch (v.strip().toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new AdapterException(Reason.INVALID_VALUE,
                        source + ": " + field + ": expected true or false, got '" + v + "'");
            };
        }

        private Map<String, Object> hyperparams() {
            List<String> names = list("hyperparams");
            Map<String, Object> out = new LinkedHashMap<>();
            if (names != null) {
                for (String n : names) {
                    if (!params.containsKey(n)) {
                        throw new AdapterException(Reason.MISSING_FIELD,
                                source + ": hyperparams: the run has no param '" + n + "'");
                    }
                    out.put(n, ParamText.typed(params.get(n)));
                }
                return out;
            }
            for (String n : DEFAULT_HYPERPARAMS) {
                if (params.containsKey(n)) {
                    out.put(n, ParamText.typed(params.get(n)));
                }
            }
            return out.isEmpty() ? null : out;
        }

    }
}
