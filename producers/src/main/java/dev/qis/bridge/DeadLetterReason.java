package dev.qis.bridge;

/** Why the bridge sent an event to the dead-letter topic instead of publishing it. */
public enum DeadLetterReason {
    /** Not JSON, or JSON that is not an object. */
    MALFORMED,
    /** A JSON object that is none of an MLflow run, lm-eval results or a flat packet. */
    UNKNOWN_FORMAT,
    /** An MLflow run whose status is not FINISHED (RUNNING, SCHEDULED, FAILED, KILLED). */
    NOT_FINISHED,
    /** No baseline score: not in the run, not in the mapping, or no base-model result for the measurement. */
    NO_BASELINE,
    /** Another required field is missing from both the event and the mapping (task, method_type, end time, ...). */
    MISSING_FIELD,
    /** A value the protocol refuses (NaN, confidence outside [0, 1], a bad tag, ...) or of the wrong type. */
    INVALID_FIELD,
    /** The signed packet is over the protocol's 512 bytes. */
    OVERSIZE,
    /** The event's time is more than the allowed clock skew in the future. */
    FUTURE_TIMESTAMP;

    /** The record header that carries the reason on the dead-letter topic. */
    public static final String HEADER_REASON = "qis.dead_letter.reason";
    /** The record header that carries the human-readable detail. */
    public static final String HEADER_DETAIL = "qis.dead_letter.detail";
    /** Headers naming where the event was read: topic, partition, offset. */
    public static final String HEADER_TOPIC = "qis.dead_letter.topic";
    public static final String HEADER_PARTITION = "qis.dead_letter.partition";
    public static final String HEADER_OFFSET = "qis.dead_letter.offset";
}
