package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.access.TokenFile;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bearer token and TLS through a real server: who gets an answer, who gets a 401, who no connection at all. */
class RestServerAccessTest {
    private static final String TOKEN = "rest-server-access-test-token";
    private static final List<Route> ROUTES = List.of(
            Route.get("/v1/things", r -> ApiResponse.json(Map.of("things", 3))),
            Route.get("/health/live", r -> ApiResponse.json(Map.of("status", "UP"))),
            Route.get("/metrics", r -> ApiResponse.text("text/plain", "up 1\n")));

    @TempDir
    static Path dir;
    private static TestCertificates ca;
    private static TestCertificates stranger;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void certificates() throws Exception {
        ca = TestCertificates.authority(dir, "qis-test-ca");
        stranger = TestCertificates.authority(dir, "some-other-ca");
    }

    private static RestServer server(RestAccess access) throws IOException {
        return new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry(),
                RestServer.Capacity.DEFAULT, access).start(new Router(ROUTES));
    }

    private static RestAccess bearer(boolean metricsOpen) throws IOException {
        Path file = dir.resolve("tokens-" + metricsOpen);
        Files.writeString(file, TOKEN + "\n");
        return new RestAccess(Optional.of(new BearerAuth(TokenFile.read(file), metricsOpen)), Optional.empty());
    }

    private HttpResponse<String> get(HttpClient client, String url, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertUnauthorized(HttpResponse<String> r, String reason) throws Exception {
        assertEquals(401, r.statusCode(), r.body());
        assertEquals(Problem.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer realm=\"qis\""),
                r.headers().map().toString());
        JsonNode body = ApiJson.mapper().readTree(r.body());
        assertEquals("urn:qis:problem:unauthorized", body.path("type").asText());
        assertEquals(reason, body.path("reason").asText(), r.body());
        assertFalse(r.body().contains(TOKEN));
    }

    @Test
    void withATokenFileEveryRouteButTheOpenOnesWantsTheToken() throws Exception {
        try (RestServer server = server(bearer(false))) {
            String base = "http://127.0.0.1:" + server.port();
            assertUnauthorized(get(http, base + "/v1/things", null), "missing");
            assertUnauthorized(get(http, base + "/v1/things", "Bearer not-" + TOKEN), "invalid");
            assertUnauthorized(get(http, base + "/metrics", null), "missing");
            assertUnauthorized(get(http, base + "/no/such/route", null), "missing");
            assertEquals(200, get(http, base + "/v1/things", "Bearer " + TOKEN).statusCode());
            assertEquals(200, get(http, base + "/metrics", "Bearer " + TOKEN).statusCode());
            assertEquals(404, get(http, base + "/no/such/route", "Bearer " + TOKEN).statusCode());
            assertEquals(200, get(http, base + "/health/live", null).statusCode(), "the liveness probe stays open");
        }
        try (RestServer server = server(bearer(true))) {
            String base = "http://127.0.0.1:" + server.port();
            assertEquals(200, get(http, base + "/metrics", null).statusCode(), "metrics open when asked");
            assertUnauthorized(get(http, base + "/v1/things", null), "missing");
        }
    }

    @Test
    void withoutATokenFileTheApiIsOpen() throws Exception {
        try (RestServer server = server(RestAccess.NONE)) {
            assertEquals(200, get(http, "http://127.0.0.1:" + server.port() + "/v1/things", null).statusCode());
        }
    }

    private static RestTls tls(String name, RestTls.ClientAuth clientAuth) throws Exception {
        Path keys = ca.keyStore(name, name + ".p12");
        Path trust = ca.trustStore("trust-" + name + ".p12");
        return RestTls.load(new RestTls.Store(keys, "PKCS12", TestCertificates.PASSWORD.toCharArray()),
                Optional.empty(), Optional.of(new RestTls.Store(trust, "PKCS12",
                        TestCertificates.PASSWORD.toCharArray())), clientAuth);
    }

    /** A client that trusts the test CA, showing no certificate of its own. */
    private static SSLContext trustOnly() throws Exception {
        RestTls anyKeys = RestTls.load(new RestTls.Store(stranger.keyStore("anonymous", "anonymous.p12"), "PKCS12",
                        TestCertificates.PASSWORD.toCharArray()), Optional.empty(),
                Optional.of(new RestTls.Store(ca.trustStore("client-trust.p12"), "PKCS12",
                        TestCertificates.PASSWORD.toCharArray())), RestTls.ClientAuth.NONE);
        // its key store holds a certificate no server trusts, so it is never shown: the server asks for its own CA's
        return anyKeys.context();
    }

    @Test
    void withClientAuthNeedOnlyAClientWithACertificateOfTheTrustedCaConnects() throws Exception {
        try (RestServer server = server(new RestAccess(Optional.empty(), Optional.of(tls("instance",
                RestTls.ClientAuth.NEED))))) {
            String url = "https://localhost:" + server.port() + "/v1/things";
            HttpClient withCertificate = HttpClient.newBuilder().sslContext(tls("client", RestTls.ClientAuth.NONE)
                    .context()).build();
            assertEquals(200, get(withCertificate, url, null).statusCode());

            HttpClient withoutCertificate = HttpClient.newBuilder().sslContext(trustOnly()).build();
            assertThrows(IOException.class, () -> get(withoutCertificate, url, null),
                    "a client without a certificate of the trusted CA fails the handshake");
            assertThrows(IOException.class, () -> get(http, url.replace("https:", "http:"), null),
                    "plain http to a TLS port gets no answer");
        }
    }

    @Test
    void withClientAuthWantAClientWithoutACertificateIsAnsweredAndTheTokenStillApplies() throws Exception {
        Path file = dir.resolve("tokens-tls");
        Files.writeString(file, TOKEN + "\n");
        RestAccess access = new RestAccess(Optional.of(new BearerAuth(TokenFile.read(file), false)),
                Optional.of(tls("instance-want", RestTls.ClientAuth.WANT)));
        try (RestServer server = server(access)) {
            String url = "https://localhost:" + server.port() + "/v1/things";
            HttpClient withoutCertificate = HttpClient.newBuilder().sslContext(trustOnly()).build();
            assertUnauthorized(get(withoutCertificate, url, null), "missing");
            assertEquals(200, get(withoutCertificate, url, "Bearer " + TOKEN).statusCode());
        }
    }
}
