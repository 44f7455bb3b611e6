package dev.qis.rest;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;

/** Ends a request with a problem answer; the kinds of problem the API gives are the factories below. */
public final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Seconds a client should wait before retrying an answer that was unavailable. */
    public static final int RETRY_AFTER_SECONDS = 2;

    private static final String TYPE_PREFIX = "urn:qis:problem:";
    /** How much of a client's input a problem repeats back: enough to recognise it, never the whole of a large one. */
    static final int ECHO_CHARS = 100;
    /** The longest detail a problem carries, whatever it repeats. */
    static final int MAX_DETAIL_CHARS = 500;

    private final transient Problem problem;
    private final int retryAfterSeconds;
    /** The {@code WWW-Authenticate} challenge of a 401, else null. */
    private final String challenge;

    private ProblemException(String kind, String title, int status, String detail, int retryAfterSeconds) {
        this(kind, title, status, detail, retryAfterSeconds, null, null);
    }

    private ProblemException(String kind, String title, int status, String detail, int retryAfterSeconds,
                             String reason, String challenge) {
        super(status + " " + title + ": " + capped(detail));
        this.problem = new Problem(TYPE_PREFIX + kind, title, status, capped(detail), null, reason);
        this.retryAfterSeconds = retryAfterSeconds;
        this.challenge = challenge;
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException("bad-request", "Bad request", 400, detail, 0);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException("not-found", "Not found", 404, detail, 0);
    }

    /**
     * The request carries no valid credential: {@code reason} says which ({@code missing} or {@code invalid}), and
     * {@code challenge} is the {@code WWW-Authenticate} header that tells the client what to send.
     */
    public static ProblemException unauthorized(String reason, String detail, String challenge) {
        return new ProblemException("unauthorized", "Unauthorized", 401, detail, 0, reason, challenge);
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

    /**
     * A client's input as a problem repeats it: whole when short, else its first {@value #ECHO_CHARS} characters
     * and its size ({@code abc…(20480 bytes)}), so a large request never makes a large answer.
     */
    public static String echo(String input) {
        if (input == null || input.length() <= ECHO_CHARS) {
            return input;
        }
        int end = Character.isHighSurrogate(input.charAt(ECHO_CHARS - 1)) ? ECHO_CHARS - 1 : ECHO_CHARS;
        return input.substring(0, end) + "\u2026(" + input.getBytes(StandardCharsets.UTF_8).length + " bytes)";
    }

    /** The last guard: a detail that repeats input some caller did not pass through {@link #echo}. */
    private static String capped(String detail) {
        return detail == null || detail.length() <= MAX_DETAIL_CHARS ? detail
                : detail.substring(0, MAX_DETAIL_CHARS) + "\u2026(" + detail.length() + " characters)";
    }

    public Problem problem() {
        return problem;
    }

    public Optional<String> challenge() {
        return Optional.ofNullable(challenge);
    }

    public OptionalInt retryAfterSeconds() {
        return retryAfterSeconds > 0 ? OptionalInt.of(retryAfterSeconds) : OptionalInt.empty();
    }
}
