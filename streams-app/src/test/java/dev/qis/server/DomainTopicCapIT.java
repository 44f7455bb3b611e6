package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qis.domain.topics.max} on a running app: with a cap of one, the first domain gets its topic and the
 * second domain's routed packet goes whole to {@code qis.domain-overflow}; no topic is created for it.
 */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DomainTopicCapIT {
    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    @Test
    void pastTheCapARoutedPacketGoesToTheOverflowTopic(@TempDir Path stateDir) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-cap-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "1"); // one stream task: the two packets are routed in order
        props.put(QisConfig.DOMAIN_TOPICS_MAX, "1");
        NodeIdentity node = NodeIdentity.generate();
        Instant now = Instant.now();
        SignedPacket first = packet("cap-first", now, node);
        SignedPacket second = packet("cap-second", now, node);
        try (QisServer app = RunningApp.start(props); KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(now))));
            producer.send(new ProducerRecord<>(Topics.outcomes(first.fingerprint()), first.fingerprint().value(),
                    first.bytes()));
            producer.flush();
            List<ConsumerRecord<String, byte[]>> onFirst = new ArrayList<>();
            Wait.waitFor(() -> onFirst.addAll(read(Topics.domain("cap-first"))) || !onFirst.isEmpty(),
                    Duration.ofSeconds(90), () -> "the first domain's packet on its own topic");
            assertArrayEquals(first.bytes(), onFirst.get(0).value());

            producer.send(new ProducerRecord<>(Topics.outcomes(second.fingerprint()), second.fingerprint().value(),
                    second.bytes()));
            producer.flush();
            List<ConsumerRecord<String, byte[]>> overflow = new ArrayList<>();
            Wait.waitFor(() -> overflow.addAll(read(Topics.DOMAIN_OVERFLOW)) || !overflow.isEmpty(),
                    Duration.ofSeconds(90), () -> "the second domain's packet on the overflow topic");
            assertEquals(1, overflow.size());
            assertEquals(second.fingerprint().value(), overflow.get(0).key());
            assertArrayEquals(second.bytes(), overflow.get(0).value());
            assertFalse(topics().contains(Topics.domain("cap-second")), "no topic past the cap");
        }
    }

    private static SignedPacket packet(String task, Instant now, NodeIdentity node) {
        return Packets.plain(task, 56).issuedAt(now.minusSeconds(60)).sign(node);
    }

    /** Every committed record of a topic so far (none when it does not exist yet). */
    private static List<ConsumerRecord<String, byte[]>> read(String topic) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new ByteArrayDeserializer())) {
            if (!topicsQuietly().contains(topic)) {
                return List.of();
            }
            var partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
            consumer.poll(Duration.ofSeconds(2)).forEach(out::add);
            return out;
        }
    }

    private static Set<String> topicsQuietly() {
        try {
            return topics();
        } catch (Exception e) {
            return Set.of();
        }
    }

    private static Set<String> topics() throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers()))) {
            return admin.listTopics().names().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
