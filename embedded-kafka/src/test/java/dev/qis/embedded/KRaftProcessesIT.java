package dev.qis.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Three brokers and a controller as separate JVMs: a broker killed with SIGKILL while records are produced with
 * acks=all and min.insync.replicas=2 loses nothing and doubles nothing, the survivors keep serving producers and
 * consumers, and the killed broker starts again on its own data and rejoins every partition's in-sync set.
 */
@Tag("integration")
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class KRaftProcessesIT {
    private static final String TOPIC = "processes-it";
    private static final int PARTITIONS = 3;

    @Test
    void aBrokerKilledWithSigkillLosesNoAcknowledgedRecordAndRejoins() throws Exception {
        Path dir;
        try (KRaftProcesses cluster = KRaftProcesses.start(3, Map.of("group.initial.rebalance.delay.ms", "0"), null,
                List.of())) {
            dir = cluster.directory();
            assertEquals(List.of(1, 2, 3), cluster.brokerIds());
            assertTrue(cluster.bootstrapServers().matches("(127\\.0\\.0\\.1:\\d+,){2}127\\.0\\.0\\.1:\\d+"),
                    "three loopback brokers: " + cluster.bootstrapServers());
            long controllerPid = cluster.pid(0).orElseThrow();
            List<Long> brokerPids = cluster.brokerIds().stream().map(id -> cluster.pid(id).orElseThrow()).toList();
            assertTrue(brokerPids.stream().noneMatch(p -> p == ProcessHandle.current().pid() || p == controllerPid),
                    "every node is a process of its own: " + brokerPids);

            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                    cluster.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 3)
                        .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, "2")))).all().get(60, TimeUnit.SECONDS);
                awaitIsr(admin, 3, Duration.ofSeconds(60));

                List<String> acknowledged = new ArrayList<>();
                try (KafkaProducer<String, String> producer = producer(cluster.bootstrapServers())) {
                    acknowledged.addAll(send(producer, "before", 300));
                    int victim = leaderOf(admin, 0);
                    long victimPid = cluster.pid(victim).orElseThrow();
                    cluster.kill(victim);
                    assertFalse(ProcessHandle.of(victimPid).map(ProcessHandle::isAlive).orElse(false),
                            "broker " + victim + " (pid " + victimPid + ") is gone");
                    // every partition keeps two in-sync replicas, so acks=all writes go on without the victim
                    acknowledged.addAll(send(producer, "without-" + victim, 300));
                    assertEquals(acknowledged.size(), readAll(cluster.bootstrapServers(), "during", acknowledged.size()),
                            "the survivors serve every acknowledged record");

                    cluster.startNode(victim);
                    assertNotEquals(victimPid, cluster.pid(victim).orElseThrow(), "a new process");
                    acknowledged.addAll(send(producer, "after", 300));
                    awaitIsr(admin, 3, Duration.ofSeconds(120));
                }
                Map<String, Integer> counts = new HashMap<>();
                int read = readAll(cluster.bootstrapServers(), "final", acknowledged.size(), counts);
                assertEquals(acknowledged.size(), read, "every acknowledged record is read");
                assertEquals(acknowledged.size(), counts.size(), "no record is lost");
                counts.forEach((value, n) -> assertEquals(1, n, value + " is read once"));
                assertTrue(counts.keySet().containsAll(acknowledged));
            }
        }
        assertFalse(Files.exists(dir), "the directory is deleted on close");
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "120000"), new StringSerializer(), new StringSerializer());
    }

    /** Sends {@code n} records and returns the values the cluster acknowledged (all of them, or the test fails). */
    private static List<String> send(KafkaProducer<String, String> producer, String phase, int n) throws Exception {
        List<Future<RecordMetadata>> futures = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String value = phase + "-" + i;
            values.add(value);
            futures.add(producer.send(new ProducerRecord<>(TOPIC, Integer.toString(i), value)));
        }
        for (Future<RecordMetadata> f : futures) {
            f.get(2, TimeUnit.MINUTES);
        }
        return values;
    }

    private static int readAll(String bootstrap, String group, int expected) {
        return readAll(bootstrap, group, expected, new HashMap<>());
    }

    private static int readAll(String bootstrap, String group, int expected, Map<String, Integer> counts) {
        int read = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            // read a little past the expected count, so a duplicate would be seen
            long quietUntil = Long.MAX_VALUE;
            while (System.nanoTime() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    counts.merge(r.value(), 1, Integer::sum);
                    read++;
                }
                if (read >= expected && quietUntil == Long.MAX_VALUE) {
                    quietUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                }
            }
        }
        return read;
    }

    private static int leaderOf(Admin admin, int partition) throws Exception {
        TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS).get(TOPIC);
        return d.partitions().get(partition).leader().id();
    }

    /** Waits until every partition has {@code replicas} in-sync replicas. */
    private static void awaitIsr(Admin admin, int replicas, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Optional<String> last = Optional.empty();
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription d = admin.describeTopics(List.of(TOPIC)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(TOPIC);
                if (d.partitions().stream().allMatch(p -> p.leader() != null && p.isr().size() == replicas)) {
                    return;
                }
                last = Optional.of(d.partitions().stream().map(TopicPartitionInfo::toString).toList().toString());
            } catch (java.util.concurrent.ExecutionException e) {
                last = Optional.of(e.getCause().toString());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("not every partition has " + replicas + " in-sync replicas after " + timeout + ": "
                + last.orElse("?"));
    }
}
