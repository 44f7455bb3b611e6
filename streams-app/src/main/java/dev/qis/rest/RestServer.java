package dev.qis.rest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
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
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server of the API (the JDK's own): routes each request, turns failures into problem answers and times
 * every endpoint ({@code qis.query.latency}, tagged with the route template and the status).
 *
 * <p>Why client queries and forwarded queries are admitted apart: a client's request may wait on another instance,
 * and a forwarded one never does. If client requests could take every slot on two instances, each would wait for
 * the other to answer a forwarded request it had no slot for. So each kind has its own bound ({@link Capacity}),
 * the worker pool is larger than both together, and the operations endpoints are not bounded beyond the pool. The
 * {@link ApiRequest#FORWARDED_HEADER} header only chooses the bound; it never lifts it.
 *
 * <p>The pool is fixed and its queue bounded. A request that finds both full is answered 503 with Retry-After by
 * a small spare pool; when that is full as well the connection is closed. The JDK server reads a request's line and
 * headers on a pool thread, so a client that never finishes its request would hold one for good: the server
 * therefore sets a read limit ({@value #MAX_REQ_TIME_PROPERTY}, seconds) and a write limit
 * ({@value #MAX_RSP_TIME_PROPERTY}) unless they were given, after which the JDK closes the connection.
 *
 * <p>The server sets {@value #NODELAY_PROPERTY} to true unless it was given: with Nagle's algorithm on, a small answer
 * written in two pieces (headers, then body) waits for the client's delayed ACK, some 40 ms per request.
 *
 * <p>The JDK reads all three properties once, when the first HTTP server of the process is made.
 *
 * <p>With a {@link RestAccess} that sets TLS the server is the JDK's {@code HttpsServer}; with a bearer token every
 * request but those to the open routes is checked before it is routed or admitted, so an unknown path asked without
 * a token is a 401, not a 404, and a request without a token never takes a query slot.
 */
public final class RestServer implements AutoCloseable {
    public static final String LATENCY_METER = "qis.query.latency";
    private static final Logger LOG = LoggerFactory.getLogger(RestServer.class);
    /**
     * Client queries answered at once; more wait up to {@link #ADMISSION_WAIT} for a slot (unless requests are
     * queued for a worker thread), then get a 503.
     */
    static final int CLIENT_QUERIES = 32;
    /** Forwarded queries answered at once, a bound of their own (they are cheap: a local store read). */
    static final int FORWARDED_QUERIES = 32;
    /** Threads that answer 503 when the pool and its queue are full, and the requests they may hold. */
    static final int SPARE_THREADS = 2;
    private static final int SPARE_QUEUE = 64;
    private static final Duration ADMISSION_WAIT = Duration.ofSeconds(2);
    private static final String QUERY_PREFIX = "/v1/";
    /** The JDK server's switch for TCP_NODELAY on accepted connections, read once, when its first server is made. */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    /** Seconds a connection may take to send its request (line, headers, body) before the JDK closes it. */
    static final String MAX_REQ_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";
    static final long DEFAULT_MAX_REQ_TIME_SECONDS = 10;
    /** Seconds from a request read to its answer sent; covers a forwarded query's timeout with room to spare. */
    static final String MAX_RSP_TIME_PROPERTY = "sun.net.httpserver.maxRspTime";
    static final long DEFAULT_MAX_RSP_TIME_SECONDS = 60;
    /** Latency histogram buckets (for histogram_quantile in Grafana): few, so series stay cheap per endpoint. */
    private static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
            Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
            Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5)};

    /** Marks a request that arrived when the pool and its queue were full: it is answered 503 at once. */
    private static final ThreadLocal<Boolean> SHED = ThreadLocal.withInitial(() -> false);

    /**
     * How much the server takes on at once: worker threads, requests waiting for one, and the queries admitted
     * from clients and from other instances.
     */
    public record Capacity(int threads, int queue, int clientQueries, int forwardedQueries) {
        public static final int DEFAULT_THREADS = 96;
        public static final int DEFAULT_QUEUE = 256;
        public static final Capacity DEFAULT = new Capacity(DEFAULT_THREADS, DEFAULT_QUEUE);

        public Capacity {
            if (threads < 1 || queue < 1 || clientQueries < 1 || forwardedQueries < 1) {
                throw new IllegalArgumentException("every capacity must be at least 1: threads " + threads
                        + ", queue " + queue + ", client queries " + clientQueries + ", forwarded queries "
                        + forwardedQueries);
            }
        }

        public Capacity(int threads, int queue) {
            this(threads, queue, CLIENT_QUERIES, FORWARDED_QUERIES);
        }
    }

    private final HttpServer server;
    private final ThreadPoolExecutor executor;
    private final ThreadPoolExecutor spare;
    /** Set once by {@link #start(Router)}, before the server's threads exist. */
    private Router router;
    private final MeterRegistry registry;
    private final Capacity capacity;
    private final Semaphore clientQueries;
    private final Semaphore forwardedQueries;
    private final RestAccess access;

    /** Binds the address now (so {@link #port()} is known before the routes are), answers once started. */
    public RestServer(InetSocketAddress bind, MeterRegistry registry) throws IOException {
        this(bind, registry, Capacity.DEFAULT);
    }

    RestServer(InetSocketAddress bind, MeterRegistry registry, int clientLimit) throws IOException {
        this(bind, registry, new Capacity(Capacity.DEFAULT_THREADS, Capacity.DEFAULT_QUEUE, clientLimit,
                FORWARDED_QUERIES));
    }

    public RestServer(InetSocketAddress bind, MeterRegistry registry, Capacity capacity) throws IOException {
        this(bind, registry, capacity, RestAccess.NONE);
    }

    public RestServer(InetSocketAddress bind, MeterRegistry registry, Capacity capacity, RestAccess access)
            throws IOException {
        this.capacity = capacity;
        this.access = access;
        this.clientQueries = new Semaphore(capacity.clientQueries());
        this.forwardedQueries = new Semaphore(capacity.forwardedQueries());
        this.registry = registry;
        setUnlessGiven(NODELAY_PROPERTY, "true");
        setUnlessGiven(MAX_REQ_TIME_PROPERTY, Long.toString(DEFAULT_MAX_REQ_TIME_SECONDS));
        setUnlessGiven(MAX_RSP_TIME_PROPERTY, Long.toString(DEFAULT_MAX_RSP_TIME_SECONDS));
        if (access.tls().isPresent()) {
            HttpsServer https = HttpsServer.create(bind, 0);
            https.setHttpsConfigurator(access.tls().get().configurator());
            this.server = https;
        } else {
            this.server = HttpServer.create(bind, 0);
        }
        this.spare = new ThreadPoolExecutor(SPARE_THREADS, SPARE_THREADS, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(SPARE_QUEUE), daemons("qis-rest-busy-"), (r, pool) -> {
                    // the JDK server closes the connection when its executor refuses a request
                    throw new RejectedExecutionException("the REST server and its spare pool are full");
                });
        this.executor = new ThreadPoolExecutor(capacity.threads(), capacity.threads(), 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(capacity.queue()), daemons("qis-rest-"),
                (r, pool) -> spare.execute(() -> {
                    SHED.set(true);
                    try {
                        r.run();
                    } finally {
                        SHED.remove();
                    }
                }));
        executor.allowCoreThreadTimeOut(true);
        spare.allowCoreThreadTimeOut(true);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
    }

    private static void setUnlessGiven(String property, String value) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, value);
        }
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
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

    /** Who may ask and how they connect. */
    public RestAccess access() {
        return access;
    }

    /** The address actually bound. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        String path = exchange.getRequestURI().getRawPath();
        String endpoint = "unmatched";
        ApiResponse response;
        boolean forwarded = exchange.getRequestHeaders().containsKey(ApiRequest.FORWARDED_HEADER);
        Semaphore slots = !path.startsWith(QUERY_PREFIX) ? null : forwarded ? forwardedQueries : clientQueries;
        boolean admitted = false;
        try {
            if (SHED.get()) {
                throw ProblemException.unavailable("the server is busy: " + capacity.threads()
                        + " requests are being answered and " + capacity.queue() + " are waiting");
            }
            Router.Match match;
            try {
                match = router.match(exchange.getRequestMethod(), path);
            } catch (ProblemException unmatched) {
                requireToken(exchange, null); // without a token a client learns nothing of which paths exist
                throw unmatched;
            }
            endpoint = match.route().template();
            requireToken(exchange, endpoint);
            if (slots != null) {
                // waiting for a slot holds a worker thread: only when no request is waiting for one
                admitted = slots.tryAcquire() || executor.getQueue().isEmpty()
                        && slots.tryAcquire(ADMISSION_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (!admitted) {
                    throw ProblemException.unavailable((forwarded ? capacity.forwardedQueries() + " forwarded"
                            : capacity.clientQueries()) + " queries are being answered already");
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
                slots.release();
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

    /** Refuses a request without a valid token unless its route (by template; null when none matched) is open. */
    private void requireToken(HttpExchange exchange, String template) {
        if (access.bearer().isPresent() && (template == null || !access.bearer().get().isOpen(template))) {
            access.bearer().get().require(exchange.getRequestHeaders().getFirst("Authorization"));
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
                throw ProblemException.badRequest("unknown query parameter(s) " + ProblemException.echo(unknown.toString())
                        + "; this endpoint takes "
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
        spare.shutdownNow();
    }
}
