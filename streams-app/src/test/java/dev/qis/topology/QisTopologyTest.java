package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.config.UnknownNodeGrace;
import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.FidelityScore;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.query.Breakdowns;
import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.HeldRecord;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.fidelity.TopK;
import dev.qis.fidelity.TrustLookup;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QisTopologyTest {
    private static final NodeIdentity ALICE = NodeIdentity.generate();
    private static final NodeIdentity BOB = NodeIdentity.generate();
    private static final NodeIdentity CAROL = NodeIdentity.generate();
    private static final NodeIdentity MALLORY = NodeIdentity.generate(); // never registered
    private static final String DOMAIN = "clinical-note-summarization";
    private static final String APPLICATION_ID = "qis-ttd";
    private static final Duration GRACE = UnknownNodeGrace.DEFAULTS.grace();
    private static final Duration RECHECK = UnknownNodeGrace.DEFAULTS.recheckInterval();

    private final Elections elections = new Elections(FidelityParams.DEFAULTS);
    private final Breakdowns breakdowns = new Breakdowns(elections);

    @TempDir
    Path stateDir;
    private TopologyTestDriver driver;
    private TestInputTopic<String, byte[]> nodes;
    private TestInputTopic<byte[], byte[]> votes;
    private TestOutputTopic<byte[], byte[]> rejected;

    @BeforeEach
    void start() {
        start(new Properties(), stateDir);
    }

    private void start(Properties qis, Path state) {
        QisConfig config = new QisConfig(qis);
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, APPLICATION_ID);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, state.toString());
        Clock clock = Clock.fixed(Fixtures.NOW, ZoneOffset.UTC);
        driver = new TopologyTestDriver(QisTopology.build(config, clock, DomainTopics.NAME_ONLY), props, Fixtures.NOW);
        nodes = driver.createInputTopic(Topics.NODES, new StringSerializer(), new ByteArraySerializer());
        votes = driver.createInputTopic(Topics.VOTES, new ByteArraySerializer(), new ByteArraySerializer());
        rejected = driver.createOutputTopic(Topics.REJECTED, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (NodeIdentity n : List.of(ALICE, BOB, CAROL)) {
            nodes.pipeInput(n.nodeId(), Fixtures.nodeKey(n));
        }
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private TestInputTopic<byte[], byte[]> outcomes(String fingerprint) {
        return driver.createInputTopic(Topics.OUTCOMES_PREFIX + fingerprint.charAt(0), new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    private void publish(SignedPacket p) {
        outcomes(p.fingerprint().value()).pipeInput(key(p.fingerprint().value()), p.bytes());
    }

    private void vote(SignedReport r) {
        votes.pipeInput(key(r.fingerprint().value()), r.bytes());
    }

    /** The reporter applied these packets: it publishes a run (in another task) citing them, which backs its reports. */
    private void back(NodeIdentity reporter, String... cited) {
        publish(Fixtures.packet("legal-qa", 50, 55).informedBy(List.of(cited)).sign(reporter));
    }

    private static byte[] key(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private PacketState packetState(String packetId) {
        KeyValueStore<String, PacketState> store = driver.getKeyValueStore(StoreNames.PACKETS);
        return store.get(StoreKeys.packet(packetId));
    }

    private NodeTally trustOf(NodeIdentity node) {
        KeyValueStore<String, NodeTally> store = driver.getKeyValueStore(StoreNames.NODE_TRUST);
        return store.get(node.nodeId());
    }

    private TrustLookup trust() {
        KeyValueStore<String, NodeTally> store = driver.getKeyValueStore(StoreNames.NODE_TRUST);
        return TrustLookup.of(store::get);
    }

    private List<Candidate> candidates(String domain) {
        KeyValueStore<String, Candidate> store = driver.getKeyValueStore(StoreNames.DOMAIN_CANDIDATES);
        List<Candidate> out = new ArrayList<>();
        try (KeyValueIterator<String, Candidate> it = store.range(StoreKeys.candidateRangeFrom(domain),
                StoreKeys.candidateRangeTo(domain))) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    private DomainStats stats(String domain) {
        KeyValueStore<String, DomainStats> store = driver.getKeyValueStore(StoreNames.DOMAIN_STATS);
        return store.get(domain);
    }

    private Rejection onlyRejection() {
        List<KeyValue<byte[], byte[]>> all = rejected.readKeyValuesToList();
        assertEquals(1, all.size(), "exactly one dead letter");
        return ProtocolCodec.decodeRejection(all.get(0).value);
    }

    private static byte[] bytes(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }

    @Test
    void everyStoreAndInternalTopicIsNamed() {
        String description = QisTopology.build(new QisConfig(new Properties())).describe().toString();
        for (String name : List.of(StoreNames.PACKETS, StoreNames.INGEST_HISTORY, StoreNames.INGEST_HELD,
                StoreNames.NODE_TALLIES,
                StoreNames.DOMAIN_CANDIDATES, StoreNames.DOMAIN_STATS, StoreNames.DOMAIN_RANK,
                StoreNames.DOMAIN_MEMBERS, StoreNames.NODE_TRUST, StoreNames.NODE_KEYS,
                StoreNames.EVENTS_REPARTITION + "-repartition", StoreNames.BY_NODE_REPARTITION + "-repartition",
                StoreNames.BY_DOMAIN_REPARTITION + "-repartition")) {
            assertTrue(description.contains(name), name + " in\n" + description);
        }
        assertFalse(description.matches("(?s).*KSTREAM-[A-Z]+-\\d+-(repartition|changelog).*"), description);
    }

    @Test
    void anAcceptedPacketIsStoredCountedAndRoutedToItsDomainTopic() {
        SignedPacket p = Fixtures.typical(ALICE);
        TestOutputTopic<String, byte[]> domainTopic = driver.createOutputTopic(Topics.domain(DOMAIN),
                new StringDeserializer(), new ByteArrayDeserializer());
        publish(p);

        assertTrue(rejected.isEmpty());
        PacketState state = packetState(p.id());
        assertNotNull(state);
        assertArrayEquals(p.bytes(), state.packetBytes());
        double gain = 6.0 / 60.0;
        assertEquals(0.5 * 0.9 * 400, state.curate(), 1e-12, "CURATE: claim factor · confidence · n_eval");
        FidelityScore score = breakdowns.of(state, trust(), Fixtures.NOW.toEpochMilli());
        assertEquals(1.0, score.vote());
        assertEquals(0.5, score.trust(), "nobody has reproduced Alice yet");
        assertEquals(gain * 180 / (300 + 180), score.expectedGain(), 1e-12, "the claim shrunk by the prior");
        assertFalse(score.routed(), "no top-k lists a claim nobody reproduced");

        assertEquals(1, candidates(DOMAIN).size());
        DomainStats s = stats(DOMAIN);
        assertEquals(1, s.packets());
        assertEquals(1, s.fingerprintCount());
        assertEquals(1, s.nodeCount());
        assertEquals(Fixtures.ISSUED.toEpochMilli(), s.lastSeen());
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 0, 0), trustOf(ALICE));

        TestRecord<String, byte[]> routed = domainTopic.readRecord();
        assertEquals(p.fingerprint().value(), routed.key());
        assertArrayEquals(p.bytes(), routed.value(), "the original signed bytes");
        Header fidelity = routed.headers().lastHeader(Topics.HEADER_FIDELITY);
        assertEquals(score.expectedGain(), Double.parseDouble(new String(fidelity.value(), StandardCharsets.UTF_8)),
                1e-12, "every accepted packet is routed, with its expected gain as it stood then");
        for (String h : List.of(Topics.HEADER_CURATE, Topics.HEADER_VOTE, Topics.HEADER_ROUTED_AT)) {
            assertNotNull(routed.headers().lastHeader(h), h);
        }
        for (String h : List.of(Topics.HEADER_TRUST, Topics.HEADER_DECAY)) {
            assertNull(routed.headers().lastHeader(h), h + " depends on other partitions or the clock: not sent");
        }
        assertTrue(domainTopic.isEmpty());
    }

    @Test
    void aNodesKeyIsNeitherReplacedNorErasedByLaterWritesToTheNodesTopic() {
        nodes.pipeInput(ALICE.nodeId(), (byte[]) null);                          // a tombstone
        nodes.pipeInput(ALICE.nodeId(), Fixtures.nodeKey(MALLORY));              // a valid key, under another id
        var forged = MALLORY.nodeKey(Fixtures.NOW);
        forged.setNodeId(ALICE.nodeId());                                        // another key claiming the id
        nodes.pipeInput(ALICE.nodeId(), dev.qis.protocol.ProtocolCodec.encode(forged));
        nodes.pipeInput(ALICE.nodeId(), new byte[] {1, 2, 3});                   // garbage

        SignedPacket p = Fixtures.typical(ALICE);
        publish(p);
        assertTrue(rejected.isEmpty(), "Alice's packet verifies against the key she registered");
        assertNotNull(packetState(p.id()));
        assertArrayEquals(Fixtures.nodeKey(ALICE), nodeKeys().get(ALICE.nodeId()), "the stored registration is hers");
    }

    @Test
    void aKeyRegisteredUnderAnotherIdDoesNotMakeItsNodeKnown() {
        nodes.pipeInput(BOB.nodeId() + "x", Fixtures.nodeKey(MALLORY));
        assertNull(nodeKeys().get(BOB.nodeId() + "x"));
        assertNull(nodeKeys().get(MALLORY.nodeId()), "a registration counts only under its own id");
    }

    private KeyValueStore<String, byte[]> nodeKeys() {
        return driver.getKeyValueStore(dev.qis.store.StoreNames.NODE_KEYS);
    }

    @Test
    void aDuplicateIsANoOp() {
        SignedPacket p = Fixtures.typical(ALICE);
        TestOutputTopic<String, byte[]> domainTopic = driver.createOutputTopic(Topics.domain(DOMAIN),
                new StringDeserializer(), new ByteArrayDeserializer());
        publish(p);
        publish(p);
        assertTrue(rejected.isEmpty(), "a retry is not an error");
        assertEquals(1, stats(DOMAIN).packets());
        assertEquals(1, trustOf(ALICE).packets());
        assertEquals(1, domainTopic.readRecordsToList().size());
    }

    @Test
    void malformedOversizeAndUnknownSchemaAreDeadLettered() {
        String fp = Fixtures.typical(ALICE).fingerprint().value();
        byte[] garbage = "not a packet".getBytes(StandardCharsets.UTF_8);
        byte[] oversize = new byte[ProtocolCodec.MAX_PACKET_BYTES + 1];
        byte[] unknownSchema = new byte[40];
        unknownSchema[0] = (byte) 0xC3;
        unknownSchema[1] = 0x01;
        Arrays.fill(unknownSchema, 2, 10, (byte) 0x5A);
        assertRejected(fp, garbage, ReasonCode.MALFORMED);
        assertRejected(fp, oversize, ReasonCode.OVERSIZE);
        assertRejected(fp, unknownSchema, ReasonCode.UNKNOWN_SCHEMA);
        assertRejected(fp, null, ReasonCode.MALFORMED);
    }

    @Test
    void aHugeRecordIsDeadLetteredWithAPrefixOfItsBytesNotAFailedSend() {
        String fp = Fixtures.typical(ALICE).fingerprint().value();
        byte[] huge = new byte[1_000_000];
        Arrays.fill(huge, (byte) 7);
        outcomes(fp).pipeInput(key(fp), huge);
        List<KeyValue<byte[], byte[]>> all = rejected.readKeyValuesToList();
        assertEquals(1, all.size(), "exactly one dead letter");
        assertTrue(all.get(0).value.length < 300_000, "the dead letter fits a default producer request: "
                + all.get(0).value.length + " bytes");
        Rejection r = ProtocolCodec.decodeRejection(all.get(0).value);
        assertEquals(ReasonCode.OVERSIZE, r.getReason());
        assertTrue(r.getDetail().contains("1000000 bytes truncated"), r.getDetail());
        byte[] kept = bytes(r.getOriginalValue());
        assertArrayEquals(Arrays.copyOf(huge, kept.length), kept);
        assertTrue(kept.length > 100_000, "a large prefix is kept: " + kept.length);
    }

    @Test
    void invalidFieldsIdsNodesSignaturesAndTimestampsAreDeadLettered() {
        SignedPacket good = Fixtures.typical(ALICE);
        String fp = good.fingerprint().value();

        OutcomePacket badConfidence = OutcomePacket.newBuilder(good.packet()).build();
        badConfidence.getValidation().setConfidence(2.0);
        assertRejected(fp, ProtocolCodec.encode(badConfidence), ReasonCode.INVALID_FIELD);

        OutcomePacket wrongId = OutcomePacket.newBuilder(good.packet()).setPacketId(fp + "-0123456789abcdef").build();
        assertRejected(fp, ProtocolCodec.encode(wrongId), ReasonCode.ID_MISMATCH);

        SignedPacket unknown = Fixtures.typical(MALLORY);
        assertRejected(fp, unknown.bytes(), ReasonCode.UNKNOWN_NODE);

        byte[] forged = good.bytes().clone();
        forged[forged.length - 1] ^= 0x01; // the signature is the last field
        assertRejected(fp, forged, ReasonCode.BAD_SIGNATURE);

        SignedPacket future = Fixtures.packet(DOMAIN, 60, 66).issuedAt(Fixtures.NOW.plusSeconds(3600)).sign(ALICE);
        assertRejected(fp, future.bytes(), ReasonCode.FUTURE_TIMESTAMP);

        assertRejected("0000000000000000", good.bytes(), ReasonCode.INVALID_FIELD); // key is not its fingerprint

        assertNull(packetState(good.id()), "nothing refused reaches the stores");
        assertNull(stats(DOMAIN));
    }

    @Test
    void anExtremeButValidScoreIsStoredRankedAndRoutedWhileAnOutOfBoundOneIsDeadLettered() {
        TestOutputTopic<String, byte[]> domainTopic = driver.createOutputTopic(Topics.domain(DOMAIN),
                new StringDeserializer(), new ByteArrayDeserializer());
        SignedPacket typical = Fixtures.typical(BOB);
        SignedPacket extreme = Fixtures.packet(DOMAIN, 1e300, 1e302).sign(ALICE);      // gain 99: within the bound
        SignedPacket doubtful = Fixtures.packet(DOMAIN, 1e-9, 9e-5).confidence(0.0).sign(CAROL); // gain 90, no confidence
        publish(typical);
        publish(extreme);
        publish(doubtful);
        vote(Fixtures.report(extreme.id(), 1e302, Fixtures.ISSUED, CAROL));
        vote(Fixtures.report(typical.id(), 66.0, Fixtures.ISSUED, ALICE));
        back(CAROL, extreme.id());
        back(ALICE, typical.id());
        assertTrue(rejected.isEmpty(), "no processing error: " + rejected.readValuesToList().stream()
                .map(v -> ProtocolCodec.decodeRejection(v).getDetail()).toList());

        PacketState state = packetState(extreme.id());
        assertEquals(99.0, state.facts().gain(), 1e-12);
        assertEquals(0.5 * 0.9 * 400, state.curate(), 1e-9);
        assertEquals(0.0, packetState(doubtful.id()).curate(), "no confidence, no curate");
        for (Candidate c : candidates(DOMAIN)) {
            assertTrue(Double.isFinite(c.logScore()), c.packetId() + " has a finite rank key: " + c.logScore());
        }
        List<TopK.Ranked<Candidate>> top = new TopK<Candidate>(breakdowns::of, 2).top(candidates(DOMAIN), c -> true, trust(),
                Fixtures.NOW.toEpochMilli(), 10);
        assertEquals(List.of(extreme.id(), typical.id()), top.stream().map(r -> r.candidate().packetId()).toList(),
                "the extreme packet ranks first; the one without confidence nobody reproduced is a candidate, unlisted");
        assertEquals(3, candidates(DOMAIN).size());

        List<TestRecord<String, byte[]>> routed = domainTopic.readRecordsToList();
        assertEquals(3, routed.size(), "every accepted packet reaches its domain topic");
        TestRecord<String, byte[]> first = routed.stream().filter(r -> Arrays.equals(extreme.bytes(), r.value()))
                .findFirst().orElseThrow(() -> new AssertionError("the extreme packet reached its domain topic"));
        assertEquals(99.0 * 180 / 480, Double.parseDouble(new String(
                first.headers().lastHeader(Topics.HEADER_FIDELITY).value(), StandardCharsets.UTF_8)), 1e-9,
                "its expected gain at acceptance, before the report");

        OutcomePacket beyond = OutcomePacket.newBuilder(extreme.packet()).build();
        beyond.getOutcome().setBaselineScore(1e-9);
        beyond.getOutcome().setOutcomeScore(1e303);
        beyond.setPacketId(dev.qis.protocol.OutcomePacketBuilder.computeId(beyond));
        beyond.setSignature(ByteBuffer.wrap(ALICE.sign(ProtocolCodec.canonical(beyond, true))));
        byte[] beyondBytes = ProtocolCodec.encode(beyond);
        assertRejected(extreme.fingerprint().value(), beyondBytes, ReasonCode.INVALID_FIELD);
        assertNull(packetState(beyond.getPacketId()), "a refused packet reaches no store");
        assertEquals(3, candidates(DOMAIN).size());
        assertTrue(domainTopic.isEmpty());
    }

    @Test
    void aCollisionIsRejected() {
        SignedPacket p = Fixtures.typical(ALICE);
        KeyValueStore<String, byte[]> history = driver.getKeyValueStore(StoreNames.INGEST_HISTORY);
        history.put(p.id(), new byte[32]); // another packet's content already holds this id
        assertRejected(p.fingerprint().value(), p.bytes(), ReasonCode.ID_COLLISION);
    }

    @Test
    void badReportsAreDeadLetteredFromTheVotesTopic() {
        SignedPacket p = Fixtures.typical(ALICE);
        SignedReport forged = Fixtures.report(p.id(), 66.0, Fixtures.ISSUED, BOB);
        byte[] bytes = forged.bytes().clone();
        bytes[bytes.length - 1] ^= 0x01;
        votes.pipeInput(key(p.fingerprint().value()), bytes);
        Rejection r = onlyRejection();
        assertEquals(ReasonCode.BAD_SIGNATURE, r.getReason());
        assertEquals(Topics.VOTES, r.getSourceTopic());
        assertArrayEquals(bytes, bytes(r.getOriginalValue()));
    }

    private void assertRejected(String key, byte[] value, ReasonCode reason) {
        TestInputTopic<byte[], byte[]> topic = outcomes(key);
        topic.pipeInput(key(key), value);
        if (reason == ReasonCode.UNKNOWN_NODE) {
            assertTrue(rejected.isEmpty(), "an unknown node's record waits for the node's key");
            driver.advanceWallClockTime(GRACE.plus(RECHECK));
        }
        Rejection r = onlyRejection();
        assertEquals(reason, r.getReason(), r.getDetail());
        assertFalse(r.getDetail().isBlank());
        if (reason == ReasonCode.UNKNOWN_NODE) {
            assertTrue(r.getDetail().contains("waited"), r.getDetail());
        }
        assertEquals(Topics.OUTCOMES_PREFIX + key.charAt(0), r.getSourceTopic());
        assertArrayEquals(key(key), bytes(r.getOriginalKey()));
        if (value == null) {
            assertNull(r.getOriginalValue());
        } else {
            assertArrayEquals(value, bytes(r.getOriginalValue()), "the original bytes travel with the rejection");
        }
        assertTrue(r.getSourceOffset() >= 0);
    }

    @Test
    void votesMoveThePacketAndItsAuthorsTrust() {
        SignedPacket p = Fixtures.typical(ALICE);
        publish(p);
        vote(Fixtures.report(p.id(), 66.0, Fixtures.ISSUED.plusSeconds(60), BOB));   // reproduced (gain 0.1)
        vote(Fixtures.report(p.id(), 60.5, Fixtures.ISSUED.plusSeconds(60), CAROL)); // refuted (gain < 0.05)
        vote(Fixtures.report(p.id(), 70.0, Fixtures.ISSUED.plusSeconds(60), ALICE)); // self-vote: ignored
        assertTrue(rejected.isEmpty());
        PacketState s = packetState(p.id());
        assertEquals(2, s.votes());
        assertEquals(0, s.successes() + s.failures(), "reports without a run that cites the packet are not counted");
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 0, 0), trustOf(ALICE));

        back(BOB, p.id());
        back(CAROL, p.id());
        s = packetState(p.id());
        assertEquals(1, s.successes());
        assertEquals(1, s.failures());
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 1, 1), trustOf(ALICE));
        FidelityScore score = breakdowns.of(s, trust(), Fixtures.NOW.toEpochMilli());
        assertEquals(Elections.vote(1, 1), score.vote(), 1e-12);
        assertEquals(Elections.trust(1, 1), score.trust(), 1e-12);
        assertFalse(score.routed(), "one reproduction, one refutation: not a majority");
        double bobGain = 0.1;
        double carolGain = 0.5 / 60;
        assertEquals((180 * 0.1 + 200 * bobGain + 200 * carolGain) / (300 + 180 + 400), score.expectedGain(), 1e-12,
                "claim and backed reports pooled by weight");

        // Carol's later report reproduces: the latest wins; an older one arriving late does not override it
        vote(Fixtures.report(p.id(), 66.0, Fixtures.ISSUED.plusSeconds(120), CAROL));
        vote(Fixtures.report(p.id(), 59.0, Fixtures.ISSUED.plusSeconds(30), CAROL));
        s = packetState(p.id());
        assertEquals(2, s.successes());
        assertEquals(0, s.failures());
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 2, 0), trustOf(ALICE));
        Candidate c = candidates(DOMAIN).get(0);
        assertEquals(2, c.reports().size());
        assertTrue(c.reports().values().stream().allMatch(r -> r.reproduced() && r.backed()));
        assertTrue(c.listed());
        assertEquals(elections.logScore(c.expectedGain(), Fixtures.ISSUED.toEpochMilli()), c.logScore(), 1e-12);
    }

    @Test
    void aVoteBeforeItsPacketIsHeldAndAppliedOnArrival() {
        SignedPacket p = Fixtures.typical(ALICE);
        vote(Fixtures.report(p.id(), 66.0, Fixtures.ISSUED, BOB));
        vote(Fixtures.report(p.id(), 66.0, Fixtures.ISSUED, ALICE)); // a self-vote, found out on arrival
        assertTrue(packetState(p.id()).isPending());
        assertNull(stats(DOMAIN), "a pending state is not a packet");
        back(BOB, p.id()); // Bob's run citing it may come first too
        publish(p);
        PacketState s = packetState(p.id());
        assertFalse(s.isPending());
        assertEquals(1, s.votes());
        assertEquals(1, s.successes());
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 1, 0), trustOf(ALICE));
    }

    @Test
    void citationsAreCountedOncePerCitingPacketAndDoNotInflateTheClaim() {
        SignedPacket cited = Fixtures.typical(ALICE);
        publish(cited);
        double before = packetState(cited.id()).curate();
        SignedPacket bobs = Fixtures.packet("legal-qa", 50, 55).informedBy(cited.id()).sign(BOB);
        publish(bobs);
        publish(Fixtures.packet("legal-qa", 50, 56).informedBy(cited.id()).sign(ALICE));
        PacketState s = packetState(cited.id());
        assertEquals(1, s.citations(), "a self-citation does not count");
        assertEquals(before, s.curate(), 1e-12, "being cited is not evidence that the claim holds");
        KeyValueStore<String, String> citations = driver.getKeyValueStore(StoreNames.PACKET_CITATIONS);
        assertEquals(bobs.packet().getNodeId(), citations.get(StoreKeys.entry(cited.id(), bobs.id())));
        assertEquals(1, candidates(DOMAIN).get(0).citations());
        assertEquals(2, stats("legal-qa").packets());
    }

    @Test
    void aRefutedPacketIsUnroutedButStillStoredAndQueryableById() {
        SignedPacket p = Fixtures.typical(ALICE);
        publish(p);
        List<NodeIdentity> reporters = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            NodeIdentity r = NodeIdentity.generate();
            nodes.pipeInput(r.nodeId(), Fixtures.nodeKey(r));
            vote(Fixtures.report(p.id(), 59.0, Fixtures.ISSUED, r));
            back(r, p.id());
            reporters.add(r);
        }
        PacketState s = packetState(p.id());
        assertNotNull(s, "still stored");
        FidelityScore score = breakdowns.of(s, trust(), Fixtures.NOW.toEpochMilli());
        assertEquals(Elections.vote(0, 7), score.vote(), 1e-12);
        assertFalse(score.routed());
        TopK<Candidate> topK = new TopK<>(breakdowns::of, 2);
        assertTrue(topK.top(candidates(DOMAIN), c -> true, trust(), Fixtures.NOW.toEpochMilli(), 10).isEmpty());
    }

    @Test
    void storedCandidatesFeedSynthesis() {
        publish(Fixtures.packet(DOMAIN, 60, 66).sign(ALICE));
        publish(Fixtures.packet(DOMAIN, 60, 63).hyperparam("r", 64L).sign(BOB));
        long now = Fixtures.NOW.toEpochMilli();
        List<dev.qis.fidelity.Evidence> evidence = candidates(DOMAIN).stream()
                .map(c -> breakdowns.evidence(c, trust(), now)).toList();
        var asking = new dev.qis.fidelity.Synthesis.Context("llama-3-8b", DOMAIN, List.of("healthcare", "en-US"));
        var r = new dev.qis.fidelity.Synthesis(FidelityParams.DEFAULTS).recommend(asking, evidence).orElseThrow();
        assertEquals("LoRA", r.methodType());
        assertEquals(16L, r.hyperparams().get("r"), "the configuration with the better evidence, as it was run");
        assertEquals(1, r.evidenceCount());
        assertEquals(List.of(candidates(DOMAIN).stream().filter(c -> c.facts().nodeId().equals(ALICE.nodeId()))
                .findFirst().orElseThrow().packetId()), r.packetIds());
    }

    @Test
    void aTopKHoldsAtMostTwoPacketsPerNode() {
        for (int i = 0; i < 5; i++) {
            publish(Fixtures.packet(DOMAIN, 60, 70 + i).sign(ALICE));
        }
        publish(Fixtures.packet(DOMAIN, 60, 61).sign(BOB));
        publish(Fixtures.packet(DOMAIN, 60, 62).sign(CAROL));
        assertEquals(7, candidates(DOMAIN).size());
        NodeIdentity dave = NodeIdentity.generate();
        nodes.pipeInput(dave.nodeId(), Fixtures.nodeKey(dave));
        List<String> all = candidates(DOMAIN).stream().map(Candidate::packetId).toList();
        for (Candidate c : candidates(DOMAIN)) {
            vote(Fixtures.report(c.packetId(), c.facts().outcomeScore(), Fixtures.ISSUED, dave));
        }
        back(dave, all.toArray(String[]::new));
        TopK<Candidate> topK = new TopK<>(breakdowns::of, 2);
        List<TopK.Ranked<Candidate>> top = topK.top(candidates(DOMAIN), c -> true, trust(), Fixtures.NOW.toEpochMilli(), 5);
        assertEquals(4, top.size());
        assertEquals(2, top.stream().filter(r -> r.candidate().facts().nodeId().equals(ALICE.nodeId())).count());
        assertEquals(74.0, top.get(0).candidate().facts().outcomeScore());
        assertEquals(73.0, top.get(1).candidate().facts().outcomeScore());
        for (int i = 1; i < top.size(); i++) {
            assertTrue(top.get(i - 1).score().fidelity() >= top.get(i).score().fidelity());
        }
    }

    @Test
    void aFloodingNodeDisplacesOnlyItsOwnCandidates() {
        publish(Fixtures.packet(DOMAIN, 60, 61).sign(BOB));
        int cap = FidelityParams.DEFAULTS.maxStoredPerNode();
        for (int i = 0; i < cap + 12; i++) {
            publish(Fixtures.packet(DOMAIN, 60, 70 + i).sign(ALICE));
        }
        List<Candidate> kept = candidates(DOMAIN);
        List<Candidate> alices = kept.stream().filter(c -> c.facts().nodeId().equals(ALICE.nodeId())).toList();
        assertEquals(cap, alices.size(), "a node keeps at most its share of a domain's candidates");
        assertEquals(1, kept.size() - alices.size(), "Bob's single packet stays");
        assertTrue(alices.stream().allMatch(c -> c.facts().outcomeScore() >= 70 + 12),
                "the node's best claims are the ones kept");
        assertEquals(cap + 13, stats(DOMAIN).packets(), "every packet is still counted and stored");
    }

    private List<HeldRecord> held() {
        KeyValueStore<String, HeldRecord> store = driver.getKeyValueStore(StoreNames.INGEST_HELD);
        List<HeldRecord> out = new ArrayList<>();
        try (KeyValueIterator<String, HeldRecord> it = store.all()) {
            it.forEachRemaining(kv -> out.add(kv.value));
        }
        return out;
    }

    @Test
    void aPacketAheadOfItsNodeKeyWaitsAndIsAcceptedOnceTheKeyArrives() {
        NodeIdentity dave = NodeIdentity.generate();
        SignedPacket p = Fixtures.typical(dave);
        TestOutputTopic<String, byte[]> domainTopic = driver.createOutputTopic(Topics.domain(DOMAIN),
                new StringDeserializer(), new ByteArrayDeserializer());
        publish(p);
        driver.advanceWallClockTime(RECHECK);
        assertTrue(rejected.isEmpty(), "not rejected while its node may still register");
        assertNull(packetState(p.id()));
        List<HeldRecord> waiting = held();
        assertEquals(1, waiting.size());
        assertArrayEquals(p.bytes(), waiting.get(0).value());
        assertEquals(Topics.OUTCOMES_PREFIX + p.fingerprint().value().charAt(0), waiting.get(0).topic());
        assertEquals(Fixtures.NOW.toEpochMilli(), waiting.get(0).firstSeen());
        assertTrue(driver.producedTopicNames().contains(APPLICATION_ID + "-" + StoreNames.INGEST_HELD + "-changelog"),
                "the held store is changelogged: " + driver.producedTopicNames());

        nodes.pipeInput(dave.nodeId(), Fixtures.nodeKey(dave));
        assertNull(packetState(p.id()), "taken up by the next recheck, not by the registration");
        driver.advanceWallClockTime(RECHECK);

        assertTrue(rejected.isEmpty());
        assertTrue(held().isEmpty());
        PacketState state = packetState(p.id());
        assertNotNull(state);
        assertArrayEquals(p.bytes(), state.packetBytes());
        assertEquals(new NodeTally(dave.nodeId(), 1, 0, 0), trustOf(dave));
        assertEquals(1, stats(DOMAIN).packets());
        TestRecord<String, byte[]> routed = domainTopic.readRecord();
        assertEquals(p.fingerprint().value(), routed.key());
        assertArrayEquals(p.bytes(), routed.value());
        assertTrue(domainTopic.isEmpty());

        publish(p); // a retry after the wait: the normal dedupe
        driver.advanceWallClockTime(GRACE.plus(RECHECK));
        assertTrue(rejected.isEmpty());
        assertEquals(1, stats(DOMAIN).packets());
    }

    @Test
    void aPacketFromANodeThatNeverRegistersIsRejectedOnlyAfterTheGrace() {
        SignedPacket p = Fixtures.typical(MALLORY);
        publish(p);
        driver.advanceWallClockTime(GRACE.minus(RECHECK));
        assertTrue(rejected.isEmpty(), "still within the grace");
        assertEquals(1, held().size());
        driver.advanceWallClockTime(RECHECK.multipliedBy(2));

        Rejection r = onlyRejection();
        assertEquals(ReasonCode.UNKNOWN_NODE, r.getReason());
        assertTrue(r.getDetail().contains(MALLORY.nodeId()) && r.getDetail().contains("waited"), r.getDetail());
        assertEquals(Topics.OUTCOMES_PREFIX + p.fingerprint().value().charAt(0), r.getSourceTopic());
        assertEquals(0, r.getSourceOffset());
        assertArrayEquals(key(p.fingerprint().value()), bytes(r.getOriginalKey()));
        assertArrayEquals(p.bytes(), bytes(r.getOriginalValue()));
        assertTrue(held().isEmpty());
        assertNull(packetState(p.id()));
    }

    @Test
    void aVoteAheadOfItsReportersKeyWaitsAndOneFromANodeThatNeverRegistersIsRejectedAfterTheGrace() {
        SignedPacket p = Fixtures.typical(ALICE);
        publish(p);
        NodeIdentity erin = NodeIdentity.generate();
        vote(Fixtures.report(p.id(), 66.0, Fixtures.ISSUED, erin));
        SignedReport stranger = Fixtures.report(p.id(), 59.0, Fixtures.ISSUED, MALLORY);
        vote(stranger);
        driver.advanceWallClockTime(RECHECK);
        assertTrue(rejected.isEmpty());
        assertEquals(0, packetState(p.id()).votes());

        nodes.pipeInput(erin.nodeId(), Fixtures.nodeKey(erin));
        driver.advanceWallClockTime(RECHECK);
        back(erin, p.id());
        PacketState s = packetState(p.id());
        assertEquals(1, s.votes());
        assertEquals(1, s.successes());
        assertEquals(new NodeTally(ALICE.nodeId(), 1, 1, 0), trustOf(ALICE));
        assertTrue(rejected.isEmpty(), "the stranger's vote still waits");

        driver.advanceWallClockTime(GRACE);
        Rejection r = onlyRejection();
        assertEquals(ReasonCode.UNKNOWN_NODE, r.getReason());
        assertTrue(r.getDetail().contains("waited"), r.getDetail());
        assertEquals(Topics.VOTES, r.getSourceTopic());
        assertTrue(r.getSourceOffset() > 0, "the vote came after the packet and the other vote");
        assertArrayEquals(stranger.bytes(), bytes(r.getOriginalValue()));
        assertEquals(1, packetState(p.id()).votes(), "the rejected vote counts for nothing");
        assertTrue(held().isEmpty());
    }

    @Test
    void aNodeOverItsOwnCapGivesUpItsOldestWaitingRecord(@TempDir Path otherState) {
        driver.close();
        Properties qis = new Properties();
        qis.put(QisConfig.UNKNOWN_NODE_MAX_HELD_PER_NODE, "2");
        start(qis, otherState);
        List<SignedPacket> sent = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            SignedPacket p = Fixtures.packet(DOMAIN, 60, 61 + i).sign(MALLORY);
            publish(p);
            sent.add(p);
            driver.advanceWallClockTime(Duration.ofMillis(10)); // distinct first-seen times
        }
        Rejection r = onlyRejection();
        assertEquals(ReasonCode.UNKNOWN_NODE, r.getReason());
        assertArrayEquals(sent.get(0).bytes(), bytes(r.getOriginalValue()), "the oldest goes first");
        assertTrue(r.getDetail().contains("2 records of this node were waiting"), r.getDetail());
        assertEquals(List.of(sent.get(1).id(), sent.get(2).id()),
                held().stream().map(h -> ProtocolCodec.decodePacket(h.value()).getPacketId()).toList());
    }

    @Test
    void aFloodOfRandomNodeIdsCannotPushOutARecordWhoseNodeRegisters(@TempDir Path otherState) {
        driver.close();
        Properties qis = new Properties();
        qis.put(QisConfig.UNKNOWN_NODE_MAX_HELD, "3");
        start(qis, otherState);
        NodeIdentity dave = NodeIdentity.generate();
        SignedPacket honest = Fixtures.typical(dave);
        publish(honest);
        List<SignedPacket> flood = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            SignedPacket p = Fixtures.packet(DOMAIN, 60, 61 + i).sign(NodeIdentity.generate());
            publish(p);
            flood.add(p);
        }
        List<Rejection> refused = rejections();
        assertEquals(4, refused.size(), "two flood records fill the store; the other four are refused at once");
        for (int i = 0; i < refused.size(); i++) {
            assertEquals(ReasonCode.UNKNOWN_NODE, refused.get(i).getReason());
            assertTrue(refused.get(i).getDetail().contains("3 records are already waiting"), refused.get(i).getDetail());
            assertArrayEquals(flood.get(i + 2).bytes(), bytes(refused.get(i).getOriginalValue()), "nothing is lost");
        }

        nodes.pipeInput(dave.nodeId(), Fixtures.nodeKey(dave));
        driver.advanceWallClockTime(RECHECK);
        assertNotNull(packetState(honest.id()), "accepted once its node's key arrived");
        assertEquals(2, held().size(), "the flood's own records still wait");
        assertTrue(held().stream().allMatch(h -> !h.nodeId().equals(dave.nodeId())));
        assertTrue(rejected.isEmpty());

        driver.advanceWallClockTime(GRACE.plus(RECHECK));
        assertEquals(2, rejections().size(), "and are rejected after the grace");
        assertTrue(held().isEmpty());
    }

    @Test
    void heldRecordsAreKeyedByTheirNode() {
        SignedPacket p = Fixtures.typical(MALLORY);
        publish(p);
        KeyValueStore<String, HeldRecord> store = driver.getKeyValueStore(StoreNames.INGEST_HELD);
        try (KeyValueIterator<String, HeldRecord> it = store.prefixScan(HeldRecord.nodePrefix(MALLORY.nodeId()),
                new StringSerializer())) {
            assertTrue(it.hasNext());
            HeldRecord h = it.next().value;
            assertEquals(MALLORY.nodeId(), h.nodeId());
            assertArrayEquals(p.bytes(), h.value());
            assertFalse(it.hasNext());
        }
    }

    private List<Rejection> rejections() {
        return rejected.readValuesToList().stream().map(ProtocolCodec::decodeRejection).toList();
    }
}
