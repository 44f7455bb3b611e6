package dev.qis.errors;

/**
 * Why a command failed, as a stable code: the CLI prints it first on its error line ({@code qis: MISSING_FIELD: ...}),
 * as dead-letter records and protocol errors name theirs. Scripts may match on it; the message after it is for people.
 * The code also says whose fault the failure is, and so the exit code, whatever exception carries it.
 */
public enum Reason {
    // what the user gave is wrong: the command exits 2 and sends nothing

    /** A flag's value, or a combination of flags, the command cannot use. */
    INVALID_OPTION(QisException.EXIT_INPUT),
    /** A file named by a flag or a setting is absent or cannot be read. */
    FILE_UNREADABLE(QisException.EXIT_INPUT),
    /** The file to write exists already; the command never overwrites it. */
    FILE_EXISTS(QisException.EXIT_INPUT),
    /** The file to write cannot be written. */
    FILE_UNWRITABLE(QisException.EXIT_INPUT),
    /** A port the command would listen on is taken. */
    PORT_IN_USE(QisException.EXIT_INPUT),
    /** The input is not the format it should be (not JSON or YAML, or not the expected shape). */
    MALFORMED_INPUT(QisException.EXIT_INPUT),
    /** The input has nothing to send. */
    EMPTY_INPUT(QisException.EXIT_INPUT),
    /** The input lacks a value the packet needs (a field, a metric, a baseline result). */
    MISSING_FIELD(QisException.EXIT_INPUT),
    /** The input names a field the format does not have. */
    UNKNOWN_FIELD(QisException.EXIT_INPUT),
    /** A value in the input has the wrong type or is out of range. */
    INVALID_VALUE(QisException.EXIT_INPUT),
    /** The packet built from the input breaks a protocol rule; the message carries the protocol's own reason. */
    INVALID_PACKET(QisException.EXIT_INPUT),
    /** A required setting (file, environment or flag) is not set. */
    MISSING_SETTING(QisException.EXIT_INPUT),
    /** A setting's value is wrong. */
    INVALID_SETTING(QisException.EXIT_INPUT),

    // the run failed: the command exits 1

    /** The cluster did not answer within the timeout. */
    BROKER_TIMEOUT(QisException.EXIT_RUNTIME),
    /** The topics could not be created or described. */
    TOPIC_SETUP_FAILED(QisException.EXIT_RUNTIME),
    /** A write was refused or failed (the producer, its transactions, a send or a commit); nothing of it is committed. */
    SEND_FAILED(QisException.EXIT_RUNTIME),
    /** The publisher was closed, or closed itself after an earlier failure. */
    CLOSED(QisException.EXIT_RUNTIME),
    /** The thread was interrupted while waiting. */
    INTERRUPTED(QisException.EXIT_RUNTIME),
    /** A call to the REST API failed, timed out or answered an error. */
    API_FAILED(QisException.EXIT_RUNTIME),
    /** A simulation step failed in a way the other codes do not name. */
    SIMULATION_FAILED(QisException.EXIT_RUNTIME);

    private final int exitCode;

    Reason(int exitCode) {
        this.exitCode = exitCode;
    }

    /** The process exit code of a command that fails for this reason: 2 for the user's input, 1 for the run. */
    public int exitCode() {
        return exitCode;
    }
}
