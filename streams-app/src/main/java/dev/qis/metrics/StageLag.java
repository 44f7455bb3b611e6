package dev.qis.metrics;

import dev.qis.protocol.Topics;
import dev.qis.store.StoreNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Consumer lag per stage of the topology: the records this instance's stream threads have yet to read, summed over
 * the partitions they own of the stage's input topics (Kafka's per-partition {@code records-lag}). A stage that
 * falls behind shows here before its queries go stale. In Prometheus: {@code qis_consumer_lag_records{stage}}, with
 * stage {@code ingest} (outcome and vote topics), {@code packet-state}, {@code node-tally} and {@code domain-view}.
 */
public final class StageLag implements MeterBinder {
    public static final String NAME = "qis.consumer.lag.records";
    static final String[] STAGES = {"ingest", "packet-state", "node-tally", "domain-view"};

    private final Supplier<Map<MetricName, ? extends Metric>> metrics;

    public StageLag(Supplier<Map<MetricName, ? extends Metric>> metrics) {
        this.metrics = metrics;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (String stage : STAGES) {
            Gauge.builder(NAME, () -> lag(stage)).tag("stage", stage)
                    .description("Records not yet read by this instance, per stage of the topology")
                    .baseUnit("records").register(registry);
        }
    }

    /** The summed lag of a stage; 0 when this instance owns none of its partitions. */
    double lag(String stage) {
        double sum = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.get().entrySet()) {
            MetricName name = e.getKey();
            String topic = name.tags().get("topic");
            if (topic == null || !"records-lag".equals(name.name()) || !name.tags().containsKey("partition")
                    || !stage.equals(stageOf(topic))) {
                continue;
            }
            if (e.getValue().metricValue() instanceof Number n && !Double.isNaN(n.doubleValue())) {
                sum += n.doubleValue();
            }
        }
        return sum;
    }

    /** The stage that reads a topic, or null for topics outside the four stages (nodes, node trust). */
    static String stageOf(String topic) {
        if (Topics.OUTCOMES_PATTERN.matcher(topic).matches() || topic.equals(Topics.VOTES)) {
            return "ingest";
        }
        if (topic.endsWith("-" + StoreNames.EVENTS_REPARTITION + "-repartition")) {
            return "packet-state";
        }
        if (topic.endsWith("-" + StoreNames.BY_NODE_REPARTITION + "-repartition")) {
            return "node-tally";
        }
        if (topic.endsWith("-" + StoreNames.BY_DOMAIN_REPARTITION + "-repartition")) {
            return "domain-view";
        }
        return null;
    }
}
