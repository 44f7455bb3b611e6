package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.metrics.QisMeters;
import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.protocol.Digests;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.store.Candidate;
import dev.qis.store.CandidateReport;
import dev.qis.store.CompactSerdes;
import dev.qis.store.PacketEvent;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.store.StoreSerdes;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-entry stores of the packet state: reports and citations held for a packet that never arrives expire by
 * stream time; a packet replayed through another ingest task counts its citations once; a different packet under a
 * stored id is dead-lettered; the heaviest reports a candidate keeps do not depend on arrival order.
 */
class PacketEntriesTest {
    private static final String APPLICATION_ID = "qis-entries";
    private static final NodeIdentity ALICE = NodeIdentity.generate();
    private static final NodeIdentity BOB = NodeIdentity.generate();

    @TempDir
    Path stateDir;

    private record Run(TopologyTestDriver driver, SimpleMeterRegistry registry) implements AutoCloseable {
        @Override
        public void close() {
            driver.close();
        }

        void register(NodeIdentity... nodes) {
            TestInputTopic<String, byte[]> in = driver.createInputTopic(Topics.NODES, new StringSerializer(),
                    new ByteArraySerializer());
            for (NodeIdentity n : nodes) {
                in.pipeInput(n.nodeId(), Fixtures.nodeKey(n));
            }
        }

