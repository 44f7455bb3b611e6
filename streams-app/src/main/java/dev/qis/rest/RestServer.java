package dev.qis.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.qis.query.StateUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the API (the JDK's own): routes each request, turns failures into problem answers and times
 * every endpoint ({@code qis.query.latency}, tagged with the route template and the status).
 *
 * <p>Why requests from clients are limited and requests from other instances are not: a client's request may wait
 * on another instance, and a forwarded one never does. If client requests could take every thread on two
 * instances, each would wait for the other to answer a forwarded request it had no thread for. Forwarded requests
 * and the operations endpoints therefore always get a thread; client queries beyond the limit get a 503.
 *
 * <p>The server sets {@value #NODELAY_PROPERTY} to true unless it was given: with Nagle's algorithm on, a small answer
 * written in two pieces (headers, then body) waits for the client's delayed ACK, some 40 ms per request.
 */
public final class RestServer implements AutoCloseable {
    public static final String LATENCY_METER = "qis.query.latency";
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    /** Client queries answered at once; more wait up to {@link #ADMISSION_WAIT} for a slot, then get a 503. */
    static final int CLIENT_QUERIES = 32;
    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(2);
    private static final String QUERY_PREFIX = "/v1/";
    /** The JDK server's switch for TCP_NODELAY on accepted connections, read once, when its first server is made. */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    /** Latency histogram buckets (for histogram_quantile in Grafana): few, so series stay cheap per endpoint. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private final HttpServer server;
    private final ExecutorService executor;
    /** Set once by {@link #start(Router)}, before the server's threads exist. */
    private Router router;
    private final MeterRegistry registry;
    private final int clientLimit;
    private final Semaphore clientQueries;

    /** Binds the address now (so {@link #port()} is known before the routes are), answers once started. */
    public RestServer(InetSocketAddress bind, MeterRegistry registry) throws IOException {
        this(bind, registry, CLIENT_QUERIES);
    }

    RestServer(InetSocketAddress bind, MeterRegistry registry, int clientLimit) throws IOException {
        this.clientLimit = clientLimit;
        this.clientQueries = new Semaphore(clientLimit);
        this.registry = registry;
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        this.server = HttpServer.create(bind, 0);
        AtomicInteger n = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "qis-rest-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    /** Starts answering with these routes. */
    public RestServer start(Router routes) {
        if (router != null) {
            throw new IllegalStateException("already started");
        }
        router = routes;
        server.start();
        return this;
    }

    /** The port actually bound (useful when binding port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getRawPath();
        String endpoint = "unmatched";
        ApiResponse response;
        boolean limited = path.startsWith(QUERY_PREFIX)
                && !exchange.getRequestHeaders().containsKey(ApiRequest.FORWARDED_HEADER);
        boolean admitted = false;
        try {
            Router.Match match = router.match(exchange.getRequestMethod(), path);
            endpoint = match.route().template();
            if (limited) {
                admitted = clientQueries.tryAcquire(ADMISSION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (!admitted) {
                    throw ProblemException.unavailable(clientLimit + " queries are being answered already");
                }
            }
            response = answer(exchange, match);
        } catch (ProblemException e) {
            response = ApiResponse.problem(e, path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            response = ApiResponse.problem(ProblemException.unavailable("the server is stopping"), path);
        } finally {
            if (admitted) {
                clientQueries.release();
            }
        }
        try {
            send(exchange, response);
        } finally {
            Timer.builder(LATENCY_METER)
                    .description("Time to answer an API request")
                    .tags("endpoint", endpoint, "status", Integer.toString(response.status()))
                    .serviceLevelObjectives(LATENCY_BUCKETS)
                    .register(registry)
                    .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static ApiResponse answer(HttpExchange exchange, Router.Match match) {
        String path = exchange.getRequestURI().getRawPath();
        try {
            String rawQuery = exchange.getRequestURI().getRawQuery();
            Map<String, String> query = ApiRequest.parseQuery(rawQuery);
            Set<String> unknown = new TreeSet<>(query.keySet());
            unknown.removeAll(match.route().params());
            if (!unknown.isEmpty()) {
                throw ProblemException.badRequest("unknown query parameter(s) " + unknown + "; this endpoint takes "
                        + new TreeSet<>(match.route().params()));
            }
            boolean forwarded = exchange.getRequestHeaders().containsKey(ApiRequest.FORWARDED_HEADER);
            ApiRequest request = new ApiRequest(path, rawQuery, match.pathParams(), query, forwarded);
            return match.route().handler().handle(request);
        } catch (ProblemException e) {
            return ApiResponse.problem(e, path);
        } catch (StateUnavailableException e) {
            return ApiResponse.problem(ProblemException.unavailable(e.getMessage()), path);
        } catch (Exception e) {
            LOG.error("{} {} failed", exchange.getRequestMethod(), path, e);
            return ApiResponse.problem(ProblemException.internal(e.getClass().getSimpleName() + ": " + e.getMessage()),
                    path);
        }
    }

    private static void send(HttpExchange exchange, ApiResponse response) throws IOException {
        try (exchange) {
            exchange.getResponseHeaders().set("Content-Type", response.contentType());
            response.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(response.status(), head ? -1 : response.body().length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
