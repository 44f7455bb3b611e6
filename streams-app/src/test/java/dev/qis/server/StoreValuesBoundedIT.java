package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.store.Candidate;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many reporters on one packet must not grow any one store record past what a changelog accepts: the app keeps
 * running and counts every report. When every reporter's vote lived inside the packet's state value, a few
 * thousand votes made one changelog record exceed 1 MiB, the send failed with RecordTooLarge and the instance
 * (and every instance that took its task over) stopped.
 *
 * <p>To stay small and fast the internal topics' {@code max.message.bytes} is lowered to 32 KiB through the app's
 * own {@code topic.} settings (as an operator would set it): the same failure at 400 reporters instead of ~6,000.
 * The limit it meets is the real broker's, on the real changelog; only the threshold is smaller.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StoreValuesBoundedIT {
    private static final int REPORTERS = 400;
    private static final int RECORD_LIMIT = 32 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant ISSUED = Instant.now().minusSeconds(3600);

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    @Test
    void votesOfFourHundredReportersOnOnePacketKeepTheAppRunning(@TempDir Path stateDir) throws Exception {
        NodeIdentity author = NodeIdentity.generate();
        SignedPacket target = packet("bounded-votes", 60, author, null);
        List<NodeIdentity> reporters = reporters();
        List<SignedReport> votes = reporters.parallelStream().map(r -> vote(target, r)).toList();

        try (QisServer app = RunningApp.start(props(stateDir)); KafkaProducer<String, byte[]> producer = producer()) {
            register(producer, author);
            reporters.forEach(r -> register(producer, r));
            send(producer, target);
            votes.forEach(v -> producer.send(new ProducerRecord<>(Topics.VOTES, v.fingerprint().value(), v.bytes())));
            producer.flush();

            awaitStored(app, target, s -> s.votes(), REPORTERS, "votes stored");
            PacketState s = packetState(app, target);
            assertEquals(0, s.successes() + s.failures(), "no reporter published a run citing it: none is backed");
            assertEveryReportIsReadAPageAtATime(app, target, reporters);
        }
    }

    @Test
    void fourHundredBackedReportsOnOnePacketKeepTheAppRunning(@TempDir Path stateDir) throws Exception {
        NodeIdentity author = NodeIdentity.generate();
        SignedPacket target = packet("bounded-backed", 60, author, null);
        List<NodeIdentity> reporters = reporters();
        List<SignedPacket> runs = IntStream.range(0, REPORTERS).parallel()
                .mapToObj(i -> packet("bounded-runs", 61 + i % 7, reporters.get(i), target.id())).toList();
        List<SignedReport> votes = reporters.parallelStream().map(r -> vote(target, r)).toList();

        try (QisServer app = RunningApp.start(props(stateDir)); KafkaProducer<String, byte[]> producer = producer()) {
            register(producer, author);
            reporters.forEach(r -> register(producer, r));
            send(producer, target);
            runs.forEach(p -> send(producer, p));
            votes.forEach(v -> producer.send(new ProducerRecord<>(Topics.VOTES, v.fingerprint().value(), v.bytes())));
            producer.flush();

            awaitStored(app, target, s -> s.successes() + s.failures(), REPORTERS, "backed reports counted");
            PacketState s = packetState(app, target);
            assertEquals(REPORTERS, s.citations(), "every citing run counted once");
            Wait.waitFor(() -> {
                Candidate c = candidate(app, target);
                return c != null && c.successes() + c.failures() == REPORTERS;
            }, Duration.ofSeconds(60), () -> "the candidate counts every backed report: " + candidate(app, target));
            Candidate c = candidate(app, target);
            assertTrue(c.listed(), "reproduced by all: listed");
            assertEquals(QisConfig.DEFAULT_CANDIDATE_REPORTS_MAX, c.reports().size(),
                    "the candidate keeps the heaviest backed reports up to its bound");
        }
    }

    private static void awaitStored(QisServer app, SignedPacket target, ToLongFunction<PacketState> count, long want,
                                    String what) throws InterruptedException {
        Wait.waitFor(() -> {
            KafkaStreams.State state = app.streams().state();
            if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
                throw new AssertionError("the app stopped (" + state + ") before the reports were stored");
            }
            PacketState s = packetState(app, target);
            return s != null && !s.isPending() && count.applyAsLong(s) == want;
        }, Duration.ofSeconds(120), () -> {
            PacketState s = packetState(app, target);
            return (s == null ? "nothing" : count.applyAsLong(s)) + " " + what + ", expected " + want
                    + " (app " + app.streams().state() + ")";
        });
    }

    /** GET /v1/packets/{id} shows a page of reports; following reports_next reads each reporter's once. */
    private static void assertEveryReportIsReadAPageAtATime(QisServer app, SignedPacket target,
                                                            List<NodeIdentity> reporters) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Set<String> seen = new TreeSet<>();
        String after = null;
        int pages = 0;
        do {
            String query = "?reports_limit=150" + (after == null ? "" : "&reports_after=" + after);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port()
                    + "/v1/packets/" + target.id() + query)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            JsonNode elections = JSON.readTree(r.body()).path("elections");
            assertEquals(REPORTERS, elections.path("votes").asLong(), "every reporter counted on every page");
            assertTrue(elections.path("reports").size() <= 150, "a page is bounded");
            for (JsonNode report : elections.path("reports")) {
                assertTrue(seen.add(report.path("reporter").asText()), "a reporter shown twice: " + report);
            }
            after = elections.path("reports_next").isTextual() ? elections.path("reports_next").asText() : null;
            pages++;
        } while (after != null && pages < 10);
        assertEquals(3, pages, "400 reports in pages of 150");
        Set<String> expected = new TreeSet<>();
        reporters.forEach(n -> expected.add(n.nodeId()));
        assertEquals(expected, seen);
    }

    private static Candidate candidate(QisServer app, SignedPacket p) {
        try {
            return RunningApp.<Candidate>all(app, StoreNames.DOMAIN_CANDIDATES)
                    .get(StoreKeys.candidate(p.packet().getContext().getTask(), p.id()));
        } catch (InvalidStateStoreException e) {
            return null;
        }
    }

    private static PacketState packetState(QisServer app, SignedPacket p) {
        try {
            return RunningApp.<PacketState>all(app, StoreNames.PACKETS).get(StoreKeys.packet(p.id()));
        } catch (InvalidStateStoreException e) {
            return null;
        }
    }

    private static Properties props(Path stateDir) {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-bounded-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "1");
        props.put(StreamsConfig.topicPrefix(TopicConfig.MAX_MESSAGE_BYTES_CONFIG), Integer.toString(RECORD_LIMIT));
        return props;
    }

    private static List<NodeIdentity> reporters() {
        return IntStream.range(0, REPORTERS).parallel().mapToObj(i -> NodeIdentity.generate()).toList();
    }

    private static SignedPacket packet(String task, double outcome, NodeIdentity node, String informedBy) {
        OutcomePacketBuilder b = Packets.plain(task, outcome).issuedAt(ISSUED);
        if (informedBy != null) {
            b.informedBy(informedBy);
        }
        return b.sign(node);
    }

    private static SignedReport vote(SignedPacket target, NodeIdentity reporter) {
        return Packets.vote(target.id(), 59, 200, ISSUED.plusSeconds(60), reporter);
    }

    private static void register(KafkaProducer<String, byte[]> producer, NodeIdentity node) {
        producer.send(new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(ISSUED))));
    }

    private static void send(KafkaProducer<String, byte[]> producer, SignedPacket p) {
        producer.send(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes()));
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
