package dev.qis.cli;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/** Bad input from the user (a file, a line, a flag): exit code 2, nothing sent. */
public final class InputException extends QisException {
    public InputException(Reason reason, String message) {
        super(reason, message, null);
    }

    public InputException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
