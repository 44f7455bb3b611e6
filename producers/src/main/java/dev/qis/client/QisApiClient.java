package dev.qis.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A client of the app's REST API: one base URL with its bearer token, TLS trust and timeouts. {@link #get} answers
 * whatever the API said; {@link #getJson} and {@link #postJson} want a 2xx JSON answer and turn any other into an
 * {@link ApiException} carrying the HTTP status and, for an {@code application/problem+json} answer, its reason.
 * A transport failure is an {@link IOException} ({@link #reason(IOException)} says it in words).
 */
public final class QisApiClient {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final Optional<String> token;

    private QisApiClient(Builder b) {
        this.base = b.base;
        this.timeout = b.timeout;
        this.token = b.token;
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(b.connectTimeout);
        b.tls.ifPresent(http::sslContext);
        this.http = http.build();
    }

    /** A client of the API at {@code base}; see {@link #baseUri(String)}. */
    public static Builder to(String base) {
        return new Builder(baseUri(base));
    }

    /**
     * The base URL of an API, its trailing slash dropped.
     *
     * @throws IllegalArgumentException when {@code base} is not an http(s) URL with a host
     */
    public static URI baseUri(String base) {
        String trimmed = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        URI uri;
        try {
            uri = new URI(trimmed);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a URL: '" + base + "': " + e.getMessage(), e);
        }
        if (uri.getScheme() == null || !uri.getScheme().matches("https?") || uri.getHost() == null) {
            throw new IllegalArgumentException("expected an http(s) URL such as http://localhost:8080, got '" + base
                    + "'");
        }
        return uri;
    }

    public static Builder to(URI base) {
        return to(base.toString());
    }

    public URI base() {
        return base;
    }

    /** The full address of a path (with its query) on this API. */
    public URI uri(String pathAndQuery) {
        return URI.create(base + pathAndQuery);
    }

    /** GETs a path (with its query) and returns the answer whatever its status. */
    public Answer get(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).GET().build());
    }

    /** The status of a GET, its body read and dropped; -1 when no answer came (unreachable, timed out). */
    public int status(String pathAndQuery) {
        try {
            return http.send(request(pathAndQuery).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** GETs a path and returns its JSON; any answer but a 2xx is an {@link ApiException}. */
    public JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
        return send(request(pathAndQuery).header("Accept", "application/json").GET().build()).json();
    }

    /** POSTs {@code body} as JSON and returns the answer's JSON; any answer but a 2xx is an {@link ApiException}. */
    public JsonNode postJson(String path, Object body) throws IOException, InterruptedException {
        HttpRequest request = request(path).header("Accept", "application/json")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
        return send(request).json();
    }

    private HttpRequest.Builder request(String pathAndQuery) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(pathAndQuery)).timeout(timeout);
        token.ifPresent(t -> builder.header("Authorization", "Bearer " + t));
        return builder;
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(request.method(), r.uri(), r.statusCode(), r.headers(), r.body());
    }

    /** The JDK's HTTP client leaves the message of a refused connection empty: the first cause that has one. */
    public static String reason(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
        }
        return e instanceof ConnectException ? "connection refused" : e.getClass().getSimpleName();
    }

    /** A path segment, percent-encoded (a space as %20). */
    public static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** {@code ?k=v&...} of the entries with a value (null and empty ones left out); "" when none has one. */
    public static String query(Map<String, String> params) {
        String query = params.entrySet().stream()
                .filter(e -> e.getValue() != null && !e.getValue().isEmpty())
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return query.isEmpty() ? "" : "?" + query;
    }

    /** One answer of the API, as it came. */
    public record Answer(String method, URI uri, int statusCode, HttpHeaders headers, String body) {
        public boolean ok() {
            return statusCode >= 200 && statusCode < 300;
        }

        /** The body's JSON when the answer is a 2xx; else the answer as an {@link ApiException}. */
        public JsonNode json() {
            if (!ok()) {
                throw problem();
            }
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new ApiException(method + " " + uri + " answered unreadable JSON: " + e.getMessage(), statusCode,
                        Optional.empty(), body, e);
            }
        }

        /** The answer as an exception: its status, and the reason of a problem answer (RFC 9457) that has one. */
        public ApiException problem() {
            Optional<String> reason = Optional.empty();
            if (headers.firstValue("Content-Type").orElse("").startsWith("application/problem+json")) {
                try {
                    JsonNode p = JSON.readTree(body);
                    reason = p.hasNonNull("reason") ? Optional.of(p.get("reason").asText())
                            : p.hasNonNull("type") ? Optional.of(kind(p.get("type").asText())) : Optional.empty();
                } catch (IOException e) {
                    // a problem that does not parse keeps its body in the message and no reason
                }
            }
            return new ApiException(method + " " + uri + " answered " + statusCode + ": " + body, statusCode, reason,
                    body, null);
        }

        /** What the API asked a client to wait before retrying (Retry-After), as it came. */
        public Optional<String> retryAfter() {
            return headers.firstValue("Retry-After");
        }

        /** {@link #retryAfter()} in seconds, when it is a number of them. */
        public Optional<Long> retryAfterSeconds() {
            try {
                return retryAfter().map(s -> Long.parseLong(s.trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** The last part of a problem type such as {@code urn:qis:problem:not-found}. */
        private static String kind(String type) {
            return type.substring(Math.max(type.lastIndexOf(':'), type.lastIndexOf('/')) + 1);
        }
    }

    /** The settings of a client; every one has a default. */
    public static final class Builder {
        private final URI base;
        private Optional<String> token = Optional.empty();
        private Optional<SSLContext> tls = Optional.empty();
        private Duration timeout = DEFAULT_TIMEOUT;
        private Duration connectTimeout = DEFAULT_TIMEOUT;

        private Builder(URI base) {
            this.base = base;
        }

        /** Sent as {@code Authorization: Bearer} with every request. */
        public Builder token(Optional<String> token) {
            this.token = token;
            return this;
        }

        /** The context for an https API; without it the JDK's default (the javax.net.ssl.* properties). */
        public Builder tls(Optional<SSLContext> tls) {
            this.tls = tls;
            return this;
        }

        /** How long one request may take, and how long connecting may take. */
        public Builder timeouts(Duration request, Duration connect) {
            this.timeout = request;
            this.connectTimeout = connect;
            return this;
        }

        public QisApiClient build() {
            return new QisApiClient(this);
        }
    }
}
