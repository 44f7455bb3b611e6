package dev.qis.adapters;

/** Reads back the type of a value that was written as text (MLflow params, {@code --hyperparam k=v} flags). */
public final class ParamText {
    private ParamText() {
    }

    /** A whole number becomes a long, a finite decimal a double, true/false a boolean; anything else stays text. */
    public static Object typed(String text) {
        String s = text.strip();
        if (s.matches("[+-]?\\d{1,18}")) {
            return Long.parseLong(s);
        }
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        if (s.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            double d = Double.parseDouble(s);
            if (Double.isFinite(d)) {
                return d;
            }
        }
        return text;
    }
}
