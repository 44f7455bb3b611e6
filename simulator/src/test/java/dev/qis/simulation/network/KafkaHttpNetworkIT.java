package dev.qis.simulation.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.TopicLayout;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.SimulationException;
import dev.qis.simulation.actors.PacketFactory;
import dev.qis.simulation.actors.Population;
import dev.qis.simulation.actors.SimNode;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.World;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Wait;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real network's wiring against a real broker in the JVM and a scripted REST API: what lands on which topic
 * with which key, how answers are read (404, 503 with Retry-After), and how rejections are matched.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaHttpNetworkIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @RegisterExtension
    static final InJvmKafka cluster = new InJvmKafka();
    private static HttpServer api;
    private static final AtomicInteger synthesisCalls = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.createContext("/", KafkaHttpNetworkIT::answer);
        api.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) {
            api.stop(0);
        }
    }

    /** The scripted API: one domain, one synthesis that is briefly rebalancing, an unknown domain. */
    private static void answer(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String query = ex.getRequestURI().getRawQuery();
        int status = 200;
        String body;
        Map<String, String> headers = new HashMap<>();
        if (path.equals("/v1/domains")) {
            body = "{\"domains\":[{\"domain\":\"sim-d01\",\"packets\":3,\"fingerprints\":1,\"nodes\":2,"
                    + "\"last_seen\":\"2026-01-01T00:00:00Z\"},{\"domain\":\"other\",\"packets\":9,\"fingerprints\":1,"
                    + "\"nodes\":1,\"last_seen\":\"2026-01-01T00:00:00Z\"}]}";
        } else if (path.equals("/v1/domains/sim-d01/synthesis")) {
            if (!query.equals("family=llama-3-8b&tags=sim%2Cen") && !query.equals("family=llama-3-8b&tags=sim,en")) {
                status = 400;
                body = "{\"detail\":\"unexpected query " + query + "\"}";
            } else if (synthesisCalls.incrementAndGet() == 1) {
                status = 503;
                headers.put("Retry-After", "1");
                body = "{\"title\":\"rebalancing\"}";
            } else {
                body = "{\"domain\":\"sim-d01\",\"family\":\"llama-3-8b\",\"tags\":[\"sim\",\"en\"],\"method_type\":\"QLoRA\","
                        + "\"hyperparams\":{\"r\":16,\"lr\":2.0E-4,\"epochs\":2},\"expected_gain\":0.071,"
                        + "\"evidence_count\":5,\"distinct_nodes\":3,\"packet_ids\":[\"0123456789abcdef-0123456789abcdef\"]}";
            }
        } else if (path.equals("/v1/domains/sim-d02/synthesis")) {
            body = "{\"domain\":\"sim-d02\",\"family\":\"llama-3-8b\",\"method_type\":\"LoRA\","
                    + "\"hyperparams\":{\"r\":8,\"lr\":3.3E-4,\"epochs\":1,\"warmup_ratio\":0.03,\"scheduler\":\"cosine\"},"
                    + "\"expected_gain\":0.05,\"expected_gain_low\":0.01,\"expected_gain_high\":0.09,"
                    + "\"evidence_count\":2,\"distinct_nodes\":2,\"packet_ids\":[\"aa-1\",\"aa-2\"],"
                    + "\"evidence\":[{\"packet_id\":\"aa-1\",\"node_id\":\"n1\",\"weight\":900.0,\"gain\":0.06}],"
                    + "\"exploration\":{\"method_type\":\"DPO\",\"hyperparams\":{\"r\":32,\"lr\":1.0E-4,\"epochs\":3},"
                    + "\"expected_gain\":0.02,\"upper_bound\":0.12,\"packet_ids\":[\"bb-1\"]}}";
        } else if (path.equals("/v1/domains/sim-d01/top")) {
            body = "{\"domain\":\"sim-d01\",\"k\":2,\"entries\":[{\"packet_id\":\"0123456789abcdef-0123456789abcdef\","
                    + "\"node_id\":\"00112233aabbccdd\",\"gain\":0.3,\"fidelity\":1.5,\"vote\":0.4,\"trust\":0.9,"
                    + "\"routed\":true}]}";
        } else if (path.equals("/health/ready")) {
            body = "{\"status\":\"ready\"}";
        } else {
            status = 404;
            headers.put("Content-Type", "application/problem+json");
            body = "{\"title\":\"Not Found\",\"status\":404}";
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.putIfAbsent("Content-Type", "application/json");
        headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    private static KafkaHttpNetwork open() {
        PublisherSettings settings = PublisherSettings.forBootstrap(cluster.bootstrapServers())
                .withLayout(new TopicLayout(2, (short) 1, 1)).withTimeout(WAIT);
        return KafkaHttpNetwork.open(settings, URI.create("http://127.0.0.1:" + api.getAddress().getPort()));
    }

    @Test
    void packetsVotesKeysAndRawBytesLandOnTheirTopicsWithTheirKeys() {
        SimulationConfig config = SimulationConfig.defaults().withNodes(3).withDomains(1);
        World world = World.generate(config, new SplittableRandom(1));
        Population population = Population.generate(world, config, new SplittableRandom(2));
        SimNode author = population.nodes().get(0);
        NodeIdentity voter = population.nodes().get(1).identity();
        NodeIdentity forger = population.nodes().get(2).identity();
        PacketFactory factory = new PacketFactory(Clock.systemUTC());
        SignedPacket packet = factory.outcome(author.identity(), author.domain(), author.family(), author,
                new Configuration("LoRA", 8, 1e-4, 1), 0.05, 300, 0.5, List.of());
        byte[] forged = PacketFactory.forge(packet, author.identity().nodeId(), forger);
        SignedReport vote = factory.vote(voter, packet.id(), author.domain().baselineScore(), 0.04, 200);
        try (KafkaHttpNetwork network = open()) {
            for (NodeIdentity id : population.identities()) {
                network.register(id);
            }
            network.publish(packet);
            network.publishRaw(packet.fingerprint(), forged);
            network.vote(vote);
            network.flush();
            assertTrue(network.awaitRegistered(List.of(voter.nodeId())));
        }
        String outcomes = Topics.outcomes(packet.fingerprint());
        List<ConsumerRecord<String, byte[]>> records = read(List.of(outcomes, Topics.VOTES, Topics.NODES), 3 + 2 + 1);
        List<ConsumerRecord<String, byte[]>> onOutcomes = records.stream().filter(r -> r.topic().equals(outcomes)).toList();
        assertEquals(2, onOutcomes.size());
        onOutcomes.forEach(r -> assertEquals(packet.fingerprint().value(), r.key()));
        assertArrayEquals(packet.bytes(), onOutcomes.get(0).value());
        assertArrayEquals(forged, onOutcomes.get(1).value());
        ConsumerRecord<String, byte[]> onVotes = records.stream().filter(r -> r.topic().equals(Topics.VOTES)).findFirst().orElseThrow();
        assertEquals(packet.fingerprint().value(), onVotes.key());
        assertArrayEquals(vote.bytes(), onVotes.value());
        assertEquals(3, records.stream().filter(r -> r.topic().equals(Topics.NODES)).map(ConsumerRecord::key).distinct().count());
    }

    @Test
    void answersAreReadAndABriefRebalanceIsWaitedOut() {
        try (KafkaHttpNetwork network = open()) {
            var rec = network.synthesize("sim-d01", "llama-3-8b", List.of("sim", "en")).orElseThrow();
            assertEquals(2, synthesisCalls.get(), "one 503, then the answer");
            assertEquals("QLoRA", rec.methodType());
            assertEquals(16L, rec.hyperparams().get("r"));
            assertEquals(2.0e-4, rec.hyperparams().get("lr"));
            assertEquals(List.of("0123456789abcdef-0123456789abcdef"), rec.packetIds());
            assertEquals(5, rec.evidenceCount());
            assertEquals(0.071, rec.expectedGainLow(), "no interval in the answer: it collapses onto the estimate");
            assertEquals(0.071, rec.expectedGainHigh());
            assertEquals(Optional.empty(), rec.explorationAlternative());
            var withAlternative = network.synthesize("sim-d02", "llama-3-8b", List.of("sim", "en")).orElseThrow();
            assertEquals(0.01, withAlternative.expectedGainLow());
            assertEquals(0.09, withAlternative.expectedGainHigh());
            assertEquals(List.of("aa-1", "aa-2"), withAlternative.packetIds());
            assertEquals("cosine", withAlternative.hyperparams().get("scheduler"));
            assertEquals(0.03, withAlternative.hyperparams().get("warmup_ratio"));
            var alternative = withAlternative.explorationAlternative().orElseThrow();
            assertEquals("DPO", alternative.methodType());
            assertEquals(32L, alternative.hyperparams().get("r"));
            assertEquals(0.12, alternative.upperBound());
            assertEquals(List.of("bb-1"), alternative.packetIds());
            assertEquals(Optional.empty(), network.synthesize("unknown", "llama-3-8b", List.of()));
            var top = network.topK("sim-d01", 2);
            assertEquals(1, top.size());
            assertEquals("00112233aabbccdd", top.get(0).nodeId());
            assertEquals(0.4, top.get(0).vote());
            assertEquals(Map.of("sim-d01", 3L, "other", 9L), network.packetsStored());
        }
    }

    @Test
    void rejectionsAreMatchedByTheHashOfTheOriginalValueAndReadOnce() throws Exception {
        byte[] original = "not a packet".getBytes(StandardCharsets.UTF_8);
        try (KafkaHttpNetwork network = open();
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                     cluster.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            Rejection rejection = Rejection.newBuilder().setReason(ReasonCode.MALFORMED).setDetail("test")
                    .setSourceTopic("qis.outcomes.0").setSourcePartition(0).setSourceOffset(7)
                    .setOriginalKey(null).setOriginalValue(ByteBuffer.wrap(original))
                    .setRejectedAt(Instant.now()).build();
            // The network created the protocol topics (qis.rejected among them) when it opened.
            producer.send(new ProducerRecord<>(Topics.REJECTED, null, ProtocolCodec.encode(rejection))).get();
            List<OutcomeNetwork.RejectionSeen> seen = network.rejections();
            assertEquals(List.of(new OutcomeNetwork.RejectionSeen("MALFORMED", PacketFactory.sha256(original))), seen);
            assertEquals(seen, network.rejections(), "a second read adds nothing");
        }
    }

    @Test
    void anUnreachableApiIsAClearError() {
        PublisherSettings settings = PublisherSettings.forBootstrap(cluster.bootstrapServers())
                .withLayout(new TopicLayout(2, (short) 1, 1)).withTimeout(WAIT);
        try (KafkaHttpNetwork network = KafkaHttpNetwork.open(settings, URI.create("http://127.0.0.1:1"))) {
            SimulationException e = assertThrows(SimulationException.class, network::packetsStored);
            assertTrue(e.getMessage().contains("--api"), e.getMessage());
        }
    }

    private static List<ConsumerRecord<String, byte[]>> read(List<String> topics, int atLeast) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, byte[]>> seen = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String t : topics) {
                consumer.partitionsFor(t, WAIT).forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Wait.waitFor(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                return seen.size() >= atLeast;
            }, WAIT, () -> "at least " + atLeast + " records on " + topics + ", saw " + seen.size());
        }
        seen.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()) != 0 ? Long.compare(a.timestamp(), b.timestamp())
                : Long.compare(a.offset(), b.offset()));
        return seen;
    }
}
