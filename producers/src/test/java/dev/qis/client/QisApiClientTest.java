package dev.qis.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QisApiClientTest {
    private HttpServer server;
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/domains", ex -> answer(ex, 200, "application/json",
                "{\"domains\":[{\"domain\":\"a b\"}],\"query\":\"" + ex.getRequestURI().getRawQuery() + "\"}"));
        server.createContext("/v1/nodes/nope", ex -> answer(ex, 401, "application/problem+json",
                "{\"type\":\"urn:qis:problem:unauthorized\",\"title\":\"Unauthorized\",\"status\":401,"
                        + "\"reason\":\"invalid\"}"));
        server.createContext("/v1/packets/gone", ex -> answer(ex, 404, "application/problem+json",
                "{\"type\":\"urn:qis:problem:not-found\",\"title\":\"Not found\",\"status\":404}"));
        server.createContext("/v1/down", ex -> {
            ex.getResponseHeaders().add("Retry-After", "2");
            answer(ex, 503, "text/html", "<html>bad gateway</html>");
        });
        server.createContext("/v1/echo", ex -> answer(ex, 201, "application/json",
                new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private void answer(HttpExchange ex, int status, String type, String body) throws IOException {
        authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private QisApiClient client(Optional<String> token) {
        return QisApiClient.to("http://127.0.0.1:" + server.getAddress().getPort() + "/").token(token)
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5)).build();
    }

    @Test
    void aJsonAnswerIsReadAndTheTokenAndQueryAreSent() throws Exception {
        QisApiClient client = client(Optional.of("s3cret"));
        JsonNode body = client.getJson("/v1/domains" + QisApiClient.query(Map.of("cursor", "x y")));
        assertEquals("a b", body.path("domains").get(0).path("domain").asText());
        assertEquals("cursor=x+y", body.path("query").asText());
        assertEquals(List.of("Bearer s3cret"), authorizations);
        assertEquals(200, client.status("/v1/domains"));
    }

    @Test
    void aProblemAnswerIsAnExceptionWithItsStatusAndReason() {
        QisApiClient client = client(Optional.empty());
        ApiException refused = assertThrows(ApiException.class, () -> client.getJson("/v1/nodes/nope"));
        assertEquals(401, refused.status());
        assertEquals(Optional.of("invalid"), refused.reason());
        assertTrue(refused.clientError());
        assertTrue(refused.getMessage().startsWith("GET http://127.0.0.1:"), refused.getMessage());
        // a problem without a reason member: the kind its type names
        ApiException missing = assertThrows(ApiException.class, () -> client.getJson("/v1/packets/gone"));
        assertEquals(404, missing.status());
        assertEquals(Optional.of("not-found"), missing.reason());
        assertEquals(List.of("null", "null"), authorizations, "no token, no Authorization header");
    }

    @Test
    void aNonJsonServerErrorKeepsItsStatusAndBodyAndNoReason() throws Exception {
        QisApiClient client = client(Optional.empty());
        QisApiClient.Answer answer = client.get("/v1/down");
        assertFalse(answer.ok());
        assertEquals(Optional.of(2L), answer.retryAfterSeconds());
        ApiException e = assertThrows(ApiException.class, answer::json);
        assertEquals(503, e.status());
        assertEquals(Optional.empty(), e.reason());
        assertFalse(e.clientError());
        assertEquals("<html>bad gateway</html>", e.body());
        assertTrue(e.getMessage().endsWith("answered 503: <html>bad gateway</html>"), e.getMessage());
    }

    @Test
    void aPostSendsJsonAndReadsTheAnswer() throws Exception {
        JsonNode echoed = client(Optional.empty()).postJson("/v1/echo", Map.of("k", 3));
        assertEquals(3, echoed.path("k").asInt());
    }

    @Test
    void aRefusedConnectionIsAnIoExceptionWithAReadableReason() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        QisApiClient client = QisApiClient.to("http://127.0.0.1:" + closed).build();
        IOException e = assertThrows(IOException.class, () -> client.get("/v1/domains"));
        String reason = QisApiClient.reason(e);
        assertFalse(reason.isBlank() || reason.equals("null"), reason);
        assertEquals(-1, client.status("/v1/domains"));
    }

    @Test
    void aBaseThatIsNotAnHttpUrlIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> QisApiClient.baseUri("ftp://x"));
        assertTrue(e.getMessage().contains("expected an http(s) URL"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> QisApiClient.baseUri("http://a b"));
        assertEquals("http://h:1", QisApiClient.baseUri("http://h:1/").toString());
        assertEquals("a%20b%2Fc", QisApiClient.segment("a b/c"));
    }
}
