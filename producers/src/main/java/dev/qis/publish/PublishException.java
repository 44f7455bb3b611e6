package dev.qis.publish;

import dev.qis.errors.QisException;
import dev.qis.errors.Reason;

/**
 * Publishing failed at run time (broker unreachable, timeout, refused write; exit 1): nothing of the failed call is
 * committed.
 */
public final class PublishException extends QisException {
    public PublishException(Reason reason, String message) {
        super(reason, message, null);
    }

    public PublishException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
