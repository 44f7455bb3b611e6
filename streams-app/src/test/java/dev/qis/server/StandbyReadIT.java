package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.publish.PublisherSettings;
import dev.qis.publish.QisPublisher;
import dev.qis.publish.TopicLayout;
import dev.qis.query.PeerClient;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances with one standby replica: while the instance active for a packet cannot be reached (it has died, and
 * the group has not noticed yet), the other answers from its standby copy, says so ({@code Qis-Read-From: standby}
 * and {@code Qis-Lag}), and gives the same answer the active copy gave; {@code /v1/domains} merges its own active
 * partitions with its standby copies of the other's, each partition once.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StandbyReadIT {
    private static final int PARTITIONS = 2;
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path stateDirs;

    @Test
    void aStandbyCopyAnswersWhileTheActiveInstanceIsUnreachable() throws Exception {
        String applicationId = "qis-standby-it-" + UUID.randomUUID();
        try (QisServer a = RunningApp.start(props(kafka, applicationId, "a"));
             QisServer b = RunningApp.start(props(kafka, applicationId, "b"))) {
            List<SignedPacket> packets = publish(kafka);
            Wait.waitFor(() -> packets.stream().allMatch(p -> status(a, p) == 200 && status(b, p) == 200),
                    WAIT, () -> "every packet answered by both instances");
            // each instance holds a copy of every partition: its active tasks and the other's standbys
            Wait.waitFor(() -> holdsEveryPartition(a) && holdsEveryPartition(b), WAIT,
                    () -> "a copy of every partition on both instances: " + a.streams().allLocalStorePartitionLags()
                            + " / " + b.streams().allLocalStorePartitionLags());
            SignedPacket onA = activeOn(a, packets).orElseThrow(() -> new AssertionError("no packet active on a"));
            HttpResponse<String> beforeLoss = get(b, "/v1/packets/" + onA.id());
            assertEquals("active", beforeLoss.headers().firstValue(PeerClient.READ_FROM_HEADER).orElse(""),
                    "forwarded to the active copy while it answers");
            // the domain stats are written after the packets: wait until both domains are counted whole
            Wait.waitFor(() -> PACKETS_PER_DOMAIN.equals(domainCountsNow(b)), WAIT,
                    () -> "both domains counted on b: " + domainCountsNow(b));
            HttpResponse<String> domainsBefore = get(b, "/v1/domains");
            assertEquals(200, domainsBefore.statusCode(), domainsBefore.body());
            assertEquals("active", domainsBefore.headers().firstValue(PeerClient.READ_FROM_HEADER).orElse(""),
                    "every partition from its active copy while both answer");
            assertEquals(PACKETS_PER_DOMAIN, domainCounts(domainsBefore));

            a.stopAnswering();

            HttpResponse<String> fromStandby = get(b, "/v1/packets/" + onA.id());
            assertEquals(200, fromStandby.statusCode(), fromStandby.body());
            assertEquals("standby", fromStandby.headers().firstValue(PeerClient.READ_FROM_HEADER).orElse(""));
            long lag = Long.parseLong(fromStandby.headers().firstValue(PeerClient.LAG_HEADER).orElse("-1"));
            assertTrue(lag >= 0, "the lag is stated: " + fromStandby.headers().map());
            assertEquals(stored(beforeLoss), stored(fromStandby), "the standby's answer equals the active's");

            String top = "/v1/domains/" + onA.packet().getContext().getTask() + "/top?k=5";
            HttpResponse<String> topAnswer = get(b, top);
            assertEquals(200, topAnswer.statusCode(), () -> topAnswer.body() + " lags on b: "
                    + b.streams().allLocalStorePartitionLags() + " metadata: " + b.streams().queryMetadataForKey(
                            StoreNames.DOMAIN_CANDIDATES, onA.packet().getContext().getTask(), new StringSerializer())
                    + " b is " + b.self());

            // the all-instance view: a's partitions from b's standby copies, each partition counted once (a standby
            // copy may still be restoring the last domain-stats update when a stops: it answers, and then catches up)
            HttpResponse<String> domains = Wait.waitFor(() -> get(b, "/v1/domains"),
                    r -> r.statusCode() == 200 && PACKETS_PER_DOMAIN.equals(domainCountsOrEmpty(r)), WAIT,
                    r -> "both domains counted whole from b's copies: " + (r == null ? "no answer" : r.body()));
            assertEquals("standby", domains.headers().firstValue(PeerClient.READ_FROM_HEADER).orElse(""));
            HttpResponse<String> internal = get(b, "/v1/domains?partitions=0&copies=any");
            assertEquals(400, internal.statusCode(), "partitions and copies are for instance-to-instance requests: "
                    + internal.body());

            HttpResponse<String> badLag = get(b, "/v1/packets/" + onA.id() + "?max_lag=-1");
            assertEquals(400, badLag.statusCode(), badLag.body());
        }
    }

    private static final java.util.Map<String, Long> PACKETS_PER_DOMAIN = java.util.Map.of("standby-even", 6L,
            "standby-odd", 6L);

    private static java.util.Map<String, Long> domainCounts(HttpResponse<String> answer) throws Exception {
        java.util.Map<String, Long> out = new java.util.TreeMap<>();
        for (JsonNode d : JSON.readTree(answer.body()).path("domains")) {
            out.merge(d.path("domain").asText(), d.path("packets").asLong(), Long::sum);
        }
        return out;
    }

    private static java.util.Map<String, Long> domainCountsOrEmpty(HttpResponse<String> answer) {
        try {
            return domainCounts(answer);
        } catch (Exception e) {
            return java.util.Map.of();
        }
    }

    private java.util.Map<String, Long> domainCountsNow(QisServer server) {
        try {
            HttpResponse<String> answer = get(server, "/v1/domains");
            return answer.statusCode() == 200 ? domainCountsOrEmpty(answer) : java.util.Map.of();
        } catch (Exception e) {
            return java.util.Map.of();
        }
    }

    private Properties props(InJvmKafka kafka, String applicationId, String name) {
        Properties flags = new Properties();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, applicationId);
        flags.put(QisConfig.STATE_DIR, stateDirs.resolve(name).toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put(QisConfig.NUM_STANDBY_REPLICAS, "1");
        flags.put(QisConfig.QUERY_TIMEOUT_MS, "2000");
        return flags;
    }

    private static List<SignedPacket> publish(InJvmKafka kafka) {
        NodeIdentity node = NodeIdentity.generate();
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            packets.add(Packets.seeded(i % 2 == 0 ? "standby-even" : "standby-odd", i).sign(node));
        }
        PublisherSettings settings = PublisherSettings.forBootstrap(kafka.bootstrapServers())
                .withLayout(new TopicLayout(PARTITIONS, TopicLayout.BROKER_DEFAULT_REPLICATION, 1));
        try (QisPublisher publisher = QisPublisher.open(settings)) {
            publisher.register(node);
            publisher.publish(packets);
        }
        return packets;
    }

    /** A packet's answer without what is computed at read time from the clock (decay and fidelity). */
    private static JsonNode stored(HttpResponse<String> answer) throws Exception {
        ObjectNode json = (ObjectNode)
                JSON.readTree(answer.body());
        ((ObjectNode) json.get("elections")).remove(List.of("decay", "fidelity"));
        return json;
    }

    private static boolean holdsEveryPartition(QisServer server) {
        var lags = server.streams().allLocalStorePartitionLags();
        return List.of(StoreNames.PACKETS, StoreNames.DOMAIN_CANDIDATES, StoreNames.DOMAIN_STATS).stream()
                .allMatch(store -> lags.containsKey(store) && lags.get(store).size() == PARTITIONS);
    }

    private static Optional<SignedPacket> activeOn(QisServer server, List<SignedPacket> packets) {
        return packets.stream().filter(p -> {
            KeyQueryMetadata m = server.streams().queryMetadataForKey(StoreNames.PACKETS, p.fingerprint().value(),
                    new StringSerializer());
            return server.self().equals(m.activeHost()) && m.standbyHosts().size() == 1;
        }).findFirst();
    }

    private int status(QisServer server, SignedPacket p) {
        try {
            return get(server, "/v1/packets/" + p.id()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private HttpResponse<String> get(QisServer server, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
