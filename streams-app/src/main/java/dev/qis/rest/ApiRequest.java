package dev.qis.rest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One request as a handler sees it: the path's parameters, the query's parameters (each at most once, only the
 * route's own), and whether another instance forwarded it here.
 */
public record ApiRequest(String path, String rawQuery, Map<String, String> pathParams, Map<String, String> query,
                         boolean forwarded) {
    /** Marks a request one instance sent to another; such a request is answered locally, never forwarded again. */
    public static final String FORWARDED_HEADER = dev.qis.query.PeerClient.FORWARDED_HEADER;

    public ApiRequest {
        pathParams = Collections.unmodifiableMap(new LinkedHashMap<>(pathParams));
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    /** The path and query as received, what a forwarded request repeats on the owner. */
    public String pathAndQuery() {
        return rawQuery == null || rawQuery.isEmpty() ? path : path + "?" + rawQuery;
    }

    public String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return value;
    }

    public Optional<String> param(String name) {
        return Optional.ofNullable(query.get(name)).filter(v -> !v.isEmpty());
    }

    /** An integer parameter within [min, max]; anything else is a 400 naming the parameter and the value. */
    public int intParam(String name, int defaultValue, int min, int max) {
        Optional<String> raw = param(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(raw.get());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + " must be an integer, got '" + ProblemException.echo(raw.get()) + "'");
        }
        if (value < min || value > max) {
            throw ProblemException.badRequest(name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    /** A decimal parameter within [min, max]. */
    public Optional<Double> doubleParam(String name, double min, double max) {
        Optional<String> raw = param(name);
        if (raw.isEmpty()) {
            return Optional.empty();
        }
        double value;
        try {
            value = Double.parseDouble(raw.get());
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(name + " must be a number, got '" + ProblemException.echo(raw.get()) + "'");
        }
        if (!(value >= min && value <= max)) {
            throw ProblemException.badRequest(name + " must be between " + min + " and " + max + ", got " + ProblemException.echo(raw.get()));
        }
        return Optional.of(value);
    }

    /** Parses a query string; a parameter given twice is a 400 (which one would win is not obvious). */
    public static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (out.putIfAbsent(name, value) != null) {
                throw ProblemException.badRequest("query parameter '" + ProblemException.echo(name) + "' is given more than once");
            }
        }
        return out;
    }

    static String decode(String raw) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("malformed percent-encoding in '" + ProblemException.echo(raw) + "'");
        }
    }
}
