package dev.qis.rest;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.query.FanOut;
import dev.qis.query.OwnerLocator;
import dev.qis.query.PeerClient;
import dev.qis.query.StateViews;
import dev.qis.store.Breakdowns;
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

    /** What the API needs besides the stream app itself. */
    public record Settings(HostInfo self, Duration queryTimeout, int partitions, FidelityParams fidelity, Clock clock) {
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
        return new QueryApi(new RestServer(address, registry), registry);
    }

    /** Starts answering for this stream app (503 until it is RUNNING). */
    public QueryApi serve(KafkaStreams streams, Settings settings) {
        PeerClient peers = new PeerClient(settings.self(), settings.queryTimeout(), registry);
        StateViews views = new StateViews(streams, new Breakdowns(new Elections(settings.fidelity())), settings.clock());
        QueryRoutes queries = new QueryRoutes(views, new OwnerLocator(streams, settings.self()), peers,
                new FanOut(streams, settings.self(), peers, settings.partitions()), settings.fidelity());
        OperationsRoutes operations = new OperationsRoutes(() -> streams, settings.self(), registry);
        server.start(new Router(routes(queries, operations)));
        return this;
    }

    /** Every route of the API; the OpenAPI document must list exactly these. */
    public static List<Route> routes(QueryRoutes queries, OperationsRoutes operations) {
        List<Route> all = new ArrayList<>(queries.routes());
        all.addAll(operations.routes());
        return all;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
