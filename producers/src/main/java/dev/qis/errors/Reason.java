package dev.qis.errors;

/**
 * Why a command failed, as a stable code: the CLI prints it first on its error line ({@code qis: MISSING_FIELD: ...}),
 * as dead-letter records and protocol errors name theirs. Scripts may match on it; the message after it is for people.
 */
public enum Reason {
    // what the user gave is wrong: the command exits 2 and sends nothing

    /** A flag's value, or a combination of flags, the command cannot use. */
    INVALID_OPTION,
    /** A file named by a flag or a setting is absent or cannot be read. */
    FILE_UNREADABLE,
    /** The file to write exists already; the command never overwrites it. */
    FILE_EXISTS,
    /** The file to write cannot be written. */
    FILE_UNWRITABLE,
    /** A port the command would listen on is taken. */
    PORT_IN_USE,
    /** The input is not the format it should be (not JSON or YAML, or not the expected shape). */
    MALFORMED_INPUT,
    /** The input has nothing to send. */
    EMPTY_INPUT,
    /** The input lacks a value the packet needs (a field, a metric, a baseline result). */
    MISSING_FIELD,
    /** The input names a field the format does not have. */
    UNKNOWN_FIELD,
    /** A value in the input has the wrong type or is out of range. */
    INVALID_VALUE,
    /** The packet built from the input breaks a protocol rule; the message carries the protocol's own reason. */
    INVALID_PACKET,
    /** A required setting (file, environment or flag) is not set. */
    MISSING_SETTING,
    /** A setting's value is wrong. */
    INVALID_SETTING,

    // the run failed: the command exits 1

    /** The cluster did not answer within the timeout. */
    BROKER_TIMEOUT,
    /** The topics could not be created or described. */
    TOPIC_SETUP_FAILED,
    /** A write was refused or failed (the producer, its transactions, a send or a commit); nothing of it is committed. */
    SEND_FAILED,
    /** The publisher was closed, or closed itself after an earlier failure. */
    CLOSED,
    /** The thread was interrupted while waiting. */
    INTERRUPTED,
    /** A call to the REST API failed, timed out or answered an error. */
    API_FAILED,
    /** A simulation step failed in a way the other codes do not name. */
    SIMULATION_FAILED
}
