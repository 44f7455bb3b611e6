package dev.qis.registry;

/**
 * A schema registry call that failed, with why: the registry could not be reached, refused the credentials,
 * refused the request (an incompatible or invalid schema, an unknown id), or failed itself. Every message names
 * the registry URL and, when the registry gave one, its error code and message.
 */
public final class RegistryException extends RuntimeException {
    /** Why a registry call failed. */
    public enum Reason {
        /** No answer: connection refused, timeout, TLS handshake failure. */
        UNREACHABLE,
        /** 401 or 403: the credentials ({@code basic.auth.user.info}) were refused. */
        UNAUTHORIZED,
        /** 404: no such subject, version or schema id. */
        NOT_FOUND,
        /** 409 or 422: the schema is incompatible with the subject's earlier versions, or invalid. */
        REFUSED,
        /** 5xx, or an answer that is not what the API documents. */
        REGISTRY_ERROR
    }

    private final Reason reason;
    private final int errorCode;

    public RegistryException(Reason reason, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.errorCode = errorCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The registry's {@code error_code} (e.g. 40401, 409, 42201), or the HTTP status, or 0 without an answer. */
    public int errorCode() {
        return errorCode;
    }
}
