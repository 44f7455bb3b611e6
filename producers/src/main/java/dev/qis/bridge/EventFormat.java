package dev.qis.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.adapters.JsonLinesAdapter;
import dev.qis.adapters.LmEvalAdapter;
import java.util.Locale;
import java.util.Optional;

/** The kinds of record the bridge reads from an internal topic, told apart by their shape. */
public enum EventFormat {
    /** An MLflow run as the tracking server's REST API returns it: {@code {"run": {"info", "data", "inputs"}}}. */
    MLFLOW,
    /** An lm-evaluation-harness {@code results.json}. */
    LM_EVAL,
    /** A flat packet object, one line of {@code qis publish --input}, optionally with {@code issued_at}. */
    PACKET;

    /** The name used in mapping files: {@code mlflow}, {@code lm-eval}, {@code packet}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<EventFormat> ofLabel(String label) {
        for (EventFormat f : values()) {
            if (f.label().equals(label)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }

    /** The format of a parsed JSON object, or empty when it has none of the three shapes. */
    public static Optional<EventFormat> of(JsonNode event) {
        if (event.path("run").isObject()) {
            return Optional.of(MLFLOW);
        }
        if (LmEvalAdapter.looksLikeResults(event)) {
            return Optional.of(LM_EVAL);
        }
        for (String field : JsonLinesAdapter.FIELDS) {
            if (event.has(field)) {
                return Optional.of(PACKET);
            }
        }
        return Optional.empty();
    }
}
