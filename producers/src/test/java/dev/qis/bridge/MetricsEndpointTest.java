package dev.qis.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The bridge's counters as Prometheus metrics, and as the console's summary line. */
class MetricsEndpointTest {
    @Test
    void countersAreServedAtMetrics() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        BridgeCounters counters = new BridgeCounters(registry);
        counters.read(5);
        counters.published(3);
        counters.duplicate();
        counters.deadLetter(DeadLetterReason.NOT_FINISHED);
        assertEquals("read 5 events, published 3 packets, 1 duplicates, dead-lettered 1 (NOT_FINISHED 1)", counters.summary());
        try (MetricsEndpoint endpoint = MetricsEndpoint.start(0, registry)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://localhost:" + endpoint.port() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            String body = response.body();
            assertTrue(body.contains("qis_bridge_events_read_total 5.0"), body);
            assertTrue(body.contains("qis_bridge_packets_published_total 3.0"), body);
            assertTrue(body.contains("qis_bridge_duplicates_total 1.0"), body);
            assertTrue(body.contains("qis_bridge_dead_lettered_total{reason=\"NOT_FINISHED\"} 1.0"), body);
            assertTrue(body.contains("qis_bridge_dead_lettered_total{reason=\"NO_BASELINE\"} 0.0"), body);
        }
    }
}
