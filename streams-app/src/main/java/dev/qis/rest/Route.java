package dev.qis.rest;

import java.util.List;
import java.util.Set;

/**
 * One endpoint: method, path template ({@code /v1/domains/{domain}/top}), the query parameters it accepts and its
 * handler. The template is also the endpoint's name in metrics and in the OpenAPI document.
 */
public record Route(String method, String template, Set<String> params, Handler handler) {
    /** Answers a request or throws {@link ProblemException}. */
    @FunctionalInterface
    public interface Handler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    public Route {
        params = Set.copyOf(params);
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("route template must start with '/': " + template);
        }
    }

    public static Route get(String template, Set<String> params, Handler handler) {
        return new Route("GET", template, params, handler);
    }

    public static Route get(String template, Handler handler) {
        return get(template, Set.of(), handler);
    }

    List<String> segments() {
        return Router.segments(template);
    }
}
