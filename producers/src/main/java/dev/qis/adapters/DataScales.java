package dev.qis.adapters;

import dev.qis.protocol.avro.DataScale;
import java.util.Arrays;
import java.util.Locale;

/** Reads a data scale from its bucket name ({@code FROM_1K_TO_10K}) or from a count of training examples. */
public final class DataScales {
    private DataScales() {
    }

    /** The bucket a count of training examples falls in. */
    public static DataScale ofCount(long examples) {
        if (examples < 0) {
            throw new IllegalArgumentException("a count of training examples cannot be negative, got " + examples);
        }
        if (examples < 100) {
            return DataScale.LT_100;
        }
        if (examples < 1_000) {
            return DataScale.FROM_100_TO_1K;
        }
        if (examples < 10_000) {
            return DataScale.FROM_1K_TO_10K;
        }
        if (examples <= 100_000) {
            return DataScale.FROM_10K_TO_100K;
        }
        return DataScale.GT_100K;
    }

    /** A bucket name (any case) or a whole number of examples; an {@link IllegalArgumentException} says what is accepted. */
    public static DataScale parse(String text) {
        String t = text.strip();
        if (t.matches("\\d{1,18}")) {
            return ofCount(Long.parseLong(t));
        }
        try {
            return DataScale.valueOf(t.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected one of " + Arrays.toString(DataScale.values())
                    + " or a count of training examples, got '" + text + "'");
        }
    }
}
