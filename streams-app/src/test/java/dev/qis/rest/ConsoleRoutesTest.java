package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The console's page and assets come from the jar; {@code /v1/simulation} is 404 until a simulation reports. */
class ConsoleRoutesTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final SimulationFeed feed = new SimulationFeed();
    private RestServer server;

    @BeforeEach
    void start() throws Exception {
        server = new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry())
                .start(new Router(new ConsoleRoutes(feed).routes()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theRootIsThePageAndItsAssetsAreServedWithTheirTypes() throws Exception {
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(page.body().contains("<script src=\"/ui/console.js\">"), page.body());
        for (String[] asset : new String[][] {{"/ui/console.js", "text/javascript; charset=utf-8"},
                {"/ui/console.css", "text/css; charset=utf-8"}, {"/ui/icon.svg", "image/svg+xml"}}) {
            HttpResponse<String> r = get(asset[0]);
            assertEquals(200, r.statusCode(), asset[0]);
            assertEquals(asset[1], r.headers().firstValue("Content-Type").orElseThrow(), asset[0]);
            assertTrue(page.body().contains(asset[0]), "the page refers to " + asset[0]);
        }
    }

    @Test
    void anUnknownOrMalformedAssetIsA404Problem() throws Exception {
        for (String path : new String[] {"/ui/nope.js", "/ui/..%2Fopenapi.yaml", "/ui/index.html", "/ui/Console.JS"}) {
            HttpResponse<String> r = get(path);
            assertEquals(404, r.statusCode(), path);
            assertEquals(Problem.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElseThrow(), path);
        }
    }

    @Test
    void theSimulationIs404UntilOneStartsThenShowsEachFinishedRound() throws Exception {
        HttpResponse<String> none = get("/v1/simulation");
        assertEquals(404, none.statusCode());
        assertTrue(none.body().contains("no simulation"), none.body());

        feed.started(3, 40, 6, 42);
        feed.progress(0, "publishing", 5, 40);
        JsonNode running = ApiJson.mapper().readTree(get("/v1/simulation").body());
        assertEquals("RUNNING", running.path("status").asText());
        assertEquals(0, running.path("results").size());
        assertEquals("publishing", running.path("progress").path("phase").asText());

        feed.roundFinished(new SimulationResponse.Round(0, 36, 0.054, 0.0506, 0.0506, 0.1004, 41, 0.18));
        feed.roundFinished(new SimulationResponse.Round(1, 36, 0.061, 0.0551, 0.0506, 0.1004, 82, 0.20));
        feed.finished();
        JsonNode done = ApiJson.mapper().readTree(get("/v1/simulation").body());
        assertEquals("FINISHED", done.path("status").asText());
        assertEquals(2, done.path("results").size());
        JsonNode round1 = done.path("results").get(1);
        assertEquals(1, round1.path("round").asInt());
        assertEquals(0.061, round1.path("loop_gain").asDouble());
        assertEquals(0.0551, round1.path("naive_gain").asDouble());
        assertEquals(0.0506, round1.path("random_gain").asDouble());
        assertEquals(0.1004, round1.path("oracle_gain").asDouble());
        assertEquals(3, done.path("rounds").asInt());
    }
}
