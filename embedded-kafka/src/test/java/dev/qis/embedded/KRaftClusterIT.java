package dev.qis.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
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
import org.apache.kafka.common.Node;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KRaftClusterIT {
    private static final Map<String, String> SETTINGS = Map.of("group.initial.rebalance.delay.ms", "0");

    @ParameterizedTest(name = "{0} broker(s)")
    @ValueSource(ints = {1, 3})
    void servesTransactionsAndGroupsOnEveryBrokerAndLeavesNothingBehind(int brokers) throws Exception {
        Path dir;
        try (KRaftCluster cluster = KRaftCluster.start(brokers, SETTINGS)) {
            dir = cluster.directory();
            assertTrue(Files.isDirectory(dir));
            String bootstrap = cluster.bootstrapServers();
            List<String> addresses = Arrays.asList(bootstrap.split(","));
            assertEquals(brokers, addresses.size(), "one address per broker: " + bootstrap);
            assertTrue(addresses.stream().allMatch(a -> a.startsWith("127.0.0.1:")), "loopback only: " + bootstrap);

            String topic = "kraft-it-" + brokers;
            short replication = (short) Math.min(3, brokers);
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
                Set<Integer> ids = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(Node::id)
                        .collect(Collectors.toCollection(TreeSet::new));
                assertEquals(brokers, ids.size(), "every broker is listed: " + ids);
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(brokers), Optional.of(replication))))
                        .all().get(30, TimeUnit.SECONDS);
                TopicDescription description = describedWithLeaders(admin, topic);
                description.partitions().forEach(p -> assertEquals(replication, p.replicas().size(),
                        "partition " + p.partition() + " has " + replication + " replica(s)"));
            }

            List<String> sent = IntStream.range(0, brokers).mapToObj(i -> "v" + i).toList();
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kraft-it-" + brokers), new StringSerializer(),
                    new StringSerializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                // one record per partition, so every broker leads a partition that is written and read
                for (int p = 0; p < brokers; p++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + p, sent.get(p)));
                }
                producer.commitTransaction();
            }

            List<String> read = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.GROUP_ID_CONFIG, topic,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(),
                    new StringDeserializer())) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (read.size() < sent.size() && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        read.add(r.value());
                    }
                }
                consumer.commitSync();
            }
            assertEquals(new TreeSet<>(sent), new TreeSet<>(read), "the committed records, read by a consumer group");
            assertEquals(sent.size(), read.size(), "each record once: " + read);
        }
        assertFalse(Files.exists(dir), "the directory is deleted on close");
    }

    /**
     * The topic as the cluster describes it once every partition has a leader. A broker learns of a new topic from
     * the controller a moment after the create returns, and until then answers UNKNOWN_TOPIC_OR_PARTITION.
     */
    private static TopicDescription describedWithLeaders(Admin admin, String topic) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS)
                        .get(topic);
                if (d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                    return d;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                if (!(e.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException)) {
                    throw e;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("topic " + topic + " has no leader for every partition after 30 s");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void startsAgainOnOtherPortsWhenAPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(KRaftNode.HOST))) {
            AtomicInteger attempts = new AtomicInteger();
            KRaftCluster.PortFinder firstTakenThenFree = count -> {
                int[] ports = KRaftCluster.freePorts(count);
                if (attempts.getAndIncrement() == 0) {
                    ports[0] = taken.getLocalPort();
                }
                return ports;
            };
            try (KRaftCluster cluster = KRaftCluster.start(1, SETTINGS, firstTakenThenFree)) {
                assertEquals(2, attempts.get(), "a second attempt after the clash");
                assertFalse(cluster.bootstrapServers().endsWith(":" + taken.getLocalPort()), cluster.bootstrapServers());
                try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        cluster.bootstrapServers()))) {
                    assertEquals(1, admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size());
                }
            }
        }
    }

    @Test
    void saysWhyWhenEveryAttemptFindsAPortTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName(KRaftNode.HOST))) {
            KRaftCluster.PortFinder alwaysTaken = count -> {
                int[] ports = KRaftCluster.freePorts(count);
                ports[0] = taken.getLocalPort();
                return ports;
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> KRaftCluster.start(1, SETTINGS, alwaysTaken));
            assertTrue(e.getMessage().contains("did not start"), e.getMessage());
            assertTrue(e.getMessage().contains("a port was taken at each of 3 attempts"), e.getMessage());
            assertTrue(e.getMessage().contains(Integer.toString(taken.getLocalPort())), e.getMessage());
        }
    }

    @Test
    void refusesANumberOfBrokersItCannotRun() {
        for (int brokers : new int[] {0, -1, KRaftCluster.MAX_BROKERS + 1}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KRaftCluster.start(brokers, SETTINGS));
            assertTrue(e.getMessage().contains("got " + brokers), e.getMessage());
        }
    }
}
