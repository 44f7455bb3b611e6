package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLayout;
import dev.qis.registry.InProcessSchemaRegistry;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The app started while its schema registry is down: packets are verified, stored and queryable, routed packets
 * wait, nothing reaches the domain topic half-framed; once the registry answers, every waiting packet is written
 * exactly once.
 */
@Tag("integration")
@Timeout(180)
class RegistryOutageIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    @Test
    void routedPacketsWaitForTheRegistryAndAreWrittenOnceItAnswers() throws Exception {
        int registryPort;
        try (ServerSocket free = new ServerSocket(0)) {
            registryPort = free.getLocalPort();
        }
        String domain = "outage-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = Topics.domain(domain);
        Properties props = new Properties();
        props.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        props.put(QisConfig.APPLICATION_ID, "registry-outage-" + UUID.randomUUID());
        props.put(QisConfig.STATE_DIR, Files.createTempDirectory("qis-registry-outage").toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "2");
        props.put(QisConfig.TOPIC_REPLICATION, "1");
        props.put(QisConfig.REGISTRY_RETRY_INTERVAL, "PT1S");
        props.put("schema.registry.url", "http://127.0.0.1:" + registryPort);
        props.put("http.connect.timeout.ms", "1000");

        NodeIdentity node = NodeIdentity.generate();
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            packets.add(Packets.seeded(domain, i).sign(node));
        }
        Set<String> published = packets.stream().map(SignedPacket::id).collect(Collectors.toSet());

        try (QisServer app = RunningApp.start(props);
             QisPublisher publisher = QisPublisher.open(PublisherSettings.forBootstrap(kafka.bootstrapServers())
                     .withLayout(new TopicLayout(2, (short) 1, 1)))) {
            publisher.register(node);
            publisher.publish(packets);

            Wait.waitFor(() -> RunningApp.count(app, StoreNames.DOMAIN_PENDING) == packets.size(), WAIT,
                    () -> RunningApp.count(app, StoreNames.DOMAIN_PENDING) + " routed packets waiting, expected "
                            + packets.size() + "; stored " + RunningApp.all(app, StoreNames.PACKETS).keySet());
            assertEquals(packets.size(), RunningApp.all(app, StoreNames.PACKETS).size(),
                    "the packets are stored (and queryable) while the registry is down");
            assertEquals(List.of(), ReferenceAvroConsumer.readAll(kafka.bootstrapServers(), topic, WAIT),
                    "nothing on the domain topic while the registry is down");

            try (InProcessSchemaRegistry registry = InProcessSchemaRegistry.start(
                    new InetSocketAddress("127.0.0.1", registryPort))) {
                List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
                Wait.waitFor(() -> {
                    records.clear();
                    records.addAll(ReferenceAvroConsumer.readAll(kafka.bootstrapServers(), topic, WAIT));
                    return records.size() >= packets.size();
                }, WAIT, () -> records.size() + " of " + packets.size() + " packets on " + topic);
                Wait.waitFor(() -> RunningApp.count(app, StoreNames.DOMAIN_PENDING) == 0, WAIT,
                        () -> "routed packets still waiting after the registry came back");

                ReferenceAvroConsumer reference = new ReferenceAvroConsumer(registry.url());
                List<String> written = new ArrayList<>();
                for (ConsumerRecord<byte[], byte[]> r : ReferenceAvroConsumer.readAll(kafka.bootstrapServers(), topic, WAIT)) {
                    written.add(reference.decode(r.value()).field("packet_id"));
                }
                assertEquals(packets.size(), written.size(), "each waiting packet written once: " + written);
                assertEquals(published, Set.copyOf(written));
                assertTrue(RunningApp.count(app, StoreNames.DOMAIN_PENDING) == 0);
            }
        }
    }
}
