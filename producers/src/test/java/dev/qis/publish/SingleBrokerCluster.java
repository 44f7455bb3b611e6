package dev.qis.publish;

import dev.qis.embedded.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A one-broker KRaft cluster in the JVM for integration tests ({@link EmbeddedKafka}, the in-process cluster of {@code
 * qis demo}: auto-creation off, so the tests see that the publisher creates its topics), and a way to read topics back.
 */
public final class SingleBrokerCluster implements AutoCloseable {
    private final EmbeddedKafka cluster;

    private SingleBrokerCluster(EmbeddedKafka cluster) {
        this.cluster = cluster;
    }

    public static SingleBrokerCluster start() {
        return new SingleBrokerCluster(EmbeddedKafka.start());
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** A new admin client of the cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
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
    public void close() {
        cluster.close();
    }
}
