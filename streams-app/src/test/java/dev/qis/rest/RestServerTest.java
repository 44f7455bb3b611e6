package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.query.StateUnavailableException;
import dev.qis.testing.Wait;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every problem status through a real HTTP server: the status, the problem+json body, Retry-After on 503. */
class RestServerTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private RestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new RestServer(new InetSocketAddress("127.0.0.1", 0), registry).start(new Router(List.of(
                Route.get("/ok/{name}", Set.of("k"), r -> ApiResponse.json(Map.of(
                        "name", r.pathParam("name"), "k", r.intParam("k", 1, 1, 1000)))),
                Route.get("/missing", r -> {
                    throw ProblemException.notFound("nothing here");
                }),
                Route.get("/rebalancing", r -> {
                    throw new StateUnavailableException("partition 3 is NOT_ACTIVE");
                }),
                Route.get("/bug", r -> {
                    throw new IllegalStateException("a bug");
                }))));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String pathAndQuery, String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery))
                .method(method, HttpRequest.BodyPublishers.noBody()).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode problem(HttpResponse<String> response, int status) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(Problem.CONTENT_TYPE, response.headers().firstValue("Content-Type").orElseThrow());
        JsonNode body = ApiJson.mapper().readTree(response.body());
        assertEquals(status, body.path("status").asInt());
        assertTrue(body.path("type").asText().startsWith("urn:qis:problem:"), body.toString());
        assertTrue(!body.path("title").asText().isEmpty(), body.toString());
        assertTrue(!body.path("detail").asText().isEmpty(), body.toString());
        return body;
    }

    @Test
    void answersJson() throws Exception {
        HttpResponse<String> r = get("/ok/x?k=5", "GET");
        assertEquals(200, r.statusCode());
        assertEquals(Map.of("name", "x", "k", 5), ApiJson.mapper().readValue(r.body(), Map.class));
    }

    @Test
    void badParameterIs400() throws Exception {
        JsonNode body = problem(get("/ok/x?k=0", "GET"), 400);
        assertEquals("urn:qis:problem:bad-request", body.path("type").asText());
        assertTrue(body.path("detail").asText().contains("k must be between 1 and 1000, got 0"), body.toString());
        assertEquals("/ok/x", body.path("instance").asText());
        problem(get("/ok/x?k=ten", "GET"), 400);
    }

    @Test
    void unknownParameterIs400NamingIt() throws Exception {
        JsonNode body = problem(get("/ok/x?k=1&colour=red", "GET"), 400);
        assertTrue(body.path("detail").asText().contains("[colour]"), body.toString());
    }

    @Test
    void unknownPathAndUnknownThingAre404() throws Exception {
        assertEquals("urn:qis:problem:not-found", problem(get("/nope", "GET"), 404).path("type").asText());
        assertEquals("nothing here", problem(get("/missing", "GET"), 404).path("detail").asText());
    }

    @Test
    void wrongMethodIs405() throws Exception {
        problem(get("/missing", "DELETE"), 405);
    }

    @Test
    void unavailableStateIs503WithRetryAfter() throws Exception {
        HttpResponse<String> r = get("/rebalancing", "GET");
        JsonNode body = problem(r, 503);
        assertEquals("urn:qis:problem:unavailable", body.path("type").asText());
        assertTrue(body.path("detail").asText().contains("NOT_ACTIVE"), body.toString());
        assertEquals(String.valueOf(ProblemException.RETRY_AFTER_SECONDS), r.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void aBugIs500WithoutRetryAfter() throws Exception {
        HttpResponse<String> r = get("/bug", "GET");
        problem(r, 500);
        assertTrue(r.headers().firstValue("Retry-After").isEmpty());
    }

    @Test
    void clientQueriesBeyondTheLimitAre503ButForwardedOnesAndHealthAlwaysGetAThread() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (RestServer limited = new RestServer(new InetSocketAddress("127.0.0.1", 0), registry, 2).start(new Router(List.of(
                Route.get("/v1/slow", r -> {
                    entered.countDown();
                    release.await();
                    return ApiResponse.json(Map.of("slow", true));
                }),
                Route.get("/v1/fast", r -> ApiResponse.json(Map.of("fast", true))),
                Route.get("/health/live", r -> ApiResponse.json(Map.of("status", "UP"))))))) {
            String base = "http://127.0.0.1:" + limited.port();
            var slow1 = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var slow2 = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS), "two slow queries in flight");

            HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast")).build(),
                    HttpResponse.BodyHandlers.ofString());
            problem(refused, 503);
            HttpResponse<String> forwarded = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast"))
                    .header(ApiRequest.FORWARDED_HEADER, "peer:1").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, forwarded.statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());

            release.countDown();
            assertEquals(200, slow1.get().statusCode());
            assertEquals(200, slow2.get().statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode(), "slots are given back");
        }
    }

    @Test
    void theForwardedHeaderChoosesABoundButNeverLiftsIt() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (RestServer limited = new RestServer(new InetSocketAddress("127.0.0.1", 0), registry,
                new RestServer.Capacity(8, 8, 1, 1)).start(new Router(List.of(
                Route.get("/v1/slow", r -> {
                    entered.countDown();
                    release.await();
                    return ApiResponse.json(Map.of("slow", true));
                }),
                Route.get("/v1/fast", r -> ApiResponse.json(Map.of("fast", true))))))) {
            String base = "http://127.0.0.1:" + limited.port();
            var slowClient = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var slowForwarded = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/v1/slow"))
                    .header(ApiRequest.FORWARDED_HEADER, "peer:1").build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS), "both slots taken");

            for (String header : List.of("peer:1", "anything")) {
                HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast"))
                        .header(ApiRequest.FORWARDED_HEADER, header).build(), HttpResponse.BodyHandlers.ofString());
                JsonNode body = problem(refused, 503);
                assertTrue(body.path("detail").asText().contains("forwarded"), body.toString());
                assertTrue(refused.headers().firstValue("Retry-After").isPresent());
            }
            problem(http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast")).build(),
                    HttpResponse.BodyHandlers.ofString()), 503);

            release.countDown();
            assertEquals(200, slowClient.get().statusCode());
            assertEquals(200, slowForwarded.get().statusCode());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/v1/fast"))
                    .header(ApiRequest.FORWARDED_HEADER, "peer:1").build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode(), "forwarded slots are given back");
        }
    }

    @Test
    void aRequestFindingThePoolAndItsQueueFullIs503WithRetryAfter() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        try (RestServer tiny = new RestServer(new InetSocketAddress("127.0.0.1", 0), registry,
                new RestServer.Capacity(1, 1)).start(new Router(List.of(
                Route.get("/health/slow", r -> {
                    entered.countDown();
                    release.await();
                    return ApiResponse.json(Map.of("slow", true));
                }),
                Route.get("/health/fast", r -> ApiResponse.json(Map.of("fast", true))))))) {
            String base = "http://127.0.0.1:" + tiny.port();
            var slow = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/health/slow")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS), "the one thread is busy");
            // one of the next two waits in the queue of one, the other finds it full
            HttpClient second = HttpClient.newHttpClient();
            var b = second.sendAsync(HttpRequest.newBuilder(URI.create(base + "/health/fast")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var c = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/health/fast")).build(),
                    HttpResponse.BodyHandlers.ofString());
            var first = new java.util.concurrent.CompletableFuture<HttpResponse<String>>();
            b.thenAccept(first::complete);
            c.thenAccept(first::complete);
            HttpResponse<String> refused = first.get(10, java.util.concurrent.TimeUnit.SECONDS);
            JsonNode body = problem(refused, 503);
            assertTrue(body.path("detail").asText().contains("busy"), body.toString());
            assertEquals(String.valueOf(ProblemException.RETRY_AFTER_SECONDS),
                    refused.headers().firstValue("Retry-After").orElseThrow());

            release.countDown();
            assertEquals(200, slow.get().statusCode());
            HttpResponse<String> waited = refused == b.getNow(null) ? c.get() : b.get();
            assertEquals(200, waited.statusCode(), "the queued request is answered");
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health/fast")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
        }
    }

    @Test
    void aProblemRepeatsOnlyTheStartOfALargeInput() throws Exception {
        String longPath = "/" + "a".repeat(20_000);
        HttpResponse<String> notFound = get(longPath, "GET");
        JsonNode body = problem(notFound, 404);
        assertTrue(notFound.body().length() < 1_000, "answer of " + notFound.body().length() + " characters");
        assertTrue(body.path("detail").asText().endsWith("a".repeat(99) + "\u2026(20001 bytes)"), body.toString());
        assertTrue(body.path("instance").asText().endsWith("\u2026(20001 bytes)"), body.toString());

        HttpResponse<String> badParam = get("/ok/x?k=" + "9".repeat(20_000), "GET");
        body = problem(badParam, 400);
        assertTrue(badParam.body().length() < 1_000, "answer of " + badParam.body().length() + " characters");
        assertTrue(body.path("detail").asText().contains("\u2026(20000 bytes)"), body.toString());

        HttpResponse<String> badName = get("/ok/x?" + "n".repeat(20_000) + "=1", "GET");
        problem(badName, 400);
        assertTrue(badName.body().length() < 1_000, "answer of " + badName.body().length() + " characters");
    }

    @Test
    void headIsAnsweredLikeGetWithoutTheBody() throws Exception {
        HttpResponse<String> head = get("/ok/x?k=5", "HEAD");
        assertEquals(200, head.statusCode());
        assertEquals(ApiJson.CONTENT_TYPE, head.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("", head.body());
        HttpResponse<String> missing = get("/nope", "HEAD");
        assertEquals(404, missing.statusCode());
        assertEquals("", missing.body());
        assertEquals(400, get("/ok/x?k=0", "HEAD").statusCode());
    }

    @Test
    void timesEveryEndpointByTemplateAndStatus() throws Exception {
        get("/ok/a", "GET");
        get("/ok/b", "GET");
        // the server records a request's time once its answer is sent, so the client can see the answer first
        Wait.waitFor(() -> okTimings() >= 2, Duration.ofSeconds(10), () -> "two timings recorded: " + okTimings());
        assertEquals(2, registry.get(RestServer.LATENCY_METER).tags("endpoint", "/ok/{name}", "status", "200")
                .timer().count());
    }

    private long okTimings() {
        var timer = registry.find(RestServer.LATENCY_METER).tags("endpoint", "/ok/{name}", "status", "200").timer();
        return timer == null ? 0 : timer.count();
    }
}
