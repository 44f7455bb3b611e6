package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import dev.qis.query.PeerClient;
import dev.qis.rest.Problem;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of the app on one real broker: every endpoint gives the same answer from either instance (the
 * one that does not own a key forwards to the one that does), every error has its status and problem body,
 * /metrics shows the app's meters and Kafka's, and when one instance stops the other answers everything.
 */
@Tag("integration")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TwoInstanceQueryIT {
    private static final int PARTITIONS = 3;
    private static final Instant ISSUED = Packets.ISSUED;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-02T00:00:00Z"), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String CLINICAL = "clinical-note-summarization";
    private static final String LEGAL = "legal-clause-extraction";
    private static final String RARE = "protein-folding-qa";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newHttpClient();
    private final String applicationId = "qis-it-" + UUID.randomUUID();

    private final NodeIdentity alice = NodeIdentity.generate();
    private final NodeIdentity bob = NodeIdentity.generate();
    private final NodeIdentity carol = NodeIdentity.generate();
    private final NodeIdentity flood = NodeIdentity.generate();
    private final NodeIdentity voter = NodeIdentity.generate();
    private final NodeIdentity stranger = NodeIdentity.generate(); // never registered: its packet is rejected

    @TempDir
    static Path stateDirs;

    @RegisterExtension
    static final InJvmKafka cluster = new InJvmKafka();
    private QisServer first;
    private QisServer second;
    private final List<SignedPacket> packets = new ArrayList<>();
    private SignedPacket reproduced;
    private SignedPacket refuted;
    private SignedPacket cited;
    private SignedPacket citing;

    @BeforeAll
    void startClusterAndTwoInstances() throws Exception {
        first = QisServer.start(config("a"), CLOCK);
        second = QisServer.start(config("b"), CLOCK);
        Wait.waitFor(() -> first.streams().state().isRunningOrRebalancing()
                && second.streams().state().isRunningOrRebalancing() && ready(first) && ready(second), WAIT,
                () -> "both instances ready: " + first.streams().state() + " / " + second.streams().state());
        publishTheData();
        Wait.waitFor(this::dataIsProcessed, WAIT,
                () -> "every packet, vote and citation processed and visible from both instances");
    }

    @AfterAll
    void stop() {
        for (QisServer s : new QisServer[] {first, second}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private QisConfig config(String name) throws Exception {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(QisConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers());
        flags.put(QisConfig.APPLICATION_ID, applicationId);
        flags.put(QisConfig.REST_PORT, "0"); // any free port; application.server becomes localhost:<that port>
        flags.put(QisConfig.REST_BIND, "127.0.0.1");
        flags.put(QisConfig.STATE_DIR, stateDirs.resolve(name).toString());
        flags.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        flags.put(QisConfig.QUERY_TIMEOUT_MS, "3000");
        flags.put(QisConfig.UNKNOWN_NODE_GRACE, "PT1S"); // the stranger's packet is rejected soon, not after 30 s
        flags.put("session.timeout.ms", "10000");
        flags.put("heartbeat.interval.ms", "1000");
        return QisConfig.load(Optional.empty(), Map.of(), flags);
    }

    // ---- data -------------------------------------------------------------------------------------------------

    /** The fixture's packet of a family and task, with its own method and rank. */
    private static OutcomePacketBuilder packet(String family, String task, double baseline, double outcome,
                                               String method, long rank) {
        return Packets.packet(family, task, baseline, outcome).methodType(method).hyperparam("r", rank);
    }

    private void publishTheData() throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p, new StringSerializer(),
                new ByteArraySerializer())) {
            for (NodeIdentity n : List.of(alice, bob, carol, flood, voter)) {
                producer.send(new ProducerRecord<>(Topics.NODES, n.nodeId(), ProtocolCodec.encode(n.nodeKey(ISSUED)))).get();
            }
            // the node keys reach each instance's global store on their own schedule: wait before verifying packets
            Wait.waitFor(() -> nodeKeysLoaded(first) && nodeKeysLoaded(second), WAIT,
                    () -> "node keys in both global stores");

            reproduced = packet("llama-3-8b", CLINICAL, 60, 66, "LoRA", 16).sign(alice);
            refuted = packet("llama-3-8b", CLINICAL, 60, 70, "QLoRA", 8).sign(bob);
            cited = packet("mistral-7b", CLINICAL, 50, 54, "LoRA", 32).sign(carol);
            packets.addAll(List.of(reproduced, refuted, cited));
            for (int i = 0; i < 4; i++) { // one node flooding a domain: at most 2 of its packets in a top-k
                packets.add(packet("llama-3-8b", CLINICAL, 60, 63 + i, "LoRA", 4L + i).sign(flood));
            }
            packets.add(packet("llama-7b", LEGAL, 70, 75, "full", 0).sign(alice));
            packets.add(packet("qwen-2-7b", RARE, 30, 33, "DPO", 1).sign(carol));
            for (SignedPacket s : packets) {
                send(producer, s);
            }
            citing = packet("llama-3-8b", CLINICAL, 61, 65, "LoRA", 16).informedBy(cited.id()).sign(bob);
            packets.add(citing);
            send(producer, citing);
            send(producer, packet("llama-3-8b", CLINICAL, 60, 80, "LoRA", 1).sign(stranger)); // UNKNOWN_NODE

            vote(producer, Packets.vote(reproduced.id(), 65.5, 300, ISSUED.plusSeconds(60), voter));
            vote(producer, Packets.vote(refuted.id(), 60.1, 300, ISSUED.plusSeconds(60), voter));
            List<String> applied = new ArrayList<>(List.of(reproduced.id(), refuted.id()));
            for (SignedPacket f : packets.subList(3, 7)) { // the flood's packets reproduce, so they are listed
                vote(producer, Packets.vote(f.id(), f.packet().getOutcome().getOutcomeScore(), 300,
                        ISSUED.plusSeconds(60), voter));
                applied.add(f.id());
            }
            // the voter's own run, citing what it applied: this backs its reports
            SignedPacket run = packet("llama-7b", LEGAL, 70, 74, "full", 1).informedBy(applied).sign(voter);
            packets.add(run);
            send(producer, run);
            // bob applied carol's packet (his citing run above) and reports that it reproduced
            vote(producer, Packets.vote(cited.id(), 54, 300, ISSUED.plusSeconds(60), bob));
            producer.flush();
        }
    }

    private static void send(KafkaProducer<String, byte[]> producer, SignedPacket s) throws Exception {
        producer.send(new ProducerRecord<>(Topics.outcomes(s.fingerprint()), s.fingerprint().value(),
                s.bytes())).get();
    }

    private static void vote(KafkaProducer<String, byte[]> producer, SignedReport r) throws Exception {
        producer.send(new ProducerRecord<>(Topics.VOTES, r.fingerprint().value(), r.bytes())).get();
    }

    private boolean nodeKeysLoaded(QisServer server) {
        try {
            var store = server.streams().store(org.apache.kafka.streams.StoreQueryParameters.fromNameAndType(
                    StoreNames.NODE_KEYS, org.apache.kafka.streams.state.QueryableStoreTypes.<String, byte[]>keyValueStore()));
            return store.approximateNumEntries() >= 5;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private JsonNode answerNow(QisServer s, String path) throws Exception {
        HttpResponse<String> r = get(s, path);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private boolean dataIsProcessed() {
        try {
            for (QisServer s : List.of(first, second)) {
                JsonNode domains = answerNow(s, "/v1/domains");
                if (domains == null || domains.path("domains").size() != 3) {
                    return false;
                }
                JsonNode clinical = domains.path("domains").get(0);
                if (clinical.path("packets").asLong() != 8) {
                    return false;
                }
                JsonNode voterOfNothing = answerNow(s, "/v1/nodes/" + bob.nodeId());
                if (voterOfNothing == null || voterOfNothing.path("failures").asLong() != 1) {
                    return false;
                }
                JsonNode aliceNode = answerNow(s, "/v1/nodes/" + alice.nodeId());
                if (aliceNode == null || aliceNode.path("successes").asLong() != 1) {
                    return false;
                }
                JsonNode citedPacket = answerNow(s, "/v1/packets/" + cited.id());
                if (citedPacket == null || citedPacket.path("elections").path("citations").asLong() != 1) {
                    return false;
                }
            }
            String unknownNode = "qis_packets_rejected_total{reason=\"UNKNOWN_NODE\"";
            // the stranger's packet waits out the unknown-node grace before it is rejected
            return counter(get(first, "/metrics").body(), unknownNode)
                    + counter(get(second, "/metrics").body(), unknownNode) > 0;
        } catch (Exception e) {
            return false;
        }
    }

    // ---- the endpoints -----------------------------------------------------------------------------------------

    /** Every query path whose answer must not depend on which instance is asked. */
    private List<String> queryPaths() {
        String fp = reproduced.fingerprint().value();
        return List.of(
                "/v1/domains",
                "/v1/domains/" + CLINICAL + "/top?k=10",
                "/v1/domains/" + CLINICAL + "/top?k=3&family=llama-3-8b&min_confidence=0.5",
                "/v1/domains/" + CLINICAL + "/top?tag=healthcare",
                "/v1/domains/" + LEGAL + "/top",
                "/v1/domains/" + RARE + "/top",
                "/v1/domains/" + CLINICAL + "/synthesis?family=llama-3-8b&tags=en-US,healthcare",
                "/v1/domains/" + RARE + "/synthesis",
                "/v1/fingerprints/" + fp + "/packets",
                "/v1/fingerprints/" + fp + "/packets?limit=2",
                "/v1/fingerprints/" + fp + "/synthesis",
                "/v1/packets/" + reproduced.id(),
                "/v1/packets/" + refuted.id(),
                "/v1/packets/" + cited.id(),
                "/v1/nodes/" + alice.nodeId(),
                "/v1/nodes/" + bob.nodeId(),
                "/v1/nodes/" + flood.nodeId());
    }

    @Test
    void everyEndpointGivesTheSameAnswerFromEitherInstance() throws Exception {
        for (String path : queryPaths()) {
            HttpResponse<String> a = settled(first, path);
            HttpResponse<String> b = settled(second, path);
            assertEquals(200, a.statusCode(), path + ": " + a.body());
            assertEquals(200, b.statusCode(), path + ": " + b.body());
            assertEquals(JSON.readTree(a.body()), JSON.readTree(b.body()), path);
        }
    }

    @Test
    void theAnswersAreRight() throws Exception {
        JsonNode domains = getJson(first, "/v1/domains").path("domains");
        assertEquals(List.of(CLINICAL, LEGAL, RARE), List.of(domains.get(0).path("domain").asText(),
                domains.get(1).path("domain").asText(), domains.get(2).path("domain").asText()));
        assertEquals(1, domains.get(2).path("packets").asLong(), "a rare domain is visible with its one packet");

        JsonNode top = getJson(first, "/v1/domains/" + CLINICAL + "/top?k=10");
        assertEquals(10, top.path("k").asInt());
        int fromFlood = 0;
        List<String> ids = new ArrayList<>();
        double previous = Double.MAX_VALUE;
        for (JsonNode e : top.path("entries")) {
            ids.add(e.path("packet_id").asText());
            fromFlood += e.path("node_id").asText().equals(flood.nodeId()) ? 1 : 0;
            assertTrue(e.path("routed").asBoolean());
            assertTrue(e.path("fidelity").asDouble() <= previous, "best first");
            previous = e.path("fidelity").asDouble();
            for (String field : List.of("packet_id", "node_id", "fingerprint", "family", "task", "tags", "method_type",
                    "hyperparams", "gain", "confidence", "n_eval_samples", "citations", "curate", "vote", "trust",
                    "decay", "fidelity", "routed", "issued_at")) {
                assertTrue(e.has(field), "top entry has " + field + ": " + e);
            }
        }
        assertEquals(2, fromFlood, "the per-node cap");
        assertTrue(ids.contains(reproduced.id()));
        assertFalse(ids.contains(refuted.id()) && ids.indexOf(refuted.id()) < ids.indexOf(reproduced.id()),
                "a refuted packet does not outrank a reproduced one");

        JsonNode capped = getJson(first, "/v1/domains/" + CLINICAL + "/top?k=3");
        assertEquals(3, capped.path("entries").size());

        JsonNode mistral = getJson(first, "/v1/domains/" + CLINICAL + "/top?family=mistral-7b");
        assertEquals(1, mistral.path("entries").size());
        assertEquals(cited.id(), mistral.path("entries").get(0).path("packet_id").asText());
        assertEquals(1, mistral.path("entries").get(0).path("citations").asLong());

        JsonNode synthesis = getJson(first, "/v1/domains/" + CLINICAL + "/synthesis?family=llama-3-8b&tags=en-US,healthcare");
        // a configuration some packet ran; its evidence (that packet and its close neighbours) heaviest first
        assertTrue(synthesis.path("evidence_count").asInt() >= 1, synthesis.toString());
        double heaviest = Double.MAX_VALUE;
        for (JsonNode e : synthesis.path("evidence")) {
            SignedPacket p = packets.stream().filter(x -> x.id().equals(e.path("packet_id").asText())).findFirst()
                    .orElseThrow(() -> new AssertionError("evidence names an unknown packet: " + e));
            assertEquals(synthesis.path("method_type").asText(), p.packet().getMethod().getMethodType());
            if (heaviest == Double.MAX_VALUE) {
                assertEquals(synthesis.path("hyperparams").path("r").asLong(),
                        ((Number) p.packet().getMethod().getHyperparams().get("r")).longValue(),
                        "the heaviest evidence ran the recommended configuration: " + synthesis);
            }
            assertTrue(e.path("weight").asDouble() <= heaviest, "heaviest first");
            heaviest = e.path("weight").asDouble();
        }
        assertTrue(synthesis.path("expected_gain").asDouble() > 0);
        assertTrue(synthesis.path("expected_gain_low").asDouble() < synthesis.path("expected_gain").asDouble());
        assertFalse(synthesis.path("packet_ids").toString().contains(refuted.id()), "a refuted packet is not cited");
        for (String field : List.of("domain", "family", "tags", "method_type", "hyperparams", "expected_gain",
                "expected_gain_low", "expected_gain_high", "evidence", "exploration",
                "evidence_count", "distinct_nodes", "packet_ids")) {
            assertTrue(synthesis.has(field), "synthesis has " + field);
        }

        JsonNode detail = getJson(first, "/v1/packets/" + refuted.id());
        JsonNode elections = detail.path("elections");
        assertEquals(1, elections.path("failures").asLong());
        assertTrue(elections.path("vote").asDouble() < 1.0, "refuted: vote below its prior");
        assertEquals(voter.nodeId(), elections.path("reports").get(0).path("reporter").asText());
        assertFalse(elections.path("reports").get(0).path("reproduced").asBoolean());

        JsonNode aliceNode = getJson(first, "/v1/nodes/" + alice.nodeId());
        assertEquals(2, aliceNode.path("packets").asLong());
        assertTrue(aliceNode.path("trust").asDouble() > 0.5, "reproduced: trust above a newcomer's");
    }

    @Test
    void paginationWalksAFingerprintWithACursor() throws Exception {
        String fp = reproduced.fingerprint().value();
        List<String> all = new ArrayList<>();
        getJson(first, "/v1/fingerprints/" + fp + "/packets").path("packets").forEach(p -> all.add(p.path("packet_id").asText()));
        assertEquals(7, all.size(), "alice's, bob's two and flood's four packets share this context");
        List<String> paged = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = getJson(second, "/v1/fingerprints/" + fp + "/packets?limit=4"
                    + (cursor == null ? "" : "&cursor=" + cursor));
            page.path("packets").forEach(p -> paged.add(p.path("packet_id").asText()));
            cursor = page.path("next_cursor").isNull() ? null : page.path("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertEquals(all, paged);
        assertEquals(2, pages);
    }

    @Test
    void theInstanceThatDoesNotOwnAKeyForwardsToTheOwner() throws Exception {
        for (String domain : List.of(CLINICAL, LEGAL, RARE)) {
            KeyQueryMetadata m = first.streams().queryMetadataForKey(StoreNames.DOMAIN_CANDIDATES, domain,
                    new StringSerializer());
            QisServer notOwner = m.activeHost().equals(first.self()) ? second : first;
            double before = forwarded(notOwner);
            HttpResponse<String> answer = settled(notOwner, "/v1/domains/" + domain + "/top");
            assertEquals(200, answer.statusCode(), answer.body());
            assertEquals(before + 1, forwarded(notOwner), "the non-owner forwarded " + domain);
        }
        HttpResponse<String> instances = settled(first, "/v1/instances");
        assertEquals(2, JSON.readTree(instances.body()).path("instances").size(), instances.body());
    }

    @Test
    void aForwardedRequestIsNeverForwardedAgain() throws Exception {
        KeyQueryMetadata m = first.streams().queryMetadataForKey(StoreNames.DOMAIN_CANDIDATES, CLINICAL,
                new StringSerializer());
        QisServer notOwner = m.activeHost().equals(first.self()) ? second : first;
        double before = forwarded(notOwner);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(notOwner, "/v1/domains/" + CLINICAL + "/top"))
                .header(PeerClient.FORWARDED_HEADER, "elsewhere:1").build(), HttpResponse.BodyHandlers.ofString());
        assertProblem(r, 503, "unavailable");
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertEquals(before, forwarded(notOwner), "not forwarded");
    }

    @Test
    void everyErrorHasItsStatusAndProblemBody() throws Exception {
        String fp = reproduced.fingerprint().value();
        Map<String, Integer> cases = new LinkedHashMap<>();
        cases.put("/v1/domains/" + CLINICAL + "/top?k=0", 400);
        cases.put("/v1/domains/" + CLINICAL + "/top?k=1001", 400);
        cases.put("/v1/domains/" + CLINICAL + "/top?k=many", 400);
        cases.put("/v1/domains/" + CLINICAL + "/top?min_confidence=1.5", 400);
        cases.put("/v1/domains/" + CLINICAL + "/top?colour=red", 400);
        cases.put("/v1/domains/Not%20A%20Domain/top", 400);
        cases.put("/v1/domains/" + CLINICAL + "/synthesis?tags=a,a", 400);
        cases.put("/v1/domains?limit=0", 400);
        cases.put("/v1/domains?cursor=no%20spaces", 400);
        cases.put("/v1/fingerprints/XYZ/packets", 400);
        cases.put("/v1/fingerprints/" + fp + "/packets?cursor=nope", 400);
        cases.put("/v1/packets/not-a-packet-id", 400);
        cases.put("/v1/nodes/0123", 400);
        cases.put("/v1/domains/unknown-domain/top", 404);
        cases.put("/v1/domains/unknown-domain/synthesis", 404);
        cases.put("/v1/packets/" + fp + "-0000000000000000", 404);
        cases.put("/v1/fingerprints/0000000000000000/synthesis", 404);
        cases.put("/v1/nodes/" + stranger.nodeId(), 404);
        cases.put("/v1/nothing-here", 404);
        for (Map.Entry<String, Integer> c : cases.entrySet()) {
            for (QisServer s : List.of(first, second)) { // the same problem whether asked directly or forwarded
                HttpResponse<String> r = settled(s, c.getKey());
                assertProblem(r, c.getValue(), c.getValue() == 400 ? "bad-request" : "not-found");
            }
        }
        for (String param : List.of("family", "tag")) { // the detail names the parameter once, then the rule
            HttpResponse<String> r = settled(first, "/v1/domains/" + CLINICAL + "/top?" + param + "=no%20spaces");
            assertProblem(r, 400, "bad-request");
            String detail = JSON.readTree(r.body()).path("detail").asText();
            assertTrue(detail.startsWith(param + ": must be"), detail);
        }
    }

    @Test
    void anInstanceThatIsNotRunningAnswers503() throws Exception {
        QisConfig config = config("not-started");
        try (var notRunning = new org.apache.kafka.streams.KafkaStreams(
                dev.qis.topology.QisTopology.build(config), config.streamsProperties());
             var api = dev.qis.rest.QueryApi.bind(new java.net.InetSocketAddress("127.0.0.1", 0),
                     new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                             io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT))
                     .serve(notRunning, new dev.qis.rest.QueryApi.Settings(
                             new HostInfo("localhost", 1), Duration.ofSeconds(1), PARTITIONS,
                             config.fidelity(), CLOCK))) {
            for (String path : List.of("/health/ready", "/v1/domains", "/v1/domains/" + CLINICAL + "/top",
                    "/v1/packets/" + reproduced.id(), "/v1/nodes/" + alice.nodeId(), "/v1/instances")) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                        + path)).build(), HttpResponse.BodyHandlers.ofString());
                assertProblem(r, 503, "unavailable");
                assertEquals("2", r.headers().firstValue("Retry-After").orElse(""), path);
            }
            HttpResponse<String> live = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port()
                    + "/health/live")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, live.statusCode());
        }
    }

    @Test
    void metricsShowTheAppsMetersAndKafkaStreamsOwn() throws Exception {
        for (String path : queryPaths()) { // both instances answer and forward, whatever ran before
            settled(first, path);
            settled(second, path);
        }
        String a = get(first, "/metrics").body();
        String b = get(second, "/metrics").body();
        assertEquals(11.0, counter(a, "qis_packets_accepted_total") + counter(b, "qis_packets_accepted_total"),
                "packets accepted across the two instances");
        assertEquals(1.0, counter(a, "qis_packets_rejected_total{reason=\"UNKNOWN_NODE\"")
                + counter(b, "qis_packets_rejected_total{reason=\"UNKNOWN_NODE\""));
        assertEquals(7.0, counter(a, "qis_votes_total") + counter(b, "qis_votes_total"), "the voter's 6 and bob's");
        assertEquals(7.0, counter(a, "qis_citations_total") + counter(b, "qis_citations_total"),
                "bob's citation and the 6 of the voter's run");
        for (String text : List.of(a, b)) {
            assertTrue(text.contains("qis_query_latency_seconds_count{endpoint=\"/v1/domains/{domain}/top\""), "latency");
            assertTrue(text.contains("qis_query_forwarded_total{outcome=\"answered\""), "forwarded");
            assertTrue(text.contains("kafka_stream_"), "Kafka Streams' own metrics");
            assertTrue(text.contains("kafka_admin_client_") || text.contains("kafka_admin"), "the admin client's metrics");
            for (String jvm : List.of("jvm_memory_used_bytes", "jvm_gc_", "jvm_threads_live_threads", "process_cpu_usage",
                    "process_uptime_seconds", "jvm_classes_loaded_classes")) {
                assertTrue(text.contains(jvm), "JVM and process gauges: " + jvm);
            }
        }
    }

    @Test
    void whenOneInstanceStopsTheOtherAnswersEverything() throws Exception {
        Map<String, JsonNode> expected = new LinkedHashMap<>();
        for (String path : queryPaths()) {
            expected.put(path, JSON.readTree(settled(first, path).body()));
        }
        // a third instance joins and stops, so the pair the other tests share is left as it was
        QisServer third = QisServer.start(config("c"), CLOCK);
        try {
            Wait.waitFor(() -> third.streams().state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING
                    && !third.streams().metadataForLocalThreads().stream()
                            .allMatch(t -> t.activeTasks().isEmpty()) && ready(third), WAIT,
                    () -> "the third instance running with a task of its own: " + third.streams().state());
        } finally {
            third.close();
        }
        Map<String, Boolean> answered = new LinkedHashMap<>();
        expected.keySet().forEach(p -> answered.put(p, false));
        Wait.waitFor(() -> {
            for (String path : expected.keySet()) {
                if (answered.get(path)) {
                    continue;
                }
                // max_lag=0: a copy that is behind (restoring the other's partitions) may not answer; only a whole one
                String exact = path.startsWith("/v1/nodes/") ? path : path + (path.contains("?") ? "&" : "?") + "max_lag=0";
                HttpResponse<String> r = get(first, exact);
                if (r.statusCode() == 503) {
                    assertTrue(r.headers().firstValue("Retry-After").isPresent(), "503 carries Retry-After");
                    continue; // rebalancing or restoring: allowed
                }
                assertEquals(200, r.statusCode(), path + " during the handover: " + r.body());
                assertEquals(expected.get(path), JSON.readTree(r.body()), path + " answered wrongly during the handover");
                answered.put(path, true);
            }
            return !answered.containsValue(false);
        }, WAIT, () -> "after the rebalance these were still unanswered: " + answered);
        Wait.waitFor(() -> ready(first) && ready(second), WAIT, () -> "both instances ready again");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static URI uri(QisServer s, String path) {
        return URI.create("http://localhost:" + s.port() + path);
    }

    private HttpResponse<String> get(QisServer s, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(uri(s, path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The answer once it is not a 503: a rebalance may come at any time, and then a retry is the contract. */
    private HttpResponse<String> settled(QisServer s, String path) {
        return Wait.waitFor(() -> get(s, path), r -> r.statusCode() != 503, WAIT,
                r -> path + " answered without a 503" + (r == null ? "" : "; last: " + r.body()));
    }

    private JsonNode getJson(QisServer s, String path) throws Exception {
        HttpResponse<String> r = settled(s, path);
        return r.statusCode() == 200 ? JSON.readTree(r.body()) : null;
    }

    private boolean ready(QisServer s) {
        try {
            return get(s, "/health/ready").statusCode() == 200;
        } catch (Exception e) {
            return false;
        }
    }

    private static double forwarded(QisServer s) {
        return s.registry().get(PeerClient.FORWARDED_METER).tag("outcome", "answered").counter().count();
    }

    private static void assertProblem(HttpResponse<String> r, int status, String kind) throws Exception {
        assertEquals(status, r.statusCode(), r.uri() + ": " + r.body());
        assertEquals(Problem.CONTENT_TYPE, r.headers().firstValue("Content-Type").orElse(""), r.uri().toString());
        JsonNode body = JSON.readTree(r.body());
        assertEquals("urn:qis:problem:" + kind, body.path("type").asText(), r.body());
        assertEquals(status, body.path("status").asInt(), r.body());
        assertFalse(body.path("title").asText().isEmpty(), r.body());
        assertFalse(body.path("detail").asText().isEmpty(), r.body());
        assertEquals(r.uri().getRawPath(), body.path("instance").asText(), r.body());
    }

    /** The sum of every sample of a Prometheus series: {@code name} alone, or {@code name{label="value"} ...}. */
    private static double counter(String text, String series) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(series) && (series.endsWith("\"") || line.charAt(series.length()) == ' '
                    || line.charAt(series.length()) == '{')) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
