package dev.qis.publish;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/** Publishing failed at run time (broker unreachable, timeout, refused write): nothing of the failed call is committed. */
public final class PublishException extends QisException {
    private static final long serialVersionUID = 1L;

    public PublishException(Reason reason, String message) {
        super(reason, message, null);
    }

    public PublishException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }

    @Override
    public int exitCode() {
        return EXIT_RUNTIME;
    }
}
