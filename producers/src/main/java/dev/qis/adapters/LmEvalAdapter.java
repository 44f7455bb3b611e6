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
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * lm-evaluation-harness results ({@code results.json}): the fine-tuned model's file gives the outcome scores, a
 * second file of the base model the baselines, matched by harness task and metric key ({@code acc,none}). One
 * packet per matched pair; fine-tuned metrics without a baseline are listed in {@link Result#skipped()}, and none
 * at all is an error.
 *
 * <p>Mapping: task = the harness task name (unless {@code --task}); benchmark = the harness task name, plus
 * {@code :N-shot} when {@code n-shot} is above zero; metric = the metric name, plus {@code .filter} when the filter
 * is not {@code none}; base_model_family = the last segment of the base file's {@code pretrained=} model argument
 * (else its {@code model_name}), lower case; n_eval_samples = {@code n-samples.<task>.effective} of the fine-tuned
 * file; higher_is_better = the file's {@code higher_is_better} entry, else the metric's kind; confidence =
 * {@link #confidence} from both files' {@code <metric>_stderr}. Overrides (flags) win over all of these.
 */
public final class LmEvalAdapter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STDERR = "_stderr";

    /** The drafts, and the fine-tuned metrics the base file has no result for. */
    public record Result(List<Draft> drafts, List<String> skipped) {
    }

    private LmEvalAdapter() {
    }

    public static Result read(Path results, Path baseResults, PacketFields overrides, Instant issuedAt) {
        return read(parse(text(results), results.toString()), results.getFileName().toString(),
                parse(text(baseResults), baseResults.toString()), baseResults.getFileName().toString(), overrides,
                issuedAt);
    }

    /**
     * The packets of one fine-tuned results object against its base model's results object.
     *
     * @param name     the fine-tuned file's name, for messages
     * @param baseName the base file's name, for messages
     */
    public static Result read(JsonNode results, String name, JsonNode baseResults, String baseName,
                              PacketFields overrides, Instant issuedAt) {
        List<Measurement> tuned = measurements(results, name);
        List<Measurement> base = measurements(baseResults, baseName);
        String family = overrides.baseModelFamily() != null ? overrides.baseModelFamily() : family(baseResults, baseName);
        List<Draft> drafts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Measurement m : tuned) {
            Measurement b = base.stream().filter(x -> x.task.equals(m.task) && x.key.equals(m.key)).findFirst().orElse(null);
            if (b == null) {
                skipped.add(m.describe());
                continue;
            }
            boolean higher = higherIsBetter(results, m);
            Double confidence = confidence(m.value, m.stderr, b.value, b.stderr).orElse(null);
            Integer nEval = nSamples(results, m.task, name);
            PacketFields fromFiles = new PacketFields(family, m.task, null, null, m.benchmark(results), m.metric(),
                    b.value, m.value, higher, null, null, null, nEval, confidence, null);
            drafts.add(fromFiles.overriddenBy(overrides).toDraft(name + " " + m.describe(), issuedAt));
        }
        if (drafts.isEmpty()) {
            throw new MissingFieldException("baseline_score", baseName + ": no result for the same task and metric as any of " + name
                    + "'s results " + skipped);
        }
        return new Result(drafts, skipped);
    }

    /** Whether a JSON object has the shape of a harness results file (a {@code results} object and a {@code config} or {@code versions}). */
    public static boolean looksLikeResults(JsonNode node) {
        return node != null && node.path("results").isObject()
                && (node.path("config").isObject() || node.path("versions").isObject());
    }

    /** When the evaluation ran: the file's {@code date} (seconds since the epoch, as the harness writes it). */
    public static Optional<Instant> date(JsonNode results) {
        JsonNode d = results.get("date");
        if (d == null || !d.isNumber() || !Double.isFinite(d.doubleValue()) || d.doubleValue() <= 0) {
            return Optional.empty();
        }
        return Optional.of(Instant.ofEpochMilli(Math.round(d.doubleValue() * 1000)));
    }

    /** Parses one results file's text; malformed JSON or a missing {@code results} object is an {@link AdapterException}. */
    public static JsonNode parse(String text, String name) {
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new AdapterException(Reason.MALFORMED_INPUT, name + ": malformed JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.path("results").isObject()) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    name + ": results: missing (expected the harness's results.json with a \"results\" object)");
        }
        return node;
    }

    /**
     * How sure the measured difference's sign is, under a normal approximation: with
     * {@code z = (outcome - baseline) / sqrt(stderr_outcome² + stderr_baseline²)}, the confidence is {@code Φ(|z|)},
     * 0.5 when the difference is within noise and toward 1 as it grows beyond both standard errors. Rounded to three
     * decimals. Empty when either standard error is missing or both are zero.
     */
    public static Optional<Double> confidence(double outcome, Double outcomeStderr, double baseline, Double baselineStderr) {
        if (outcomeStderr == null || baselineStderr == null) {
            return Optional.empty();
        }
        double se = Math.sqrt(outcomeStderr * outcomeStderr + baselineStderr * baselineStderr);
        if (!(se > 0) || !Double.isFinite(se)) {
            return Optional.empty();
        }
        double z = Math.abs(outcome - baseline) / se;
        return Optional.of(Math.round(normalCdf(z) * 1000) / 1000.0);
    }

    /** Φ(x) for x ≥ 0 via the Abramowitz–Stegun 7.1.26 approximation of erf (error below 1.5e-7). */
    static double normalCdf(double x) {
        double t = x / Math.sqrt(2);
        double k = 1 / (1 + 0.3275911 * t);
        double poly = k * (0.254829592 + k * (-0.284496736 + k * (1.421413741 + k * (-1.453152027 + k * 1.061405429))));
        double erf = 1 - poly * Math.exp(-t * t);
        return 0.5 * (1 + erf);
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AdapterException(Reason.FILE_UNREADABLE, file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** One metric of one task: {@code acc,none} of {@code medqa_4options}, with its standard error if given. */
    private record Measurement(String task, String key, String name, String filter, double value, Double stderr) {
        String metric() {
            return filter.equals("none") ? name : name + "." + filter;
        }

        String benchmark(JsonNode results) {
            JsonNode shots = results.path("n-shot").get(task);
            return shots != null && shots.isIntegralNumber() && shots.asInt() > 0 ? task + ":" + shots.asInt() + "-shot" : task;
        }

        String describe() {
            return task + " " + key;
        }
    }

    private static List<Measurement> measurements(JsonNode results, String name) {
        List<Measurement> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> tasks = results.get("results").fields(); tasks.hasNext(); ) {
            Map.Entry<String, JsonNode> task = tasks.next();
            if (!task.getValue().isObject()) {
                throw new AdapterException(Reason.MALFORMED_INPUT,
                        name + ": results." + task.getKey() + ": expected an object of metrics");
            }
            for (Iterator<Map.Entry<String, JsonNode>> metrics = task.getValue().fields(); metrics.hasNext(); ) {
                Map.Entry<String, JsonNode> metric = metrics.next();
                String key = metric.getKey();
                int comma = key.indexOf(',');
                String metricName = comma < 0 ? key : key.substring(0, comma);
                String filter = comma < 0 ? "none" : key.substring(comma + 1);
                // Only numbers are scores: alias, name and "N/A" (a metric the harness could not compute) are not.
                if (metricName.endsWith(STDERR) || !metric.getValue().isNumber()) {
                    continue;
                }
                double value = metric.getValue().doubleValue();
                JsonNode se = task.getValue().get(metricName + STDERR + (comma < 0 ? "" : "," + filter));
                Double stderr = se != null && se.isNumber() && Double.isFinite(se.doubleValue()) ? se.doubleValue() : null;
                out.add(new Measurement(task.getKey(), key, metricName, filter, value, stderr));
            }
        }
        if (out.isEmpty()) {
            throw new AdapterException(Reason.MISSING_FIELD, name + ": results: no numeric metric in any task");
        }
        return out;
    }

    private static boolean higherIsBetter(JsonNode results, Measurement m) {
        JsonNode declared = results.path("higher_is_better").path(m.task).get(m.name);
        return declared != null && declared.isBoolean() ? declared.booleanValue() : Scores.higherIsBetter(m.name);
    }

    private static Integer nSamples(JsonNode results, String task, String name) {
        JsonNode n = results.path("n-samples").get(task);
        if (n == null || n.isNull()) {
            return null;
        }
        JsonNode count = n.has("effective") ? n.get("effective") : n.get("original");
        if (count == null || !count.isIntegralNumber() || !count.canConvertToInt()) {
            throw new AdapterException(Reason.INVALID_VALUE,
                    name + ": n-samples." + task + ": expected {\"original\": N, \"effective\": N}, got " + n);
        }
        return count.intValue();
    }

    private static String family(JsonNode baseResults, String baseName) {
        JsonNode modelArgs = baseResults.path("config").path("model_args");
        if (modelArgs.isObject() && modelArgs.path("pretrained").isTextual()) {
            return Scores.familyOf(modelArgs.get("pretrained").asText());
        }
        String args = modelArgs.asText("");
        for (String arg : args.split(",")) {
            int eq = arg.indexOf('=');
            if (eq > 0 && arg.substring(0, eq).strip().equals("pretrained") && !arg.substring(eq + 1).isBlank()) {
                return Scores.familyOf(arg.substring(eq + 1));
            }
        }
        String modelName = baseResults.path("model_name").asText("");
        if (!modelName.isBlank()) {
            return Scores.familyOf(modelName);
        }
        throw new AdapterException(Reason.MISSING_FIELD,
                baseName + ": config.model_args has no pretrained= and there is no model_name"
                + " (give --family)");
    }
}
