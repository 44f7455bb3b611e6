package dev.qis.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.DataScale;
import dev.qis.server.QisServer;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST answers of a fixed input, byte for byte: seeded node keys, fixed packets and reports with fixed issue
 * and record times, published in fixed phases, read at a fixed clock, through the real topology on a real broker and
 * the real REST server. Every GET endpoint's answer (status, content type, where it was read from, body) must equal
 * {@code rest-answers.golden} under the test resources. A change to the read path that changes no behaviour leaves
 * the file as it is; a change that means to change an answer rewrites it with {@code -Dqis.pin.write=<file>} and
 * shows the difference in review.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RestAnswersPinIT {
    private static final String GOLDEN = "/rest-answers.golden";
    private static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-09T06:30:00Z"), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String CLINICAL = "clinical-note-summarization";
    private static final String LEGAL = "legal-clause-extraction";
    private static final String RARE = "protein-folding-qa";

    @RegisterExtension
    static final InJvmKafka KAFKA = new InJvmKafka();

    @TempDir
    Path stateDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private final String applicationId = "qis-pin-" + UUID.randomUUID();
    private long recordTime = ISSUED.toEpochMilli();

    @Test
    void everyGetAnswerOfAFixedInputIsTheGoldenOne() throws Exception {
        Seeded seeded = new Seeded(20_261_101L);
        NodeIdentity alice = seeded.next();
        NodeIdentity bob = seeded.next();
        NodeIdentity carol = seeded.next();
        NodeIdentity flood = seeded.next();
        NodeIdentity voter = seeded.next();
        NodeIdentity unknown = seeded.next(); // never registered: asked for, never answered

        try (QisServer app = QisServer.start(config(), CLOCK);
             KafkaProducer<String, byte[]> producer = producer()) {
            assertTrue(app.awaitRunning(WAIT), "the app reaches RUNNING");
            for (NodeIdentity n : List.of(alice, bob, carol, flood, voter)) {
                send(producer, Topics.NODES, n.nodeId(), ProtocolCodec.encode(n.nodeKey(ISSUED)));
            }
            waitFor(() -> nodeKeys(app) >= 5, "the five node keys in the global store");

            SignedPacket reproduced = packet("llama-3-8b", CLINICAL, 60, 66, "LoRA", 16, 0).sign(alice);
            SignedPacket refuted = packet("llama-3-8b", CLINICAL, 60, 70, "QLoRA", 8, 1).sign(bob);
            SignedPacket cited = packet("mistral-7b", CLINICAL, 50, 54, "LoRA", 32, 2).sign(carol);
            List<SignedPacket> flooded = new ArrayList<>();
            for (int i = 0; i < 4; i++) { // one node flooding a domain: at most 2 of its packets in a top-k
                flooded.add(packet("llama-3-8b", CLINICAL, 60, 63 + i, "LoRA", 4L + i, 3 + i).sign(flood));
            }
            SignedPacket legal = packet("llama-7b", LEGAL, 70, 75, "full", 0, 7).sign(alice);
            SignedPacket rare = packet("qwen-2-7b", RARE, 30, 33, "DPO", 1, 8).sign(carol);
            List<SignedPacket> first = new ArrayList<>(List.of(reproduced, refuted, cited));
            first.addAll(flooded);
            first.addAll(List.of(legal, rare));
            for (SignedPacket p : first) {
                publish(producer, p);
            }
            waitFor(() -> packetsIn(app, CLINICAL) == 7 && packetsIn(app, LEGAL) == 1 && packetsIn(app, RARE) == 1,
                    "the first nine packets in their domains");

            SignedPacket citing = packet("llama-3-8b", CLINICAL, 61, 65, "LoRA", 16, 9).informedBy(cited.id())
                    .sign(bob);
            publish(producer, citing);
            waitFor(() -> field(app, "/v1/packets/" + cited.id(), "citations") == 1, "bob's run cites carol's packet");

            List<String> applied = new ArrayList<>();
            vote(producer, report(reproduced, 65.5, voter));
            vote(producer, report(refuted, 60.1, voter));
            applied.addAll(List.of(reproduced.id(), refuted.id()));
            for (SignedPacket f : flooded) { // the flood's packets reproduce, so they are listed
                vote(producer, report(f, f.packet().getOutcome().getOutcomeScore(), voter));
                applied.add(f.id());
            }
            vote(producer, report(cited, 54, bob));
            waitFor(() -> field(app, "/v1/packets/" + reproduced.id(), "votes") == 1
                    && field(app, "/v1/packets/" + refuted.id(), "votes") == 1
                    && field(app, "/v1/packets/" + cited.id(), "votes") == 1
                    && flooded.stream().allMatch(f -> field(app, "/v1/packets/" + f.id(), "votes") == 1),
                    "the seven reports on their packets");

            // the voter's own run, citing what it applied: this backs its reports
            SignedPacket run = packet("llama-7b", LEGAL, 70, 74, "full", 1, 10).informedBy(applied).sign(voter);
            publish(producer, run);
            waitFor(() -> field(app, "/v1/packets/" + reproduced.id(), "successes") == 1
                    && field(app, "/v1/packets/" + refuted.id(), "failures") == 1
                    && field(app, "/v1/packets/" + cited.id(), "successes") == 1
                    && flooded.stream().allMatch(f -> field(app, "/v1/packets/" + f.id(), "successes") == 1)
                    && nodeField(app, alice, "successes") == 1 && nodeField(app, bob, "failures") == 1
                    && nodeField(app, flood, "successes") == 4 && nodeField(app, carol, "successes") == 1,
                    "every backed report counted in its packet and its author's tally");

            String fp = reproduced.fingerprint().value();
            String nextCursor = reproduced.id();
            List<String> paths = List.of(
                    "/v1/domains",
                    "/v1/domains?limit=2",
                    "/v1/domains?limit=2&cursor=" + LEGAL,
                    "/v1/domains/" + CLINICAL + "/top",
                    "/v1/domains/" + CLINICAL + "/top?k=3",
                    "/v1/domains/" + CLINICAL + "/top?k=3&family=llama-3-8b&min_confidence=0.5",
                    "/v1/domains/" + CLINICAL + "/top?tag=healthcare",
                    "/v1/domains/" + CLINICAL + "/top?family=mistral-7b",
                    "/v1/domains/" + LEGAL + "/top",
                    "/v1/domains/" + RARE + "/top",
                    "/v1/domains/unheard-of-domain/top",
                    "/v1/domains/" + CLINICAL + "/synthesis",
                    "/v1/domains/" + CLINICAL + "/synthesis?family=llama-3-8b&tags=en-US,healthcare",
                    "/v1/domains/" + LEGAL + "/synthesis",
                    "/v1/domains/" + RARE + "/synthesis",
                    "/v1/fingerprints/" + fp + "/packets",
                    "/v1/fingerprints/" + fp + "/packets?limit=2",
                    "/v1/fingerprints/" + fp + "/packets?limit=2&cursor=" + nextCursor,
                    "/v1/fingerprints/" + fp + "/synthesis",
                    "/v1/fingerprints/" + cited.fingerprint().value() + "/synthesis",
                    "/v1/fingerprints/0123456789abcdef/synthesis",
                    "/v1/packets/" + reproduced.id(),
                    "/v1/packets/" + refuted.id(),
                    "/v1/packets/" + cited.id(),
                    "/v1/packets/" + citing.id(),
                    "/v1/packets/" + run.id(),
                    "/v1/packets/" + run.id() + "?reports_limit=0",
                    "/v1/packets/" + reproduced.id() + "?reports_after=" + voter.nodeId(),
                    "/v1/packets/" + fp + "-0000000000000000",
                    "/v1/nodes/" + alice.nodeId(),
                    "/v1/nodes/" + bob.nodeId(),
                    "/v1/nodes/" + carol.nodeId(),
                    "/v1/nodes/" + flood.nodeId(),
                    "/v1/nodes/" + voter.nodeId(),
                    "/v1/nodes/" + unknown.nodeId(),
                    "/v1/domains/" + CLINICAL + "/top?k=0",
                    "/v1/domains/" + CLINICAL + "/top?family=Bad%20Family",
                    "/v1/fingerprints/NOT-A-FINGERPRINT/packets",
                    "/v1/packets/not-an-id",
                    "/v1/instances");
            StringBuilder answers = new StringBuilder();
            for (String path : paths) {
                answers.append(answer(app, path));
            }
            String actual = answers.toString();
            Optional<String> write = Optional.ofNullable(System.getProperty("qis.pin.write"));
            if (write.isPresent()) {
                Files.writeString(Path.of(write.get()), actual, StandardCharsets.UTF_8);
            }
            assertEquals(golden(), actual, "the REST answers of the fixed input (see " + GOLDEN + ")");
        }
    }

    /** Status, content type, the copy it was read from, and the body, with this run's port and app id named. */
    private String answer(QisServer app, String path) throws Exception {
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(uri(app, path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        String body = new String(r.body(), StandardCharsets.UTF_8)
                .replace(applicationId, "{application.id}")
                .replace("localhost:" + app.port() + "\"", "localhost:{port}\"")
                .replace("\"port\":" + app.port() + ",", "\"port\":\"{port}\",");
        return "GET " + path + "\n"
                + r.statusCode() + " " + r.headers().firstValue("Content-Type").orElse("-") + " read-from="
                + r.headers().firstValue("Qis-Read-From").orElse("-") + "\n"
                + body + "\n\n";
    }

    private static String golden() throws IOException {
        try (InputStream in = RestAnswersPinIT.class.getResourceAsStream(GOLDEN)) {
            if (in == null) {
                throw new AssertionError(GOLDEN + " is missing from the test resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private QisConfig config() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, KAFKA.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, applicationId);
        flags.put(QisConfig.REST_PORT, "0");
        flags.put(QisConfig.REST_BIND, "127.0.0.1");
        flags.put(QisConfig.STATE_DIR, stateDir.toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, "2");
        return QisConfig.load(Optional.empty(), Map.of(), flags);
    }

    private KafkaProducer<String, byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    }

    private static OutcomePacketBuilder packet(String family, String task, double baseline, double outcome,
                                               String method, long rank, int minute) {
        return new OutcomePacketBuilder()
                .family(family).task(task).tag("en-US").tag("healthcare")
                .dataScale(DataScale.FROM_1K_TO_10K).benchmark("MedQA").metric("accuracy")
                .baselineScore(baseline).outcomeScore(outcome).higherIsBetter(true)
                .methodType(method).hyperparam("r", rank).hyperparam("lr", 2e-4)
                .heldOutEval(true).nEvalSamples(400).confidence(0.9).issuedAt(ISSUED.plusSeconds(60L * minute));
    }

    private static SignedReport report(SignedPacket on, double observed, NodeIdentity reporter) {
        return Packets.vote(on.id(), observed, 300, ISSUED.plusSeconds(3_600), reporter);
    }

    private void publish(KafkaProducer<String, byte[]> producer, SignedPacket s) throws Exception {
        send(producer, Topics.outcomes(s.fingerprint()), s.fingerprint().value(), s.bytes());
    }

    private void vote(KafkaProducer<String, byte[]> producer, SignedReport r) throws Exception {
        send(producer, Topics.VOTES, r.fingerprint().value(), r.bytes());
    }

    /** Sends with a record time of its own, one second after the last: the input's times are fixed too. */
    private void send(KafkaProducer<String, byte[]> producer, String topic, String key, byte[] value)
            throws Exception {
        recordTime += 1_000;
        producer.send(new ProducerRecord<>(topic, null, recordTime, key, value)).get();
    }

    private static long nodeKeys(QisServer app) {
        try {
            return app.streams().store(StoreQueryParameters.fromNameAndType(StoreNames.NODE_KEYS,
                    QueryableStoreTypes.<String, byte[]>keyValueStore())).approximateNumEntries();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private JsonNode json(QisServer app, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(app, path)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? ApiJson.mapper().readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private long packetsIn(QisServer app, String domain) {
        JsonNode domains = json(app, "/v1/domains");
        if (domains == null) {
            return -1;
        }
        for (JsonNode d : domains.path("domains")) {
            if (d.path("domain").asText().equals(domain)) {
                return d.path("packets").asLong();
            }
        }
        return 0;
    }

    private long field(QisServer app, String packetPath, String electionsField) {
        JsonNode packet = json(app, packetPath);
        return packet == null ? -1 : packet.path("elections").path(electionsField).asLong(-1);
    }

    private long nodeField(QisServer app, NodeIdentity node, String name) {
        JsonNode n = json(app, "/v1/nodes/" + node.nodeId());
        return n == null ? -1 : n.path(name).asLong(-1);
    }

    private static URI uri(QisServer app, String path) {
        return URI.create("http://127.0.0.1:" + app.port() + path);
    }

    private static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for: " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Ed25519 keys from a seeded generator (SHA1PRNG is deterministic when seeded before first use). */
    private static final class Seeded {
        private final KeyPairGenerator generator;

        Seeded(long seed) throws GeneralSecurityException {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(ByteBuffer.allocate(Long.BYTES).putLong(seed).array());
            generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(NamedParameterSpec.ED25519, random);
        }

        NodeIdentity next() {
            return new NodeIdentity(generator.generateKeyPair());
        }
    }
}
