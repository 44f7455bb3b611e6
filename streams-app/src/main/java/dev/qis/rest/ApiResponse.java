package dev.qis.rest;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** One answer: status, content type, body, and any extra headers (Retry-After, WWW-Authenticate, partition coverage). */
public record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    public ApiResponse {
        headers = Map.copyOf(headers);
    }

    public static ApiResponse json(Object value) {
        return json(200, value, Map.of());
    }

    public static ApiResponse json(int status, Object value, Map<String, String> headers) {
        return new ApiResponse(status, ApiJson.CONTENT_TYPE, ApiJson.write(value), headers);
    }

    public static ApiResponse text(String contentType, String body) {
        return new ApiResponse(200, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    public static ApiResponse problem(ProblemException e, String path) {
        Problem problem = e.problem().withInstance(ProblemException.echo(path));
        Map<String, String> headers = new HashMap<>();
        e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Integer.toString(s)));
        e.challenge().ifPresent(c -> headers.put("WWW-Authenticate", c));
        return new ApiResponse(problem.status(), Problem.CONTENT_TYPE, ApiJson.write(problem), headers);
    }
}
