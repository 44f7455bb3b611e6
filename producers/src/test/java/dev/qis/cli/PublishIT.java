package dev.qis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.protocol.Ed25519;
import dev.qis.protocol.NodeDirectory;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLayout;
import dev.qis.publish.TopicProvisioner;
import dev.qis.testing.InJvmKafka;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Publishing through the CLI and the library to a real broker, read back and verified like the stream app would. */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PublishIT {
    private static final int PARTITIONS = 3;
    private static final String RESOURCES = "src/test/resources/";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final InJvmKafka cluster = new InJvmKafka();

    @TempDir
    Path dir;

    private Path newKey(String name) {
        Path key = dir.resolve(name + ".pem");
        CliRun run = CliRun.of("keygen", "--out", key.toString());
        assertEquals(0, run.exitCode(), run.toString());
        return key;
    }

    private CliRun publish(Path key, String... args) {
        List<String> all = new ArrayList<>(List.of("publish", "-b", cluster.bootstrapServers(), "--partitions",
                "" + PARTITIONS, "--key", key.toString()));
        all.addAll(List.of(args));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static List<String> outcomeTopics() {
        return Topics.allOutcomeTopics(Topics.DEFAULT_PREFIX_CHARS);
    }

    /** The node keys registered on qis.nodes, as the stream app's global table would hold them. */
    private static NodeDirectory registeredNodes(Set<String> mustInclude) {
        Map<String, PublicKey> keys = new HashMap<>();
        cluster.readUntil(List.of(Topics.NODES), "read_committed", seen -> {
            for (ConsumerRecord<String, byte[]> r : seen) {
                NodeKey k = ProtocolCodec.decodeNodeKey(r.value());
                assertEquals(k.getNodeId(), r.key(), "qis.nodes is keyed by node id");
                ByteBuffer raw = k.getPublicKey().duplicate();
                byte[] bytes = new byte[raw.remaining()];
                raw.get(bytes);
                keys.put(k.getNodeId(), Ed25519.publicKey(bytes));
            }
            return keys.keySet().containsAll(mustInclude);
        }, WAIT, "node keys " + mustInclude);
        return nodeId -> Optional.ofNullable(keys.get(nodeId));
    }

    @Test
    void publishesFromEveryInputFormatToTheRightTopicsSignedAndVerifiable() throws IOException {
        Path key = newKey("formats");
        String nodeId = NodeIdentity.read(key).nodeId();
        List<String> ids = new ArrayList<>();

        CliRun flags = publish(key, "-f", "llama-3-8b", "-t", "clinical-note-summarization", "--tag", "healthcare",
                "--tag", "SOAP-notes", "--tag", "en-US", "--data-scale", "FROM_1K_TO_10K", "--benchmark", "medqa",
                "--metric", "accuracy", "--baseline", "0.612", "--outcome", "0.685", "--method-type", "LoRA",
                "--hyperparam", "r=16", "--n-eval", "400", "--confidence", "0.9");
        CliRun jsonl = publish(key, "--input", RESOURCES + "packets.jsonl");
        CliRun card = publish(key, "--model-card", RESOURCES + "cards/fine-tuned/README.md",
                "--base-card", RESOURCES + "cards/base/README.md", "--task", "medical-qa", "--tag", "medical",
                "--data-scale", "8000", "--method-type", "LoRA", "--n-eval", "1273", "--confidence", "0.8");
        CliRun mlflow = publish(key, "--mlflow-run", RESOURCES + "mlflow/run.json");
        int[] expectedCounts = {1, 3, 2, 1};
        CliRun[] runs = {flags, jsonl, card, mlflow};
        for (int i = 0; i < runs.length; i++) {
            assertEquals(0, runs[i].exitCode(), runs[i].toString());
            List<String> printed = runs[i].out().strip().lines().toList();
            assertEquals(expectedCounts[i], printed.size(), runs[i].toString());
            printed.forEach(id -> assertTrue(PacketId.isValid(id), id));
            ids.addAll(printed);
        }
        assertEquals("8ff8bb6992657811", PacketId.fingerprintOf(ids.get(0)).value());

        List<ConsumerRecord<String, byte[]>> records = cluster.readUntil(outcomeTopics(), "read_committed",
                seen -> ids.stream().allMatch(id -> seen.stream().anyMatch(r -> idOf(r).equals(id))), WAIT,
                "the " + ids.size() + " published packets");
        PacketVerifier verifier = new PacketVerifier(registeredNodes(Set.of(nodeId)), Clock.systemUTC());
        List<String> found = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            OutcomePacket packet = ProtocolCodec.decodePacket(r.value());
            if (!packet.getNodeId().equals(nodeId)) {
                continue;
            }
            String id = packet.getPacketId();
            found.add(id);
            String fingerprint = PacketId.fingerprintOf(id).value();
            assertEquals(fingerprint, r.key(), "keyed by fingerprint");
            assertEquals(Topics.OUTCOMES_PREFIX + fingerprint.charAt(0), r.topic(), "placed by fingerprint prefix");
            Verdict<OutcomePacket> verdict = verifier.verifyPacket(r.value(), PacketHistory.NONE);
            assertInstanceOf(Verdict.Accepted.class, verdict, "signature and id verify: " + verdict);
        }
        assertEquals(new HashSet<>(ids), new HashSet<>(found));
        assertEquals(ids.size(), found.size(), "each packet exactly once");
    }

    @Test
    void theTopicsAreCreatedTogetherCoPartitionedAndIdempotently() throws Exception {
        Path key = newKey("layout");
        assertEquals(0, CliRun.of("register", "-b", cluster.bootstrapServers(), "--partitions", "" + PARTITIONS,
                "--key", key.toString()).exitCode());
        try (Admin admin = cluster.admin()) {
            List<String> all = new ArrayList<>(outcomeTopics());
            all.addAll(List.of(Topics.VOTES, Topics.NODES, Topics.REJECTED));
            Map<String, TopicDescription> topics = admin.describeTopics(all).allTopicNames().get(30, TimeUnit.SECONDS);
            assertEquals(19, topics.size());
            topics.values().forEach(t -> assertEquals(PARTITIONS, t.partitions().size(), t.name()));
            ConfigResource nodes = new ConfigResource(ConfigResource.Type.TOPIC, Topics.NODES);
            String policy = admin.describeConfigs(List.of(nodes)).all().get(30, TimeUnit.SECONDS).get(nodes)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG).value();
            assertEquals(TopicConfig.CLEANUP_POLICY_COMPACT, policy);
            assertEquals(List.of(), new TopicProvisioner(admin, WAIT).ensure(new TopicLayout(PARTITIONS, (short) 1, 1)),
                    "a second run creates nothing");
            assertEquals(List.of(), new TopicProvisioner(admin, WAIT).ensure(new TopicLayout(PARTITIONS + 5, (short) 1, 1)),
                    "existing outcome topics keep their partition count");
        }
    }

    @Test
    void aBatchWithOneBadLineSendsNothing() throws IOException {
        Path key = newKey("bad-batch");
        String nodeId = NodeIdentity.read(key).nodeId();
        List<String> lines = new ArrayList<>(Files.readAllLines(Path.of(RESOURCES + "packets.jsonl")));
        lines.set(3, lines.get(3).replace("\"n_eval_samples\": 510", "\"n_eval_samples\": -5"));
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, lines);

        CliRun run = publish(key, "--input", input.toString());
        assertEquals(2, run.exitCode(), run.toString());
        assertTrue(run.err().contains("bad.jsonl line 4: INVALID_FIELD: n_eval_samples"), run.err());
        assertEquals("", run.out());

        // Prove the topics exist and are readable, then look for anything by this node, uncommitted included.
        Path other = newKey("after-bad-batch");
        CliRun good = publish(other, "--input", RESOURCES + "packets.jsonl");
        assertEquals(0, good.exitCode(), good.toString());
        List<String> topics = new ArrayList<>(outcomeTopics());
        topics.add(Topics.NODES);
        List<ConsumerRecord<String, byte[]>> everything = cluster.readToEnd(topics, "read_uncommitted");
        assertFalse(everything.isEmpty());
        for (ConsumerRecord<String, byte[]> r : everything) {
            String author = r.topic().equals(Topics.NODES) ? r.key() : ProtocolCodec.decodePacket(r.value()).getNodeId();
            assertFalse(author.equals(nodeId), "a record of the refused batch reached " + r.topic());
        }
    }

    @Test
    void theLibraryPublishesManyNodesThroughOneTransactionalPublisher() {
        List<NodeIdentity> nodes = new ArrayList<>();
        List<SignedPacket> packets = new ArrayList<>();
        for (int n = 0; n < 20; n++) {
            nodes.add(NodeIdentity.generate());
        }
        for (int i = 0; i < 100; i++) {
            packets.add(new dev.qis.protocol.OutcomePacketBuilder().family("mistral-7b").task("library-batch")
                    .tag("n" + (i % 20)).dataScale(dev.qis.protocol.avro.DataScale.LT_100).benchmark("b").metric("f1")
                    .baselineScore(0.4).outcomeScore(0.4 + i / 1000.0).methodType("LoRA").nEvalSamples(50 + i)
                    .confidence(0.5).sign(nodes.get(i % 20)));
        }
        List<String> ids;
        PublisherSettings settings = PublisherSettings.forBootstrap(cluster.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, (short) 1, 1));
        try (QisPublisher publisher = QisPublisher.open(settings)) {
            publisher.register(nodes);
            ids = publisher.publish(packets);
        }
        assertEquals(packets.stream().map(SignedPacket::id).toList(), ids);
        Set<String> wanted = new HashSet<>(ids);
        List<ConsumerRecord<String, byte[]>> read = cluster.readUntil(outcomeTopics(), "read_committed",
                seen -> seen.stream().map(PublishIT::idOf).filter(wanted::contains).distinct().count() == wanted.size(),
                WAIT, "100 packets of 20 nodes");
        assertEquals(100, read.stream().map(PublishIT::idOf).filter(wanted::contains).count(), "no duplicates");
        PacketVerifier verifier = new PacketVerifier(registeredNodes(
                new HashSet<>(nodes.stream().map(NodeIdentity::nodeId).toList())), Clock.systemUTC());
        read.stream().filter(r -> wanted.contains(idOf(r))).forEach(r -> assertInstanceOf(Verdict.Accepted.class,
                verifier.verifyPacket(r.value(), PacketHistory.NONE)));
    }

    @Test
    void voteThenSubscribe() throws IOException {
        Path author = newKey("author");
        Path voter = newKey("voter");
        CliRun published = publish(author, "--input", RESOURCES + "packets.jsonl");
        assertEquals(0, published.exitCode(), published.toString());
        String packetId = published.out().strip().lines().findFirst().orElseThrow();

        CliRun vote = CliRun.of("vote", "-b", cluster.bootstrapServers(), "--key", voter.toString(),
                "--packet", packetId, "--observed", "0.405", "--n-eval", "250", "--baseline", "0.349");
        assertEquals(0, vote.exitCode(), vote.toString());
        String reportId = vote.out().strip();
        List<ConsumerRecord<String, byte[]>> votes = cluster.readUntil(List.of(Topics.VOTES), "read_committed",
                seen -> seen.stream().anyMatch(r -> ProtocolCodec.decodeReport(r.value()).getReportId().equals(reportId)),
                WAIT, "the vote");
        ConsumerRecord<String, byte[]> record = votes.stream()
                .filter(r -> ProtocolCodec.decodeReport(r.value()).getReportId().equals(reportId)).findFirst().orElseThrow();
        assertEquals(PacketId.fingerprintOf(packetId).value(), record.key(), "keyed by the voted packet's fingerprint");
        String voterId = NodeIdentity.read(voter).nodeId();
        Verdict<ValidationReport> verdict = new PacketVerifier(registeredNodes(Set.of(voterId)), Clock.systemUTC())
                .verifyReport(record.value());
        assertInstanceOf(Verdict.Accepted.class, verdict, verdict.toString());

        // What the stream app writes to a domain topic: the original bytes plus fidelity headers.
        byte[] packetBytes = cluster.readUntil(outcomeTopics(), "read_committed",
                seen -> seen.stream().anyMatch(r -> idOf(r).equals(packetId)), WAIT, "the voted packet")
                .stream().filter(r -> idOf(r).equals(packetId)).findFirst().orElseThrow().value();
        String domainTopic = Topics.domain("clinical-note-summarization");
        try (Admin admin = cluster.admin()) {
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(domainTopic, 2, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not create " + domainTopic, e);
        }
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(config, new StringSerializer(),
                new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> routed = new ProducerRecord<>(domainTopic, PacketId.fingerprintOf(packetId).value(),
                    packetBytes);
            routed.headers().add(Topics.HEADER_FIDELITY, "12.5".getBytes(StandardCharsets.UTF_8));
            routed.headers().add(Topics.HEADER_VOTE, "1.33".getBytes(StandardCharsets.UTF_8));
            routed.headers().add(Topics.HEADER_ROUTED_AT, "1763560800000".getBytes(StandardCharsets.UTF_8));
            producer.send(routed).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("could not write to " + domainTopic, e);
        }
        CliRun subscribe = CliRun.of("subscribe", "-b", cluster.bootstrapServers(), "--domain",
                "clinical-note-summarization", "--from-beginning", "-e");
        assertEquals(0, subscribe.exitCode(), subscribe.toString());
        List<String> out = subscribe.out().strip().lines().toList();
        assertEquals(1, out.size(), subscribe.toString());
        JsonNode line = JSON.readTree(out.get(0));
        assertEquals(packetId, line.get("packet_id").asText());
        assertEquals(12.5, line.get("fidelity").asDouble());
        assertEquals(1.33, line.get("vote").asDouble());
        assertEquals(1763560800000L, line.get("routed_at").asLong());
        assertEquals("clinical-note-summarization", line.get("task").asText());

        CliRun missing = CliRun.of("subscribe", "-b", cluster.bootstrapServers(), "--domain", "no-such-domain", "-e");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("does not exist"), missing.err());
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anUnreachableBrokerIsARuntimeFailureWithinTheTimeout() throws IOException {
        Path key = newKey("unreachable");
        long start = System.nanoTime();
        CliRun run = CliRun.of("publish", "-b", "127.0.0.1:1", "--timeout", "3s", "--key", key.toString(),
                "--input", RESOURCES + "packets.jsonl");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(1, run.exitCode(), run.toString());
        assertTrue(run.err().contains("3000 ms"), run.err());
        System.out.println("unreachable broker: exit 1 after " + elapsedMs + " ms with --timeout 3s");
    }

    private static String idOf(ConsumerRecord<String, byte[]> r) {
        return ProtocolCodec.decodePacket(r.value()).getPacketId();
    }
}
