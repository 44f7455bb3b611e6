package dev.qis.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.qis.access.TokenFile;
import dev.qis.app.QisApp;
import dev.qis.rest.ApiResponse;
import dev.qis.rest.BearerAuth;
import dev.qis.rest.RestAccess;
import dev.qis.rest.RestServer;
import dev.qis.rest.Route;
import dev.qis.rest.Router;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code qis query} against a stand-in API: the paths it asks, its output and its exit codes. */
class QueryCommandTest {
    private HttpServer api;
    private final List<String> asked = new ArrayList<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeEach
    void start() throws Exception {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", exchange -> {
            String uri = exchange.getRequestURI().toString();
            asked.add(uri);
            int status = uri.contains("bad") ? 400 : uri.contains("down") ? 503 : 200;
            String body = status == 200 ? "{\"ok\":true}"
                    : "{\"type\":\"urn:qis:problem:x\",\"title\":\"T\",\"status\":" + status + ",\"detail\":\"why\"}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        api.start();
    }

    @AfterEach
    void stop() {
        api.stop(0);
    }

    private int run(String... args) {
        var cli = QisApp.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("query", "--api", "http://127.0.0.1:" + api.getAddress().getPort()));
        all.addAll(List.of(args));
        return cli.execute(all.toArray(String[]::new));
    }

    @Test
    void asksTheRightPathsAndPrintsTheJson() {
        assertEquals(0, run("top", "clinical-note-summarization", "-k", "5", "--tag", "en-US"));
        assertEquals(0, run("synthesis", "clinical-note-summarization", "--family", "llama-3-8b", "--tags", "a,b"));
        assertEquals(0, run("synthesis", "--fingerprint", "8ff8bb6992657811"));
        assertEquals(0, run("packet", "8ff8bb6992657811-0123456789abcdef"));
        assertEquals(0, run("node", "0123456789abcdef"));
        assertEquals(0, run("domains"));
        assertEquals(0, run("instances"));
        assertEquals(List.of(
                "/v1/domains/clinical-note-summarization/top?k=5&tag=en-US",
                "/v1/domains/clinical-note-summarization/synthesis?family=llama-3-8b&tags=a%2Cb",
                "/v1/fingerprints/8ff8bb6992657811/synthesis",
                "/v1/packets/8ff8bb6992657811-0123456789abcdef",
                "/v1/nodes/0123456789abcdef",
                "/v1/domains",
                "/v1/instances"), asked);
        assertTrue(out.toString().startsWith("{\"ok\":true}"), out.toString());
    }

    @Test
    void prettyIndents() {
        assertEquals(0, run("--pretty", "domains"));
        assertTrue(out.toString().contains("\"ok\" : true"), out.toString());
    }

    @Test
    void aClientErrorExits2AndAServerErrorExits1WithTheProblemOnStderr() {
        assertEquals(2, run("node", "bad"));
        assertTrue(err.toString().contains("urn:qis:problem:x"), err.toString());
        assertEquals(1, run("node", "down"));
        assertEquals("", out.toString());
    }

    @Test
    void anUnreachableApiExits1() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        var cli = QisApp.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertEquals(1, cli.execute("query", "--api", "http://127.0.0.1:" + closed, "domains"));
        assertTrue(err.toString().contains("unreachable"), err.toString());
        assertTrue(err.toString().startsWith("qis: API_FAILED: "), err.toString());
        assertFalse(err.toString().contains("null"), "a reason, not 'null': " + err);
    }

    @Test
    void sendsTheTokenOfItsTokenFileAndSaysSoWhenTheApiWantsOne(@TempDir Path dir) throws Exception {
        String token = "query-command-test-token-0123";
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, token + "\n");
        RestAccess access = new RestAccess(Optional.of(new BearerAuth(TokenFile.read(tokens), false)), Optional.empty());
        try (RestServer guarded = new RestServer(new InetSocketAddress("127.0.0.1", 0), new SimpleMeterRegistry(),
                RestServer.Capacity.DEFAULT, access).start(new Router(List.of(
                        Route.get("/v1/domains", r -> ApiResponse.json(Map.of("domains", List.of()))))))) {
            String url = "http://127.0.0.1:" + guarded.port();
            var cli = QisApp.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            assertEquals(0, cli.execute("query", "--api", url, "--token-file", tokens.toString(), "domains"), err.toString());
            assertTrue(out.toString().contains("\"domains\":[]"), out.toString());

            assertEquals(2, cli.execute("query", "--api", url, "domains"));
            assertTrue(err.toString().contains("\"reason\":\"missing\"") && err.toString().contains("--token-file"),
                    err.toString());

            Path wrong = dir.resolve("wrong");
            Files.writeString(wrong, "not-the-token-of-this-api\n");
            assertEquals(2, cli.execute("query", "--api", url, "--token-file", wrong.toString(), "domains"));
            assertTrue(err.toString().contains("\"reason\":\"invalid\"") && err.toString().contains("was refused"),
                    err.toString());

            assertEquals(2, cli.execute("query", "--api", url, "--token-file", dir.resolve("none").toString(), "domains"));
            assertTrue(err.toString().contains("does not exist"), err.toString());
            assertFalse(out.toString().contains(token) || err.toString().contains(token), "the token is never printed");
        }
    }
}
