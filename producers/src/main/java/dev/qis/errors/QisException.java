package dev.qis.errors;

/**
 * A failure a command reports to its user: a {@link Reason} code, a message that names the offending value (the
 * file and line, the flag, the key) and why. The reason says whose fault it is, and so {@link #exitCode()}: 2 for the
 * user's input, 1 for a failure at run time.
 */
public abstract class QisException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The user's input or usage is at fault. */
    public static final int EXIT_INPUT = 2;
    /** The run failed (broker unreachable, timeout, refused write, ...). */
    public static final int EXIT_RUNTIME = 1;

    private final Reason reason;

    protected QisException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public final Reason reason() {
        return reason;
    }

    /** The process exit code a command ends with when this is its failure: the reason's. */
    public final int exitCode() {
        return reason.exitCode();
    }
}
