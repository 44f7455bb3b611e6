package dev.qis.cli;

/** Bad input from the user (a file, a line, a flag): exit code 2, nothing sent. */
public final class InputException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
