package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.app.QisApp;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLayout;
import dev.qis.registry.RegistryFraming;
import dev.qis.store.StoreNames;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a domain subscriber sees when the app runs with {@code schema.registry.url}, against whichever Kafka and
 * registry a subclass provides (in-JVM ones here, containers where Docker answers): a consumer that knows only the
 * registry's documented API reads every routed packet; the subject is {@code <topic>-value} with BACKWARD
 * compatibility; the signed packet verifies from the record alone; {@code qis subscribe} reads the same records.
 */
@Tag("integration")
@Timeout(240)
abstract class DomainTopicsReadableContract {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    /** The Kafka cluster the app and the consumers use. */
    abstract String bootstrapServers();

    /** The registry URL as clients are given it (with a path for registries that serve the API under one). */
    abstract String registryUrl();

    @Test
    void aRegistryAwareConsumerReadsEveryRoutedPacketAndQisSubscribeStillWorks() throws Exception {
        String domain = "registry-contract-" + UUID.randomUUID().toString().substring(0, 8);
        String topic = Topics.domain(domain);
        Properties props = new Properties();
        props.put(QisConfig.BOOTSTRAP_SERVERS, bootstrapServers());
        props.put(QisConfig.APPLICATION_ID, "registry-contract-" + UUID.randomUUID());
        props.put(QisConfig.STATE_DIR, Files.createTempDirectory("qis-registry-contract").toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "2");
        props.put(QisConfig.TOPIC_REPLICATION, "1");
        props.put("schema.registry.url", registryUrl());

        NodeIdentity node = NodeIdentity.generate();
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            packets.add(Packets.seeded(domain, i).sign(node));
        }
        Set<String> published = packets.stream().map(SignedPacket::id).collect(Collectors.toSet());

        try (QisServer app = RunningApp.start(props);
             QisPublisher publisher = QisPublisher.open(PublisherSettings.forBootstrap(bootstrapServers())
                     .withLayout(new TopicLayout(2, (short) 1, 1)))) {
            publisher.register(node);
            publisher.publish(packets);

            List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
            Wait.waitFor(() -> {
                records.clear();
                records.addAll(ReferenceAvroConsumer.readAll(bootstrapServers(), topic, WAIT));
                return records.size() >= packets.size();
            }, WAIT, () -> records.size() + " of " + packets.size() + " packets on " + topic);

            ReferenceAvroConsumer reference = new ReferenceAvroConsumer(registryUrl());
            PacketVerifier verifier = new PacketVerifier(id -> id.equals(node.nodeId()) ? Optional.of(node.publicKey())
                    : Optional.empty(), Clock.systemUTC());
            Set<String> read = new HashSet<>();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                ReferenceAvroConsumer.Read value = reference.decode(r.value());
                assertEquals(domain, value.field("context.task"));
                read.add(value.field("packet_id"));
                // the signed packet, verified from the record alone: the single-object header of the writer schema
                // in front of the body the record carries
                Verdict<?> verdict = verifier.verifyPacket(RegistryFraming.toSingleObject(value.writer(), value.body()),
                        PacketHistory.NONE);
                assertInstanceOf(Verdict.Accepted.class, verdict, topic + "@" + r.offset() + ": " + verdict);
            }
            assertEquals(published, read);

            JsonNode versions = reference.get("/subjects/" + topic + "-value/versions");
            assertEquals(1, versions.size(), "one schema version under the TopicNameStrategy subject: " + versions);
            JsonNode config = reference.get("/config/" + topic + "-value");
            assertEquals("BACKWARD", config.path("compatibilityLevel").asText(config.path("compatibility").asText()),
                    "compatibility of " + topic + "-value: " + config);

            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = QisApp.commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            int exit = cli.execute("subscribe", "-b", bootstrapServers(), "-d", domain, "--from-beginning", "-e",
                    "--schema-registry", registryUrl());
            assertEquals(0, exit, "qis subscribe: " + err);
            Set<String> subscribed = new HashSet<>();
            for (String line : out.toString().strip().split("\n")) {
                JsonNode o = JSON.readTree(line);
                subscribed.add(o.get("packet_id").asText());
                assertTrue(o.has("fidelity"), "the fidelity headers are printed: " + line);
            }
            assertEquals(published, subscribed);

            StringWriter noRegistryOut = new StringWriter();
            StringWriter noRegistryErr = new StringWriter();
            var withoutRegistry = QisApp.commandLine();
            withoutRegistry.setOut(new PrintWriter(noRegistryOut, true));
            withoutRegistry.setErr(new PrintWriter(noRegistryErr, true));
            assertEquals(0, withoutRegistry.execute("subscribe", "-b", bootstrapServers(), "-d", domain,
                    "--from-beginning", "-e"), "framed records, no registry: read with the shipped schemas\n" + noRegistryErr);
            Set<String> withoutIds = new HashSet<>();
            for (String line : noRegistryOut.toString().strip().split("\n")) {
                withoutIds.add(JSON.readTree(line).get("packet_id").asText());
            }
            assertEquals(published, withoutIds, "the same packets without the registry");
            assertEquals(0, RunningApp.count(app, StoreNames.DOMAIN_PENDING), "no routed packet left waiting");
        }
    }
}
