package dev.qis.testing;

import dev.qis.embedded.EmbeddedKafka;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The tests' one real Kafka cluster in the JVM ({@link EmbeddedKafka}, the in-process cluster of {@code qis demo}:
 * auto-creation off, so a test sees that the publisher and the app create their own topics), and the ways tests talk
 * to it: an admin, a producer, registering node keys, reading topics back.
 *
 * <p>One cluster per test class: {@code @RegisterExtension static final InJvmKafka kafka = new InJvmKafka();} starts
 * it before the first test and stops it after the last. Each test still uses its own application id and topics. A
 * test that must own a cluster of its own (to stop it, say) takes {@link #start()} in a try-with-resources.
 */
public final class InJvmKafka implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final Duration READ_TO_END = Duration.ofSeconds(60);

    private EmbeddedKafka kafka;

    /** A cluster the extension starts before the class's first test. */
    public InJvmKafka() {
    }

    /** A cluster started now, for one test; the caller closes it. */
    public static InJvmKafka start() {
        InJvmKafka cluster = new InJvmKafka();
        cluster.kafka = EmbeddedKafka.start();
        return cluster;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        kafka = EmbeddedKafka.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
    }

    public String bootstrapServers() {
        if (kafka == null) {
            throw new IllegalStateException("the broker runs only while the test class runs");
        }
        return kafka.bootstrapServers();
    }

    /** A new admin client of the cluster; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** A new producer of string keys and byte values, every write acknowledged by all replicas; the caller closes it. */
    public KafkaProducer<String, byte[]> producer() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    /**
     * Publishes each node's key (issued at {@code issued}) on {@link Topics#NODES} and waits until the broker has
     * them: a stream app that starts afterwards can verify their packets. The topic must exist.
     */
    public void registerNodes(Instant issued, Collection<NodeIdentity> nodes) {
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (NodeIdentity n : nodes) {
                producer.send(new ProducerRecord<>(Topics.NODES, n.nodeId(), ProtocolCodec.encode(n.nodeKey(issued))))
                        .get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted registering node keys", e);
        } catch (ExecutionException e) {
            throw new AssertionError("the broker did not take the node keys: " + e.getCause(), e.getCause());
        }
    }

    /**
     * Reads the topics from the beginning until {@code done} holds for everything read so far, or fails after
     * {@code timeout} saying what it waited for and how much it read.
     */
    public List<ConsumerRecord<String, byte[]>> readUntil(Collection<String> topics, String isolation,
            Predicate<List<ConsumerRecord<String, byte[]>>> done, Duration timeout, String waitingFor) {
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = consumer(isolation)) {
            consumer.assign(partitions(consumer, topics));
            consumer.seekToBeginning(consumer.assignment());
            Wait.waitFor(() -> {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                return done.test(seen);
            }, timeout, () -> waitingFor + "; read " + seen.size() + " record(s) of " + topics);
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
            Wait.waitFor(() -> {
                if (partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                    return true;
                }
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
                return false;
            }, READ_TO_END, () -> "reading " + topics + " to their end offsets " + end + "; read " + seen.size());
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
}
