package dev.qis.publish;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A one-broker KRaft cluster in the JVM for integration tests, and a way to read topics back. The stream app's
 * {@code dev.qis.embedded.EmbeddedKafka} is not used here: it is runtime code of streams-app ({@code qis demo}),
 * which depends on this module, and moving it here would put the broker on every publisher's class path. So this
 * stays a test fixture with only the settings a single broker needs, plus auto-creation off so the tests see that
 * the publisher creates its topics.
 */
public final class SingleBrokerCluster implements AutoCloseable {
    private final KafkaClusterTestKit cluster;

    private SingleBrokerCluster(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static SingleBrokerCluster start() throws Exception {
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                .setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                // One broker: internal topics cannot have three replicas, or groups and transactions hang.
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new SingleBrokerCluster(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public org.apache.kafka.clients.admin.Admin admin() {
        return cluster.admin();
    }

    /**
     * Reads the topics from the beginning until {@code done} holds for everything read so far, or fails after
     * {@code timeout} saying what it has seen.
     */
    public List<ConsumerRecord<String, byte[]>> readUntil(Collection<String> topics, String isolation,
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout, String waitingFor) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(isolation)) {
            consumer.assign(partitions(consumer, topics));
            consumer.seekToBeginning(consumer.assignment());
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(seen)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out after " + timeout + " waiting for " + waitingFor + "; read "
                            + seen.size() + " record(s)");
                }
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
        }
        return seen;
    }

    /** Everything in the topics up to their current end (uncommitted records included with read_uncommitted). */
    public List<ConsumerRecord<String, byte[]>> readToEnd(Collection<String> topics, String isolation) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(isolation)) {
            List<TopicPartition> partitions = partitions(consumer, topics);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("timed out reading " + topics + " to their end offsets " + end);
                }
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            }
        }
        return seen;
    }

    private KafkaConsumer<String, byte[]> consumer(String isolation) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer());
    }

    private static List<TopicPartition> partitions(KafkaConsumer<String, byte[]> consumer, Collection<String> topics) {
        List<TopicPartition> out = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> out.add(new TopicPartition(topic, p.partition())));
        }
        if (out.isEmpty()) {
            throw new AssertionError("none of " + topics + " exists");
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
