package dev.qis.adapters;

import dev.qis.errors.Reason;

/** Input that lacks a required packet field (a baseline, a task, ...): which field, and where and why. */
public final class MissingFieldException extends AdapterException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public MissingFieldException(String field, String message) {
        super(Reason.MISSING_FIELD, message);
        this.field = field;
    }

    /** The Avro field name, e.g. {@code baseline_score}. */
    public String field() {
        return field;
    }
}
