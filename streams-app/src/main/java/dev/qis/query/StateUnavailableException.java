package dev.qis.query;

/**
 * The state that would answer a query cannot be read right now (rebalancing, restoring, owner unreachable): the
 * caller should retry, the API answers 503 with Retry-After.
 */
public final class StateUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public StateUnavailableException(String detail) {
        super(detail);
    }

    public StateUnavailableException(String detail, Throwable cause) {
        super(detail, cause);
    }
}
