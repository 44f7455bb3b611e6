package dev.qis.protocol;

import dev.qis.protocol.avro.ReasonCode;

/** A record or value the protocol refuses, with the reason code and, where one is at fault, the field. */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ReasonCode reason;
    private final String field;
    private final String detail;

    public ProtocolException(ReasonCode reason, String field, String detail) {
        super(field == null ? reason + ": " + detail : reason + ": " + field + ": " + detail);
        this.reason = reason;
        this.field = field;
        this.detail = field == null ? detail : field + ": " + detail;
    }

    public ProtocolException(ReasonCode reason, String detail) {
        this(reason, null, detail);
    }

    public static ProtocolException invalid(String field, String detail) {
        return new ProtocolException(ReasonCode.INVALID_FIELD, field, detail);
    }

    public ReasonCode reason() {
        return reason;
    }

    /** The offending field, or null when the record as a whole is at fault. */
    public String field() {
        return field;
    }

    /** The message without the reason code prefix. */
    public String detail() {
        return detail;
    }
}
