package dev.qis.rest;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Synthesis;
import dev.qis.query.Breakdowns;
import dev.qis.query.FanOut;
import dev.qis.query.OwnerLocator;
import dev.qis.query.PeerClient;
import dev.qis.query.QueryService;
import dev.qis.query.StateViews;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;

/** The REST API of one app instance, wired to its KafkaStreams: every route, served until closed. */
public final class QueryApi implements AutoCloseable {
    private final RestServer server;
    private final PrometheusMeterRegistry registry;

    /**
     * What the API needs besides the stream app itself; {@code simulation} is what a simulator beside this instance
     * reports (empty unless {@code qis demo} runs one).
     */
    public record Settings(HostInfo self, Duration queryTimeout, int partitions, FidelityParams fidelity, Clock clock,
                           SimulationFeed simulation) {
        public Settings(HostInfo self, Duration queryTimeout, int partitions, FidelityParams fidelity, Clock clock) {
            this(self, queryTimeout, partitions, fidelity, clock, new SimulationFeed());
        }
    }

    private QueryApi(RestServer server, PrometheusMeterRegistry registry) {
        this.server = server;
        this.registry = registry;
    }

    /**
     * Binds the port without answering yet: with port 0 the real port is known before the stream app is built,
     * which must be told it as its {@code application.server}.
     */
    public static QueryApi bind(InetSocketAddress address, PrometheusMeterRegistry registry) throws IOException {
        return bind(address, registry, RestServer.Capacity.DEFAULT);
    }

    public static QueryApi bind(InetSocketAddress address, PrometheusMeterRegistry registry,
                                RestServer.Capacity capacity) throws IOException {
        return bind(address, registry, capacity, RestAccess.NONE);
    }

    public static QueryApi bind(InetSocketAddress address, PrometheusMeterRegistry registry,
                                RestServer.Capacity capacity, RestAccess access) throws IOException {
        return new QueryApi(new RestServer(address, registry, capacity, access), registry);
    }

    /** Starts answering for this stream app (503 until it is RUNNING). */
    public QueryApi serve(KafkaStreams streams, Settings settings) {
        RestAccess access = server.access();
        PeerClient peers = new PeerClient(settings.self(), settings.queryTimeout(), registry,
                access.tls().map(RestTls::context), () -> access.bearer().map(BearerAuth::ownToken));
        // one scoring for every answer: the views score what they read with the same breakdowns the service uses
        Breakdowns breakdowns = new Breakdowns(new Elections(settings.fidelity()));
        StateViews views = new StateViews(streams, breakdowns, settings.clock());
        QueryService service = new QueryService(views,
                new OwnerLocator(streams, settings.self(), settings.partitions()), peers,
                new FanOut(streams, settings.self(), peers, settings.partitions()), breakdowns,
                new Synthesis(settings.fidelity()), settings.fidelity().maxPerNode());
        QueryRoutes queries = new QueryRoutes(service);
        OperationsRoutes operations = new OperationsRoutes(() -> streams, settings.self(), registry);
        ConsoleRoutes console = new ConsoleRoutes(settings.simulation());
        server.start(new Router(routes(queries, operations, console)));
        return this;
    }

    /** Every route of the API and the console; the OpenAPI document must list exactly these. */
    public static List<Route> routes(QueryRoutes queries, OperationsRoutes operations, ConsoleRoutes console) {
        List<Route> all = new ArrayList<>(queries.routes());
        all.addAll(operations.routes());
        all.addAll(console.routes());
        return all;
    }

    public int port() {
        return server.port();
    }

    public RestAccess access() {
        return server.access();
    }

    /** The address the server is bound to (a wildcard address when it listens on all interfaces). */
    public InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
    }
}
