package dev.qis.adapters;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.qis.errors.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Hugging Face model cards: the fine-tuned model's card gives the outcome scores, the base model's card the
 * baselines (the base card's result for the same dataset and metric type). One packet per fine-tuned metric
 * that has a baseline; metrics without one are listed in {@link Result#skipped()}, and none at all is an error.
 *
 * <p>Mapping: benchmark = {@code dataset.type} (plus {@code :config} when a config other than {@code default}
 * is named), metric = {@code metrics[].type}, task = {@code task.type} (unless {@code --task}), family = the
 * last segment of {@code base_model}, lower case (unless {@code --family}); {@code higher_is_better} follows the
 * metric type (loss, perplexity, wer, ... are lower-is-better). Cards carry no data scale, method, eval size or
 * confidence: those come from the overrides (flags).
 */
public final class ModelCardAdapter {
    private static final YAMLMapper YAML = new YAMLMapper();

    /** The drafts, and the fine-tuned metrics that had no baseline in the base card. */
    public record Result(List<Draft> drafts, List<String> skipped) {
    }

    private ModelCardAdapter() {
    }

    public static Result read(Path fineTunedCard, Path baseCard, PacketFields overrides, Instant issuedAt) {
        JsonNode tuned = frontMatter(fineTunedCard);
        JsonNode base = frontMatter(baseCard);
        List<CardResult> tunedResults = results(tuned, fineTunedCard);
        List<CardResult> baseResults = results(base, baseCard);

        String family = overrides.baseModelFamily();
        if (family == null) {
            family = Scores.familyOf(baseModelId(tuned, fineTunedCard));
        }
        List<Draft> drafts = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (CardResult r : tunedResults) {
            CardResult baseline = baseResults.stream().filter(b -> b.sameMeasurement(r)).findFirst().orElse(null);
            if (baseline == null) {
                skipped.add(r.describe());
                continue;
            }
            PacketFields fromCard = new PacketFields(family, r.taskType, null, null, r.benchmark(), r.metricType,
                    baseline.value, r.value, Scores.higherIsBetter(r.metricType), null, null, null, null, null, null);
            drafts.add(fromCard.overriddenBy(overrides).toDraft(fineTunedCard.getFileName() + " " + r.describe(), issuedAt));
        }
        if (drafts.isEmpty()) {
            throw new AdapterException(Reason.MISSING_FIELD,
                    baseCard + ": no result for the same dataset and metric type as any of "
                    + fineTunedCard + "'s results " + skipped);
        }
        return new Result(drafts, skipped);
    }

    /** The YAML between the leading {@code ---} lines. */
    static JsonNode frontMatter(Path card) {
        String text;
        try {
            text = Files.readString(card, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AdapterException(Reason.FILE_UNREADABLE, card + ": cannot read: " + e.getMessage(), e);
        }
        String[] lines = text.split("\r?\n", -1);
        int start = 0;
        while (start < lines.length && lines[start].isBlank()) {
            start++;
        }
        if (start >= lines.length || !lines[start].strip().equals("---")) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    card + ": no YAML front matter (a model card starts with a '---' line)");
        }
        int end = start + 1;
        while (end < lines.length && !lines[end].strip().equals("---")) {
            end++;
        }
        if (end >= lines.length) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    card + ": the YAML front matter has no closing '---' line");
        }
        String yaml = String.join("\n", java.util.Arrays.asList(lines).subList(start + 1, end));
        try {
            JsonNode node = YAML.readTree(yaml);
            if (node == null || !node.isObject()) {
                throw new AdapterException(Reason.MALFORMED_INPUT, card + ": the front matter is not a YAML mapping");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new AdapterException(Reason.MALFORMED_INPUT,
                    card + ": malformed YAML front matter: " + e.getOriginalMessage());
        }
    }

    private static String baseModelId(JsonNode card, Path file) {
        JsonNode b = card.get("base_model");
        if (b != null && b.isArray() && b.size() == 1) {
            b = b.get(0);
        }
        if (b == null || !b.isTextual() || b.asText().isBlank()) {
            throw new AdapterException(Reason.MISSING_FIELD,
                    file + ": base_model: missing or not a single model id (give --family)");
        }
        return b.asText();
    }

    private static List<CardResult> results(JsonNode card, Path file) {
        JsonNode index = card.get("model-index");
        if (index == null || !index.isArray() || index.isEmpty()) {
            throw new AdapterException(Reason.MISSING_FIELD,
                    file + ": model-index: missing (the card reports no evaluation results)");
        }
        List<CardResult> out = new ArrayList<>();
        for (int i = 0; i < index.size(); i++) {
            JsonNode results = index.get(i).get("results");
            if (results == null || !results.isArray()) {
                throw new AdapterException(Reason.MALFORMED_INPUT,
                        file + ": model-index[" + i + "].results: missing or not a list");
            }
            for (int j = 0; j < results.size(); j++) {
                String where = file.getFileName() + ": model-index[" + i + "].results[" + j + "]";
                JsonNode r = results.get(j);
                JsonNode dataset = r.path("dataset");
                String datasetType = textOrNull(dataset.get("type"));
                if (datasetType == null) {
                    throw new AdapterException(Reason.MISSING_FIELD, where + ".dataset.type: missing");
                }
                JsonNode metrics = r.get("metrics");
                if (metrics == null || !metrics.isArray()) {
                    throw new AdapterException(Reason.MALFORMED_INPUT, where + ".metrics: missing or not a list");
                }
                for (int k = 0; k < metrics.size(); k++) {
                    JsonNode m = metrics.get(k);
                    String metricType = textOrNull(m.get("type"));
                    if (metricType == null) {
                        throw new AdapterException(Reason.MISSING_FIELD, where + ".metrics[" + k + "].type: missing");
                    }
                    double value = value(m.get("value"), where + ".metrics[" + k + "].value");
                    out.add(new CardResult(textOrNull(r.path("task").get("type")), datasetType,
                            textOrNull(dataset.get("config")), textOrNull(dataset.get("split")), metricType, value));
                }
            }
        }
        return out;
    }

    private static double value(JsonNode v, String where) {
        if (v == null || v.isNull()) {
            throw new AdapterException(Reason.MISSING_FIELD, where + ": missing");
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            OptionalDouble d = Scores.leadingNumber(v.asText());
            if (d.isPresent()) {
                return d.getAsDouble();
            }
        }
        throw new AdapterException(Reason.INVALID_VALUE,
                where + ": expected a number or a string starting with one, got " + v);
    }

    private static String textOrNull(JsonNode v) {
        return v == null || v.isNull() || v.asText().isBlank() ? null : v.asText();
    }

    /** One metric of one result. */
    private record CardResult(String taskType, String datasetType, String config, String split, String metricType,
                              double value) {
        String benchmark() {
            return config == null || config.equals("default") ? datasetType : datasetType + ":" + config;
        }

        /** Same dataset (config and split too, where both cards name them) and the same metric type. */
        boolean sameMeasurement(CardResult o) {
            return datasetType.equals(o.datasetType) && metricType.equalsIgnoreCase(o.metricType)
                    && agree(config, o.config) && agree(split, o.split);
        }

        private static boolean agree(String a, String b) {
            return a == null || b == null || Objects.equals(a, b);
        }

        String describe() {
            return benchmark() + (split == null ? "" : " (" + split + ")") + " " + metricType;
        }
    }
}
