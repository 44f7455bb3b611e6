package dev.qis.cli;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/** Bad input from the user (a file, a line, a flag): exit code 2, nothing sent. */
public final class InputException extends QisException {
    private static final long serialVersionUID = 1L;

    public InputException(Reason reason, String message) {
        super(reason, message, null);
    }

    public InputException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }

    /** A failure found while reading what the user gave (a setting, a file): its reason and message, as input. */
    public InputException(QisException cause) {
        super(cause.reason(), cause.getMessage(), cause);
    }

    @Override
    public int exitCode() {
        return EXIT_INPUT;
    }
}
