package dev.qis.adapters;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading scores as cards and run trackers write them, and which metrics are better when lower. */
public final class Scores {
    private static final Pattern LEADING_NUMBER =
            Pattern.compile("^\\s*([+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?)");
    /** Metric types (lower case) where a smaller value is the better outcome. */
    private static final Set<String> LOWER_IS_BETTER = Set.of("loss", "eval_loss", "perplexity", "ppl", "wer", "cer",
            "ter", "mae", "mse", "rmse", "bpb", "bits_per_byte", "word_perplexity", "byte_perplexity", "error",
            "error_rate");

    private Scores() {
    }

    /** The leading number of {@code "20.0 ± 1.2"}, {@code "45.2%"} or {@code "0.71"}; empty when there is none. */
    public static java.util.OptionalDouble leadingNumber(String text) {
        Matcher m = LEADING_NUMBER.matcher(text);
        if (!m.find()) {
            return java.util.OptionalDouble.empty();
        }
        return java.util.OptionalDouble.of(Double.parseDouble(m.group(1)));
    }

    public static boolean higherIsBetter(String metricType) {
        String m = metricType.toLowerCase(Locale.ROOT);
        return !(LOWER_IS_BETTER.contains(m) || m.endsWith("_loss") || m.endsWith("perplexity"));
    }

    /** A model id such as {@code meta-llama/Meta-Llama-3-8B} as a family name: its last segment, lower case. */
    public static String familyOf(String modelId) {
        String id = modelId.strip();
        int slash = id.lastIndexOf('/');
        return (slash >= 0 ? id.substring(slash + 1) : id).toLowerCase(Locale.ROOT);
    }
}
