package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.testing.Wait;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Clients that open a connection, send half a request and stop: the server's threads stay bounded, every such
 * connection is closed once the read limit passes, and a normal request is answered afterwards. The server runs in
 * a JVM of its own ({@link SlowClientProbeServer}) because the JDK reads its connection limits once per process.
 */
@Tag("integration")
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RestServerSlowClientIT {
    private static final int SLOW_CLIENTS = 200;
    /** Well past the default read limit (and the JDK's one-second check of it). */
    private static final int CLOSED_WITHIN_MS = (int) TimeUnit.SECONDS.toMillis(
            RestServer.DEFAULT_MAX_REQ_TIME_SECONDS * 3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process server;
    private int port;

    @BeforeEach
    void startServer() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SlowClientProbeServer.class.getName())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                StandardCharsets.UTF_8));
        String line = out.readLine();
        assertTrue(line != null && line.startsWith("port "), "the probe server prints its port, got " + line);
        port = Integer.parseInt(line.substring("port ".length()));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.getOutputStream().close();
        if (!server.waitFor(10, TimeUnit.SECONDS)) {
            server.destroyForcibly();
        }
    }

    @Test
    void halfRequestsAreClosedAndThreadsStayBounded() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < SLOW_CLIENTS; i++) {
                slow.add(halfRequest());
            }
            for (Socket s : slow) {
                assertClosedByServer(s);
            }
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }

        HttpResponse<String> ok = answered("/v1/ok");
        assertEquals(200, ok.statusCode(), ok.body());

        // one slow client alone gets a worker thread rather than a refusal, and is still closed
        try (Socket lone = halfRequest()) {
            assertClosedByServer(lone);
        }
        assertEquals(200, answered("/v1/ok").statusCode());

        JsonNode threads = ApiJson.mapper().readTree(answered("/threads").body());
        int peak = threads.path("peak_rest_threads").asInt();
        System.out.println("slow clients " + SLOW_CLIENTS + ": peak REST threads " + peak + ", threads now "
                + threads.path("all_threads").asInt());
        assertTrue(peak >= 1, threads.toString());
        assertTrue(peak <= SlowClientProbeServer.THREADS + RestServer.SPARE_THREADS,
                "REST threads stay within the pool and its spare: " + threads);
    }

    private Socket halfRequest() throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.getOutputStream().write("GET /v1/ok HT".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private static void assertClosedByServer(Socket s) throws IOException {
        s.setSoTimeout(CLOSED_WITHIN_MS);
        try {
            int read = s.getInputStream().read();
            assertTrue(read == -1 || read == 'H', "a half request gets no answer but a closed connection, got "
                    + read);
        } catch (SocketTimeoutException e) {
            fail("a connection that sent half a request is still open after " + CLOSED_WITHIN_MS + " ms");
        } catch (IOException e) {
            // reset by the server: closed as well
        }
    }

    /** A normal request, retried while the server is still clearing the slow connections. */
    private HttpResponse<String> answered(String path) {
        return Wait.waitFor(() -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (ConnectException e) {
                throw new AssertionError("the server no longer accepts connections", e);
            }
        }, r -> r.statusCode() != 503, Duration.ofSeconds(30),
                r -> path + " answered without a 503" + (r == null ? "" : "; last: " + r.statusCode()));
    }
}