        void publish(SignedPacket p, Instant at) {
            driver.createInputTopic(Topics.OUTCOMES_PREFIX + p.fingerprint().value().charAt(0),
                    new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(bytes(p.fingerprint().value()), p.bytes(), at);
        }

        void vote(SignedReport r, Instant at) {
            driver.createInputTopic(Topics.VOTES, new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(bytes(r.fingerprint().value()), r.bytes(), at);
        }

        /** What another ingest task hands on: an event straight onto the packet state's repartition topic. */
        void event(PacketEvent e, Instant at) {
            driver.createInputTopic(APPLICATION_ID + "-" + StoreNames.EVENTS_REPARTITION + "-repartition",
                    new StringSerializer(), CompactSerdes.packetEvent().serializer())
                    .pipeInput(e.packetId().substring(0, 16), e, at);
        }

        <V> Map<String, V> entries(String store, String packetId) {
            KeyValueStore<String, V> kv = driver.getKeyValueStore(store);
            Map<String, V> out = new TreeMap<>();
            try (KeyValueIterator<String, V> it = kv.range(StoreKeys.entryRangeFrom(packetId),
                    StoreKeys.entryRangeTo(packetId))) {
                it.forEachRemaining(e -> out.put(StoreKeys.subOf(e.key), e.value));
            }
            return out;
        }

        <V> Map<String, String> dump(String store) {
            KeyValueStore<String, V> kv = driver.getKeyValueStore(store);
            Map<String, String> out = new TreeMap<>();
            try (KeyValueIterator<String, V> it = kv.all()) {
                it.forEachRemaining(e -> out.put(e.key, StoreSerdes.toJson(e.value)));
            }
            return out;
        }

        PacketState packet(String id) {
            KeyValueStore<String, PacketState> kv = driver.getKeyValueStore(StoreNames.PACKETS);
            return kv.get(StoreKeys.packet(id));
        }

        double expired(String kind) {
            var c = registry.find(QisMeters.PENDING_EXPIRED).tag("kind", kind).counter();
            return c == null ? 0 : c.count();
        }

        List<Rejection> rejections() {
            return driver.createOutputTopic(Topics.REJECTED, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                    .readValuesToList().stream().map(ProtocolCodec::decodeRejection).toList();
        }
    }

    private Run start(String name, Properties qis) {
        QisConfig config = new QisConfig(qis);
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        TopologyTestDriver driver = new TopologyTestDriver(QisTopology.build(config,
                Clock.fixed(Fixtures.NOW, ZoneOffset.UTC), DomainTopics.NAME_ONLY, new QisMeters(registry)), props,
                Fixtures.NOW);
        Run run = new Run(driver, registry);
        run.register(ALICE, BOB);
        return run;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void reportsAndCitationsHeldForAPacketThatNeverArrivesExpireByStreamTime() {
        Properties qis = new Properties();
        qis.put(QisConfig.PENDING_RETENTION, "PT1H");
        Instant t0 = Fixtures.ISSUED.plusSeconds(3600);
        try (Run run = start("expiry", qis)) {
            SignedPacket never = Fixtures.packet("task-a", 50, 55).sign(ALICE);     // never published
            SignedPacket late = Fixtures.packet("task-a", 50, 57).sign(ALICE);      // published within the retention
            run.vote(Fixtures.report(never.id(), 55, Fixtures.ISSUED, BOB), t0);
            run.publish(Fixtures.packet("task-b", 50, 52).informedBy(never.id()).sign(BOB), t0);
            run.vote(Fixtures.report(late.id(), 57, Fixtures.ISSUED, BOB), t0.plus(Duration.ofMinutes(50)));
            assertTrue(run.packet(never.id()).isPending());
            assertEquals(1, run.entries(StoreNames.PACKET_VOTES, never.id()).size());
            assertEquals(1, run.entries(StoreNames.PACKET_CITATIONS, never.id()).size());

            // stream time moves on: an unrelated packet 70 minutes later
            run.publish(Fixtures.packet("task-c", 50, 53).sign(BOB), t0.plus(Duration.ofMinutes(70)));

            assertNull(run.packet(never.id()), "held for over an hour of stream time: dropped");
            assertEquals(Map.of(), run.entries(StoreNames.PACKET_VOTES, never.id()));
            assertEquals(Map.of(), run.entries(StoreNames.PACKET_CITATIONS, never.id()));
            assertEquals(Map.of(), run.entries(StoreNames.PACKET_BACKERS, never.id()));
            assertEquals(1.0, run.expired("packets"));
            assertEquals(1.0, run.expired("votes"));
            assertEquals(1.0, run.expired("citations"));
            assertTrue(run.packet(late.id()).isPending(), "held for 20 minutes: kept");
            assertEquals(1, run.dump(StoreNames.PACKETS_PENDING).size(), "only the kept one is still indexed");

            run.publish(late, t0.plus(Duration.ofMinutes(71)));
            assertFalse(run.packet(late.id()).isPending());
            assertEquals(1, run.packet(late.id()).votes(), "what was held in time is applied");
            assertEquals(Map.of(), run.dump(StoreNames.PACKETS_PENDING));

            run.publish(never, t0.plus(Duration.ofMinutes(72)));
            assertEquals(0, run.packet(never.id()).votes(), "arriving after its reports expired, it starts afresh");
            assertTrue(run.rejections().isEmpty());
        }
    }

    /**
     * The event another ingest task hands on for an accepted packet: the facts of {@code facts}, the bytes and
     * content digest of {@code sent} (the same packet but in a collision).
     */
    private static PacketEvent accepted(OutcomePacket facts, SignedPacket sent) {
        return new PacketEvent.Accepted(PacketFacts.of(facts, new Elections(FidelityParams.DEFAULTS)), sent.bytes(),
                Digests.sha256(ProtocolCodec.content(sent.packet())));
    }

    @Test
    void aPacketReplayedThroughAnotherIngestTaskCountsItsCitationsOnce() {
        try (Run run = start("replay", new Properties())) {
            SignedPacket cited = Fixtures.typical(ALICE);
            SignedPacket citing = Fixtures.packet("legal-qa", 50, 55).informedBy(cited.id()).sign(BOB);
            run.publish(cited, Fixtures.NOW);
            run.publish(citing, Fixtures.NOW);
            run.vote(Fixtures.report(cited.id(), 66, Fixtures.ISSUED, BOB), Fixtures.NOW);
            PacketState once = run.packet(cited.id());
            assertEquals(1, once.citations());
            assertEquals(1, once.successes());

            // another partition's ingest has no history of the citing packet: it hands on the packet and its citation
            run.event(accepted(citing.packet(), citing), Fixtures.NOW);
            run.event(new PacketEvent.Cited(cited.id(), citing.id(), BOB.nodeId()), Fixtures.NOW);

            assertEquals(StoreSerdes.toJson(once), StoreSerdes.toJson(run.packet(cited.id())),
                    "the replayed citation changes nothing");
            assertEquals(Map.of(citing.id(), BOB.nodeId()), run.entries(StoreNames.PACKET_CITATIONS, cited.id()));
            assertEquals(Map.of(BOB.nodeId(), 1L), run.entries(StoreNames.PACKET_BACKERS, cited.id()));
            assertTrue(run.rejections().isEmpty(), "a replay is not an error");
        }
    }

    @Test
    void aDifferentPacketUnderAStoredIdFromAnotherIngestTaskIsDeadLettered() {
        try (Run run = start("collision", new Properties())) {
            SignedPacket stored = Fixtures.typical(ALICE);
            SignedPacket other = Fixtures.packet("clinical-note-summarization", 60, 67).sign(ALICE);
            run.publish(stored, Fixtures.NOW);
            PacketState before = run.packet(stored.id());

            // as if other's id digest collided with stored's: ingest in another task cannot tell
            run.event(accepted(stored.packet(), other), Fixtures.NOW);

            assertEquals(StoreSerdes.toJson(before), StoreSerdes.toJson(run.packet(stored.id())), "the stored packet stays");
            List<Rejection> rejected = run.rejections();
            assertEquals(1, rejected.size());
            assertEquals(ReasonCode.ID_COLLISION, rejected.get(0).getReason());
            assertTrue(rejected.get(0).getDetail().contains(stored.id()), rejected.get(0).getDetail());
            ByteBuffer value = rejected.get(0).getOriginalValue();
            byte[] original = new byte[value.remaining()];
            value.get(original);
            assertArrayEquals(other.bytes(), original, "the refused packet's own bytes");
        }
    }

    @Test
    void theHeaviestReportsACandidateKeepsDoNotDependOnArrivalOrder() {
        Properties qis = new Properties();
        qis.put(QisConfig.CANDIDATE_REPORTS_MAX, "3");
        Random random = new Random(11);
        SignedPacket target = Fixtures.typical(ALICE);
        List<NodeIdentity> reporters = new ArrayList<>();
        List<Object[]> inputs = new ArrayList<>(); // {kind, payload}
        inputs.add(new Object[] {"packet", target});
        Map<String, Integer> lastWeight = new TreeMap<>();
        for (int i = 0; i < 9; i++) {
            NodeIdentity r = NodeIdentity.generate();
            reporters.add(r);
            inputs.add(new Object[] {"packet", Fixtures.packet("legal-qa", 50, 51 + i).informedBy(target.id()).sign(r)});
            int[] sizes = {100 + 100 * random.nextInt(4), 100 + 100 * random.nextInt(4)};
            for (int k = 0; k < 2; k++) { // a second, later report replaces the first, maybe with a lighter weight
                SignedReport v = new ValidationReportBuilder().packetId(target.id())
                        .observedScore(60 + random.nextInt(10)).nEvalSamples(sizes[k])
                        .issuedAt(Fixtures.ISSUED.plusSeconds(60L * (k + 1))).sign(r);
                inputs.add(new Object[] {"vote", v});
            }
            lastWeight.put(r.nodeId(), sizes[1]);
        }
        List<List<Object[]>> orders = new ArrayList<>();
        orders.add(inputs);
        List<Object[]> reversed = new ArrayList<>(inputs);
        Collections.reverse(reversed);
        orders.add(reversed);
        List<Object[]> shuffled = new ArrayList<>(inputs);
        Collections.shuffle(shuffled, random);
        orders.add(shuffled);

        List<Map<String, Map<String, String>>> results = new ArrayList<>();
        for (List<Object[]> order : orders) {
            try (Run run = start("heaviest-" + results.size(), qis)) {
                run.register(reporters.toArray(NodeIdentity[]::new));
                for (Object[] in : order) {
                    if (in[0].equals("packet")) {
                        run.publish((SignedPacket) in[1], Fixtures.NOW);
                    } else {
                        run.vote((SignedReport) in[1], Fixtures.NOW);
                    }
                }
                Map<String, Map<String, String>> stores = new TreeMap<>();
                for (String store : List.of(StoreNames.PACKETS, StoreNames.PACKET_VOTES, StoreNames.PACKET_BACKERS,
                        StoreNames.DOMAIN_CANDIDATES)) {
                    stores.put(store, run.dump(store));
                }
                results.add(stores);
                PacketState s = run.packet(target.id());
                assertEquals(9, s.successes() + s.failures(), "S and F count every backed report");
                KeyValueStore<String, Candidate> candidates = run.driver().getKeyValueStore(StoreNames.DOMAIN_CANDIDATES);
                Candidate c = candidates.get(StoreKeys.candidate(target.packet().getContext().getTask(), target.id()));
                assertNotNull(c);
                assertEquals(expectedHeaviest(lastWeight, 3), c.reports().keySet());
                assertTrue(c.reports().values().stream().allMatch(CandidateReport::backed));
            }
        }
        assertEquals(results.get(0), results.get(1), "in order vs reversed");
        assertEquals(results.get(0), results.get(2), "in order vs shuffled");
    }

    /** The {@code n} reporters of largest weight, ties by smaller id. */
    private static java.util.Set<String> expectedHeaviest(Map<String, Integer> weights, int n) {
        List<Map.Entry<String, Integer>> all = new ArrayList<>(weights.entrySet());
        all.sort(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
        java.util.Set<String> out = new java.util.TreeSet<>();
        all.stream().limit(n).forEach(e -> out.add(e.getKey()));
        return out;
    }
}
