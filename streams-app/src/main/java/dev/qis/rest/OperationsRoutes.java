package dev.qis.rest;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/** The operations endpoints: instances, liveness, readiness, Prometheus metrics and the OpenAPI document. */
public final class OperationsRoutes {
    public static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    public static final String OPENAPI_RESOURCE = "/openapi.yaml";

    private final Supplier<KafkaStreams> streams;
    private final HostInfo self;
    private final PrometheusMeterRegistry registry;

    /** {@code streams} is a supplier because the REST port is bound before the stream app is built. */
    public OperationsRoutes(Supplier<KafkaStreams> streams, HostInfo self, PrometheusMeterRegistry registry) {
        this.streams = streams;
        this.self = self;
        this.registry = registry;
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/instances", r -> instances()),
                Route.get("/health/live", r -> ApiResponse.json(Map.of("status", "UP"))),
                Route.get("/health/ready", r -> ready()),
                Route.get("/metrics", r -> ApiResponse.text(PROMETHEUS_CONTENT_TYPE, registry.scrape())),
                Route.get("/openapi.yaml", r -> ApiResponse.text("application/yaml; charset=utf-8", openApi())));
    }

    private KafkaStreams.State state() {
        KafkaStreams s = streams.get();
        return s == null ? KafkaStreams.State.CREATED : s.state();
    }

    private ApiResponse ready() {
        KafkaStreams.State state = state();
        if (state != KafkaStreams.State.RUNNING) {
            throw ProblemException.unavailable("the stream app is " + state + ", not RUNNING");
        }
        return ApiResponse.json(Map.of("status", "UP", "state", state.name()));
    }

    private ApiResponse instances() {
        KafkaStreams.State state = state();
        if (state != KafkaStreams.State.RUNNING) {
            throw ProblemException.unavailable("the stream app is " + state + ", not RUNNING: the instance list is "
                    + "not settled");
        }
        Collection<StreamsMetadata> all = streams.get().metadataForAllStreamsClients();
        List<InstancesResponse.Instance> out = new ArrayList<>();
        for (StreamsMetadata m : all) {
            List<String> stores = new ArrayList<>(m.stateStoreNames());
            stores.sort(null);
            out.add(new InstancesResponse.Instance(m.host(), m.port(), m.hostInfo().equals(self), stores,
                    names(m.topicPartitions()), names(m.standbyTopicPartitions())));
        }
        out.sort((a, b) -> (a.host() + ":" + a.port()).compareTo(b.host() + ":" + b.port()));
        return ApiResponse.json(new InstancesResponse(self.host() + ":" + self.port(), state.name(), out));
    }

    private static List<String> names(Collection<TopicPartition> partitions) {
        return partitions.stream().map(TopicPartition::toString).sorted().toList();
    }

    static String openApi() {
        try (InputStream in = OperationsRoutes.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + OPENAPI_RESOURCE + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
