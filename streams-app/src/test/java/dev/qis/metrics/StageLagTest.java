package dev.qis.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StageLagTest {
    @Test
    void eachTopicBelongsToTheStageThatReadsIt() {
        assertEquals("ingest", StageLag.stageOf("qis.outcomes.a"));
        assertEquals("ingest", StageLag.stageOf("qis.votes"));
        assertEquals("packet-state", StageLag.stageOf("qis-streams-qis-events-repartition"));
        assertEquals("node-tally", StageLag.stageOf("qis-streams-qis-by-node-repartition"));
        assertEquals("domain-view", StageLag.stageOf("app-1-qis-by-domain-repartition"));
        assertNull(StageLag.stageOf("qis.nodes"));
        assertNull(StageLag.stageOf("qis.node-trust"));
    }

    @Test
    void theGaugeSumsThePartitionLagsOfItsStage() {
        Map<MetricName, Metric> metrics = new LinkedHashMap<>();
        put(metrics, "records-lag", "qis.outcomes.0", "0", 5);
        put(metrics, "records-lag", "qis.outcomes.f", "3", 7);
        put(metrics, "records-lag", "qis.votes", "1", 1);
        put(metrics, "records-lag-max", "qis.outcomes.0", "0", 100); // not a lag of one partition now
        put(metrics, "records-lag", "x-qis-events-repartition", "2", 4);
        put(metrics, "records-lag", "x-qis-events-repartition", "4", Double.NaN); // not yet fetched
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new StageLag(() -> metrics).bindTo(registry);
        assertEquals(13, registry.get(StageLag.NAME).tag("stage", "ingest").gauge().value());
        assertEquals(4, registry.get(StageLag.NAME).tag("stage", "packet-state").gauge().value());
        assertEquals(0, registry.get(StageLag.NAME).tag("stage", "domain-view").gauge().value());
    }

    private static void put(Map<MetricName, Metric> metrics, String name, String topic, String partition,
                            double value) {
        MetricName metricName = new MetricName(name, "consumer-fetch-manager-metrics", "",
                Map.of("client-id", "c", "topic", topic, "partition", partition));
        metrics.put(metricName, new Metric() {
            @Override
            public MetricName metricName() {
                return metricName;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }
}
