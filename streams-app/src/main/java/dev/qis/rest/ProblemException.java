package dev.qis.rest;

import java.util.OptionalInt;

/** Ends a request with a problem answer; the kinds of problem the API gives are the factories below. */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Seconds a client should wait before retrying an answer that was unavailable. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private static final String TYPE_PREFIX = "urn:qis:problem:";

    private final transient Problem problem;
    private final int retryAfterSeconds;

    private ProblemException(String kind, String title, int status, String detail, int retryAfterSeconds) {
        super(status + " " + title + ": " + detail);
        this.problem = new Problem(TYPE_PREFIX + kind, title, status, detail, null);
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException("bad-request", "Bad request", 400, detail, 0);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException("not-found", "Not found", 404, detail, 0);
    }

    public static ProblemException methodNotAllowed(String detail) {
        return new ProblemException("method-not-allowed", "Method not allowed", 405, detail, 0);
    }

    /** The state is rebalancing, restoring or its owner is unreachable: a retry will be answered. */
    public static ProblemException unavailable(String detail) {
        return new ProblemException("unavailable", "Service unavailable", 503, detail, RETRY_AFTER_SECONDS);
    }

    public static ProblemException internal(String detail) {
        return new ProblemException("internal-error", "Internal error", 500, detail, 0);
    }

    public Problem problem() {
        return problem;
    }

    public OptionalInt retryAfterSeconds() {
        return retryAfterSeconds > 0 ? OptionalInt.of(retryAfterSeconds) : OptionalInt.empty();
    }
}
