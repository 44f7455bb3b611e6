package dev.qis.client;

import java.util.Optional;

/**
 * The API answered, but not with a 2xx JSON answer: its HTTP status, the reason of a problem answer
 * ({@code application/problem+json}: its {@code reason}, else the kind its {@code type} names), and the body as
 * it came.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String reason;
    private final String body;

    public ApiException(String message, int status, Optional<String> reason, String body, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.reason = reason.orElse(null);
        this.body = body;
    }

    public int status() {
        return status;
    }

    public Optional<String> reason() {
        return Optional.ofNullable(reason);
    }

    public String body() {
        return body;
    }

    /** A 4xx: the question was wrong, asking again will not help. */
    public boolean clientError() {
        return status >= 400 && status < 500;
    }
}
