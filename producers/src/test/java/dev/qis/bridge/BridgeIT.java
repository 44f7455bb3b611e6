package dev.qis.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.TopicLayout;
import dev.qis.publish.TopicLeaders;
import dev.qis.testing.InJvmKafka;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
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
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge between two real clusters in the JVM: an organization's internal cluster with its run events and the
 * federation cluster the packets go to.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BridgeIT {
    private static final Path MAPPING = Path.of("../examples/bridge/mapping.yaml");
    private static final int PARTITIONS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final InJvmKafka internal = new InJvmKafka();
    @RegisterExtension
    static final InJvmKafka federation = new InJvmKafka();

    @TempDir
    Path dir;

    /** A finished MLflow run of experiment 17 (the example mapping's clinical-note rule) with a score unique to {@code i}. */
    private static ObjectNode run(int i, String status, boolean withBaseline) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode run = root.putObject("run");
        ObjectNode info = run.putObject("info");
        info.put("run_id", String.format("%032x", 0xabc000L + i));
        info.put("experiment_id", "17");
        info.put("status", status);
        info.put("start_time", 1_763_000_000_000L + i * 60_000L);
        if (status.equals("FINISHED")) {
            info.put("end_time", 1_763_000_000_000L + i * 60_000L + 3_600_000L);
        }
        ObjectNode data = run.putObject("data");
        ArrayNode metrics = data.putArray("metrics");
        metrics.addObject().put("key", "eval_rougeL").put("value", 0.38 + i * 1e-5).put("step", 750);
        if (withBaseline) {
            metrics.addObject().put("key", "baseline_rougeL").put("value", 0.351).put("step", 0);
        }
        metrics.addObject().put("key", "eval_samples").put("value", 400).put("step", 750);
        metrics.addObject().put("key", "train_samples").put("value", 5200).put("step", 0);
        ArrayNode params = data.putArray("params");
        params.addObject().put("key", "base_model").put("value", "meta-llama/Meta-Llama-3-8B");
        params.addObject().put("key", "lora_r").put("value", String.valueOf(8 << (i % 3)));
        params.addObject().put("key", "learning_rate").put("value", "0.0002");
        data.putArray("tags").addObject().put("key", "mlflow.runName").put("value", "run-" + i);
        ArrayNode inputs = run.putObject("inputs").putArray("dataset_inputs");
        ObjectNode eval = inputs.addObject();
        eval.putArray("tags").addObject().put("key", "mlflow.data.context").put("value", "eval");
        eval.putObject("dataset").put("name", "soap-notes-heldout");
        return root;
    }

    private static void createTopic(String topic) throws Exception {
        try (var admin = internal.admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            TopicLeaders.await(admin, topic, Duration.ofSeconds(30));
        }
    }

    private static void produce(String topic, List<String> values) throws Exception {
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, internal.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks = new ArrayList<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < values.size(); i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, "event-" + i, values.get(i))));
            }
            producer.flush();
            for (var ack : acks) {
                ack.get(30, TimeUnit.SECONDS); // every event is on the topic, or the test stops here
            }
        }
    }

    private Path newKey(String name) throws Exception {
        Path key = dir.resolve(name + ".pem");
        NodeIdentity.generate().write(key);
        return key;
    }

    /** The federation's outcome records of one node, committed ones only, as the stream app reads them. */
    private static List<ConsumerRecord<String, byte[]>> federationPackets(String nodeId) {
        List<ConsumerRecord<String, byte[]>> mine = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : federation.readToEnd(Topics.allOutcomeTopics(Topics.DEFAULT_PREFIX_CHARS),
                "read_committed")) {
            if (ProtocolCodec.decodePacket(r.value()).getNodeId().equals(nodeId)) {
                mine.add(r);
            }
        }
        return mine;
    }

    /** Verifies every record as the stream app does, remembering accepted content: counts accepted and duplicates. */
    private static int[] verifyLikeTheStreamApp(List<ConsumerRecord<String, byte[]>> records, NodeIdentity node) {
        Map<String, byte[]> history = new HashMap<>();
        PublicKey key = node.publicKey();
        PacketVerifier verifier = new PacketVerifier(id -> id.equals(node.nodeId()) ? Optional.of(key) : Optional.empty(),
                Clock.systemUTC());
        int accepted = 0;
        int duplicates = 0;
        for (ConsumerRecord<String, byte[]> r : records) {
            Verdict<OutcomePacket> v = verifier.verifyPacket(r.value(), id -> Optional.ofNullable(history.get(id)));
            if (v instanceof Verdict.Accepted<OutcomePacket> a) {
                history.put(a.record().getPacketId(), a.contentHash());
                accepted++;
            } else {
                assertInstanceOf(Verdict.Duplicate.class, v, "a re-published packet is a duplicate, never a collision: " + v);
                duplicates++;
            }
        }
        return new int[] {accepted, duplicates};
    }

    @Test
    void everyValidRunIsPublishedOnceAndEveryOtherEventIsDeadLetteredWithItsReason() throws Exception {
        String topic = "mlops.runs";
        createTopic(topic);
        List<String> events = new ArrayList<>();
        Map<Integer, String> expectedDead = new TreeMap<>();
        Set<Long> validEndTimes = new HashSet<>();
        int redelivered = 0;
        for (int i = 0; i < 1000; i++) {
            if (i % 10 == 3) {
                events.add(run(i, "RUNNING", true).toString());
                expectedDead.put(i, "NOT_FINISHED");
            } else if (i % 10 == 7) {
                events.add(run(i, "FINISHED", true).toString().substring(0, 120));
                expectedDead.put(i, "MALFORMED");
            } else if (i % 20 == 9) {
                events.add(run(i, "FINISHED", false).toString());
                expectedDead.put(i, "NO_BASELINE");
            } else if (i % 10 == 5) {
                events.add(events.get(i - 5)); // the tracking server's webhook delivered run i-5 again
                redelivered++;
            } else {
                events.add(run(i, "FINISHED", true).toString());
                validEndTimes.add(1_763_000_000_000L + i * 60_000L + 3_600_000L);
            }
        }
        produce(topic, events);
        Path key = newKey("bridge");
        NodeIdentity node = NodeIdentity.read(key);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = dev.qis.cli.QisCommand.commandLine(new dev.qis.cli.QisCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute("bridge", "-b", federation.bootstrapServers(), "--partitions", "" + PARTITIONS,
                "--from-bootstrap-server", internal.bootstrapServers(), "--from-topic", topic, "--group", "it-bridge",
                "--key", key.toString(), "--mapping", MAPPING.toString(), "--batch", "100", "-e");
        assertEquals(0, exit, "exit " + exit + "\n" + err);

        List<String> printed = out.toString().strip().lines().toList();
        assertEquals(validEndTimes.size(), printed.size(), "one id per valid run");
        assertEquals(validEndTimes.size(), new HashSet<>(printed).size());
        assertTrue(err.toString().contains("read 1000 events, published " + validEndTimes.size() + " packets, "
                + redelivered + " duplicates, dead-lettered " + expectedDead.size()
                + " (MALFORMED 100, NOT_FINISHED 100, NO_BASELINE 50)"), err.toString());

        List<ConsumerRecord<String, byte[]>> published = federationPackets(node.nodeId());
        Set<Long> publishedEndTimes = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : published) {
            publishedEndTimes.add(ProtocolCodec.decodePacket(r.value()).getIssuedAt().toEpochMilli());
        }
        assertEquals(validEndTimes, publishedEndTimes, "every valid run, by its end time");
        assertEquals(validEndTimes.size(), published.size(), "each exactly once");
        assertEquals(validEndTimes.size(), verifyLikeTheStreamApp(published, node)[0], "all signed and verifiable");

        List<ConsumerRecord<String, byte[]>> dead = internal.readToEnd(List.of(topic + ".dead-letter"), "read_committed");
        Map<Integer, String> deadReasons = new TreeMap<>();
        for (ConsumerRecord<String, byte[]> r : dead) {
            int offsetIndex = Integer.parseInt(r.key().substring("event-".length()));
            deadReasons.put(offsetIndex, header(r, DeadLetterReason.HEADER_REASON));
            assertArrayEquals(events.get(offsetIndex).getBytes(StandardCharsets.UTF_8), r.value(), "the original bytes");
            assertEquals(topic, header(r, DeadLetterReason.HEADER_TOPIC));
            assertTrue(!header(r, DeadLetterReason.HEADER_DETAIL).isBlank());
        }
        assertEquals(expectedDead, deadReasons, "every other event, with its reason, once");
        assertEquals(expectedDead.size(), dead.size());
        assertEquals(endOffsets(topic), committed("it-bridge", topic), "everything read is committed");
    }

    /** Thrown by the checkpoint: the process dies after the federation acknowledged, before the internal commit. */
    private static final class Crash extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    @Test
    void aBridgeKilledBetweenSendAndCommitRepublishesOnlyByteIdenticalDuplicates() throws Exception {
        String topic = "kill.runs";
        createTopic(topic);
        List<String> events = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            events.add(run(i, "FINISHED", true).toString());
        }
        produce(topic, events);
        NodeIdentity node = NodeIdentity.read(newKey("killed"));
        BridgeMapping mapping = BridgeMapping.read(MAPPING);
        Bridge.Settings settings = new Bridge.Settings(
                Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, internal.bootstrapServers()), topic, "it-killed",
                topic + ".dead-letter", 50, Duration.ofSeconds(30), true, true, Duration.ofHours(1));
        PublisherSettings toFederation = PublisherSettings.forBootstrap(federation.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, (short) 1, Topics.DEFAULT_PREFIX_CHARS));
        StringWriter firstOut = new StringWriter();
        Bridge.Checkpoint dieOnSecondBatch = batch -> {
            if (batch == 2) {
                throw new Crash();
            }
        };
        try (Bridge first = Bridge.open(settings, toFederation, node, new EventTranslator(mapping, node, Clock.systemUTC()),
                new BridgeCounters(new SimpleMeterRegistry()), new PrintWriter(firstOut, true),
                new PrintWriter(new StringWriter(), true), dieOnSecondBatch)) {
            assertThrows(Crash.class, first::run);
        }
        int publishedBeforeCrash = (int) firstOut.toString().lines().count();
        Map<TopicPartition, Long> committedAtCrash = committed("it-killed", topic);
        long committedCount = committedAtCrash.values().stream().mapToLong(Long::longValue).sum();
        assertTrue(publishedBeforeCrash > committedCount, "the crash left acknowledged packets uncommitted: published "
                + publishedBeforeCrash + ", committed " + committedCount);

        BridgeCounters counters = new BridgeCounters(new SimpleMeterRegistry());
        try (Bridge second = Bridge.open(settings, toFederation, node, new EventTranslator(mapping, node, Clock.systemUTC()),
                counters, new PrintWriter(new StringWriter(), true), new PrintWriter(new StringWriter(), true),
                Bridge.Checkpoint.NONE)) {
            second.run();
        }
        assertEquals(200 - committedCount, counters.eventsRead(), "the restart resumes at the last committed offset");

        List<ConsumerRecord<String, byte[]>> published = federationPackets(node.nodeId());
        Map<String, byte[]> byId = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : published) {
            String id = ProtocolCodec.decodePacket(r.value()).getPacketId();
            byte[] seen = byId.putIfAbsent(id, r.value());
            if (seen != null) {
                assertArrayEquals(seen, r.value(), "a re-published packet is byte-identical: " + id);
            }
        }
        assertEquals(200, byId.size(), "every run has exactly one packet");
        int republished = (int) (publishedBeforeCrash - committedCount);
        assertEquals(200 + republished, published.size(), "only the batch in flight at the crash was sent twice");
        int[] verdicts = verifyLikeTheStreamApp(published, node);
        assertEquals(200, verdicts[0], "accepted once each");
        assertEquals(republished, verdicts[1], "the rest are duplicates the stream app ignores");
        assertEquals(List.of(), internal.readToEnd(List.of(topic + ".dead-letter"), "read_committed"));
        assertEquals(endOffsets(topic), committed("it-killed", topic));
    }

    /** The code blocks of the README's "From your own Kafka topic" section, continuation lines joined. */
    private static List<String> readmeBlocks() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("../README.md"));
        int start = readme.indexOf("## From your own Kafka topic");
        String section = readme.substring(start, readme.indexOf("\n## ", start + 1));
        List<String> blocks = new ArrayList<>();
        String[] parts = section.split("```\n?");
        for (int i = 1; i < parts.length; i += 2) {
            blocks.add(parts[i].replace("\\\n", " "));
        }
        return blocks;
    }

    /**
     * The README's example as written, in-process: its QIS_BOOTSTRAP_SERVERS and QIS_KEY_FILE, which a process would
     * read from the environment, are given as -b and --key; this test's broker stands in for {@code qis demo}'s.
     */
    @Test
    void theReadmeExampleRunsAsWritten() throws Exception {
        Path key = newKey("readme");
        List<String> commands = new ArrayList<>();
        for (String block : readmeBlocks()) {
            block.lines().map(String::strip).filter(l -> l.startsWith("./qis ")).forEach(commands::add);
        }
        assertEquals(List.of("produce", "bridge"), commands.stream().map(c -> c.split(" +")[1]).toList());
        Map<String, StringWriter[]> outputs = new HashMap<>();
        for (String command : commands) {
            String line = command.replace("$QIS_BOOTSTRAP_SERVERS", federation.bootstrapServers());
            List<String> argv = new ArrayList<>();
            for (String a : line.substring("./qis ".length()).split(" +")) {
                argv.add(a.startsWith("examples/") ? "../" + a : a);
            }
            argv.addAll(List.of("-b", federation.bootstrapServers()));
            if (argv.get(0).equals("bridge")) {
                argv.addAll(List.of("--key", key.toString()));
            }
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            var cli = dev.qis.cli.QisCommand.commandLine(new dev.qis.cli.QisCommand());
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            assertEquals(0, cli.execute(argv.toArray(String[]::new)), line + "\n" + out + err);
            outputs.put(argv.get(0), new StringWriter[] {out, err});
        }
        assertEquals("7", outputs.get("produce")[0].toString().strip());
        String bridgeErr = outputs.get("bridge")[1].toString();
        assertEquals(7, outputs.get("bridge")[0].toString().strip().lines().count(), bridgeErr);
        assertTrue(bridgeErr.contains("bridge: read 7 events, published 7 packets, 1 duplicates, dead-lettered 2"
                + " (NOT_FINISHED 1, NO_BASELINE 1)"), bridgeErr);
        List<ConsumerRecord<String, byte[]>> dead = federation.readToEnd(List.of("mlops.runs.dead-letter"), "read_committed");
        assertEquals(List.of("NOT_FINISHED", "NO_BASELINE"), dead.stream().map(r -> header(r, DeadLetterReason.HEADER_REASON))
                .sorted(java.util.Comparator.comparing(DeadLetterReason::valueOf)).toList());
    }

    @Test
    void theReadmeMappingExcerptIsAValidMapping() throws Exception {
        String yaml = readmeBlocks().stream().filter(b -> b.startsWith("rules:")).findFirst().orElseThrow();
        Path bridgeDir = java.nio.file.Files.createDirectories(dir.resolve("bridge"));
        Path base = java.nio.file.Files.createDirectories(dir.resolve("lm-eval/base")).resolve("results.json");
        java.nio.file.Files.copy(Path.of("../examples/lm-eval/base/results.json"), base);
        Path file = bridgeDir.resolve("mapping.yaml");
        java.nio.file.Files.writeString(file, yaml);
        NodeIdentity node = NodeIdentity.generate();
        EventTranslator translator = new EventTranslator(BridgeMapping.read(file), node, Clock.systemUTC());
        List<String> events = java.nio.file.Files.readAllLines(Path.of("../examples/bridge/runs.jsonl"));
        var first = translator.translate("runs-0@0", events.get(0).getBytes(StandardCharsets.UTF_8), 0);
        assertInstanceOf(EventTranslator.Packets.class, first, first.toString());
        var lmEval = translator.translate("runs-0@6", events.get(6).getBytes(StandardCharsets.UTF_8), 0);
        assertEquals(4, assertInstanceOf(EventTranslator.Packets.class, lmEval, lmEval.toString()).packets().size());
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static Map<TopicPartition, Long> endOffsets(String topic) throws Exception {
        try (var admin = internal.admin()) {
            Map<TopicPartition, OffsetSpec> spec = new HashMap<>();
            for (int p = 0; p < PARTITIONS; p++) {
                spec.put(new TopicPartition(topic, p), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            admin.listOffsets(spec).all().get(30, TimeUnit.SECONDS).forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        }
    }

    private static Map<TopicPartition, Long> committed(String group, String topic) throws Exception {
        try (var admin = internal.admin()) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS);
            Map<TopicPartition, Long> out = new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
            for (int p = 0; p < PARTITIONS; p++) {
                OffsetAndMetadata o = offsets.get(new TopicPartition(topic, p));
                out.put(new TopicPartition(topic, p), o == null ? 0L : o.offset());
            }
            return out;
        }
    }
}
