package dev.qis.publish;

/** Publishing failed at run time (broker unreachable, timeout, refused write): nothing of the failed call is committed. */
public final class PublishException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public PublishException(String message) {
        super(message);
    }

    public PublishException(String message, Throwable cause) {
        super(message, cause);
    }
}
