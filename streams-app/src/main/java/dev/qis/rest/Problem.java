package dev.qis.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An error answer as {@code application/problem+json} (RFC 9457). {@code type} names the kind of problem,
 * {@code instance} the request path it happened on, {@code reason} (on a 401 only) why the credential was refused:
 * {@code missing} or {@code invalid}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String reason) {
    public static final String CONTENT_TYPE = "application/problem+json";

    public Problem withInstance(String path) {
        return new Problem(type, title, status, detail, path, reason);
    }
}
