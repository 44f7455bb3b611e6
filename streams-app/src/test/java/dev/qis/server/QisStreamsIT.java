package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.FidelityScore;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.publish.TopicLayout;
import dev.qis.query.Breakdowns;
import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.fidelity.TrustLookup;
import dev.qis.store.VoteEntry;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import dev.qis.topics.StreamTopics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.StateQueryRequest;
import org.apache.kafka.streams.query.StateQueryResult;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole app on a real broker in the JVM: thousands of packets, votes (re-votes, self-votes, votes ahead of
 * their packet) and citations across several domains, plus bad records, published in shuffled order with a plain
 * producer, and a node that registers its key and publishes at once. Afterwards every store equals a
 * straightforward recomputation from the inputs.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class QisStreamsIT {
    private static final int PARTITIONS = 3;
    private static final int PACKETS = 2000;
    private static final int DOMAINS = 12;
    private static final int VOTES = 1500;
    private static final int NEWCOMER_PACKETS = 20;
    private static final double EPS = 1e-9;
    private static final long HALF_LIFE = Duration.ofDays(30).toMillis();

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

    private record Vote(String packetId, String reporter, String reportId, long issuedAt, double observed) { }

    @Test
    void storesEqualARecomputationFromTheInputs(@TempDir Path stateDir) throws Exception {
        Random random = new Random(7);
        Instant now = Instant.now();
        List<NodeIdentity> nodes = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            nodes.add(NodeIdentity.generate());
        }
        NodeIdentity stranger = NodeIdentity.generate();
        String[] families = {"llama-3-8b", "mistral-7b", "qwen2-7b"};
        String[][] tagSets = {{"healthcare", "en-US"}, {"legal"}, {}};

        // --- the inputs
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < PACKETS; i++) {
            OutcomePacketBuilder b = new OutcomePacketBuilder()
                    .family(families[random.nextInt(families.length)])
                    .task(String.format("task-%02d", i % DOMAINS))
                    .dataScale(DataScale.FROM_1K_TO_10K).benchmark("bench").metric("accuracy")
                    .higherIsBetter(random.nextInt(5) > 0)
                    .methodType(random.nextBoolean() ? "LoRA" : "QLoRA")
                    .hyperparam("r", (long) (8 << random.nextInt(3))).hyperparam("lr", 1e-4 * (1 + random.nextInt(3)))
                    .heldOutEval(random.nextBoolean()).nEvalSamples(50 + random.nextInt(950))
                    .confidence(random.nextDouble())
                    .issuedAt(now.minusSeconds(7200 + random.nextInt(60 * 86400))); // votes come within the hour after
            for (String tag : tagSets[random.nextInt(tagSets.length)]) {
                b.tag(tag);
            }
            double baseline = 40 + random.nextDouble() * 20;
            b.baselineScore(baseline).outcomeScore(baseline + random.nextDouble() * 10 - 2);
            if (!packets.isEmpty() && random.nextBoolean()) {
                Set<String> cited = new TreeSet<>();
                for (int c = 1 + random.nextInt(2); c > 0; c--) {
                    cited.add(packets.get(random.nextInt(packets.size())).id());
                }
                b.informedBy(cited);
            }
            if (random.nextInt(40) == 0) {
                b.informedBy("abcdef0123456789-" + String.format("%016x", random.nextLong())); // never published
            }
            packets.add(b.sign(nodes.get(random.nextInt(nodes.size()))));
        }
        List<Vote> votes = new ArrayList<>();
        List<SignedReport> reports = new ArrayList<>();
        List<SignedPacket> runs = new ArrayList<>();
        for (int i = 0; i < VOTES; i++) {
            SignedPacket p = packets.get(random.nextInt(packets.size()));
            NodeIdentity reporter = nodes.get(random.nextInt(nodes.size()));
            if (random.nextInt(5) < 3) { // most reporters publish the run they applied it in: their report is backed
                runs.add(new OutcomePacketBuilder().family(p.packet().getContext().getBaseModelFamily())
                        .task(p.packet().getContext().getTask()).dataScale(DataScale.FROM_1K_TO_10K)
                        .benchmark("bench").metric("accuracy").higherIsBetter(true).methodType("LoRA")
                        .hyperparam("r", 16L).heldOutEval(true).nEvalSamples(100 + random.nextInt(900))
                        .confidence(0.5).baselineScore(50).outcomeScore(50 + random.nextDouble() * 5)
                        .informedBy(p.id()).issuedAt(p.packet().getIssuedAt().plusSeconds(1 + random.nextInt(600)))
                        .sign(reporter));
            }
            double claimed = p.packet().getOutcome().getOutcomeScore() - p.packet().getOutcome().getBaselineScore();
            double observed = p.packet().getOutcome().getBaselineScore() + claimed * (random.nextDouble() * 1.6 - 0.3);
            int repeats = random.nextInt(8) == 0 ? 2 : 1; // re-votes: the latest issued_at wins
            for (int r = 0; r < repeats; r++) {
                Instant at = p.packet().getIssuedAt().plusSeconds(1 + random.nextInt(3600));
                SignedReport report = Packets.vote(p.id(),
                        r == 0 ? observed : observed + random.nextDouble() * 4 - 2, 100, at, reporter);
                reports.add(report);
            }
        }
        for (int i = 0; i < 20; i++) { // votes for packets that never arrive: held as pending
            String id = "0123456789abcdef-" + String.format("%016x", random.nextLong());
            reports.add(Packets.vote(id, 1, 10, now.minusSeconds(5), nodes.get(0)));
        }
        packets.addAll(runs);
        for (SignedReport r : reports) {
            ValidationReport v = r.report();
            votes.add(new Vote(v.getPacketId(), v.getNodeId(), v.getReportId(), v.getIssuedAt().toEpochMilli(),
                    v.getObservedScore()));
        }
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
        for (SignedPacket p : packets) {
            records.add(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes()));
        }
        for (int i = 0; i < 5; i++) { // producer retries: no-ops
            SignedPacket p = packets.get(i);
            records.add(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes()));
        }
        for (SignedReport r : reports) {
            records.add(new ProducerRecord<>(Topics.VOTES, r.fingerprint().value(), r.bytes()));
        }
        Map<ReasonCode, Integer> expectedRejections = new EnumMap<>(ReasonCode.class);
        for (int i = 0; i < 15; i++) {
            SignedPacket bad = Packets.plain("task-00", 60 + i).dataScale(DataScale.LT_100).nEvalSamples(10)
                    .confidence(1).issuedAt(now.minusSeconds(600)).sign(stranger);
            records.add(new ProducerRecord<>(Topics.outcomes(bad.fingerprint()), bad.fingerprint().value(), bad.bytes()));
            SignedPacket good = packets.get(i + 10);
            byte[] forged = good.bytes().clone();
            forged[forged.length - 2] ^= 0x40;
            records.add(new ProducerRecord<>(Topics.outcomes(good.fingerprint()), good.fingerprint().value(), forged));
        }
        expectedRejections.put(ReasonCode.UNKNOWN_NODE, 15);
        expectedRejections.put(ReasonCode.BAD_SIGNATURE, 15);
        for (int i = 0; i < 10; i++) {
            records.add(new ProducerRecord<>(Topics.VOTES, "0123456789abcdef", ("junk " + i).getBytes(StandardCharsets.UTF_8)));
        }
        expectedRejections.put(ReasonCode.MALFORMED, 10);
        Collections.shuffle(records, random);
        // a node that registers and publishes at once (as `qis publish` does): its key reaches the global
        // node-key store asynchronously, so its first packets may be verified before the key is there
        NodeIdentity newcomer = NodeIdentity.generate();
        List<ProducerRecord<String, byte[]>> newcomerRecords = new ArrayList<>();
        newcomerRecords.add(new ProducerRecord<>(Topics.NODES, newcomer.nodeId(),
                ProtocolCodec.encode(newcomer.nodeKey(now))));
        for (int i = 0; i < NEWCOMER_PACKETS; i++) {
            SignedPacket p = Packets.plain("task-01", 55 + i).family("mistral-7b").nEvalSamples(100).confidence(0.8)
                    .issuedAt(now.minusSeconds(3600)).sign(newcomer);
            packets.add(p);
            newcomerRecords.add(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(),
                    p.bytes()));
        }

        // --- the app
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(QisConfig.TOPIC_PARTITIONS, Integer.toString(PARTITIONS));
        props.put("qis.unknown.node.grace", "PT2S"); // the stranger's packets are dead-lettered soon
        // every packet stays a candidate, so each candidate can be compared (eviction is tested on its own)
        props.put(QisConfig.MAX_CANDIDATES, "100000");
        props.put(QisConfig.MAX_STORED_PER_NODE, "100000");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            new StreamTopics(admin, new TopicLayout(PARTITIONS, TopicLayout.BROKER_DEFAULT_REPLICATION, 1),
                    Duration.ofSeconds(30)).createAll();
        }
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (NodeIdentity n : nodes) {
                producer.send(new ProducerRecord<>(Topics.NODES, n.nodeId(), ProtocolCodec.encode(n.nodeKey(now)))).get();
            }
        }
        try (QisServer app = RunningApp.start(props); KafkaProducer<String, byte[]> producer = producer()) {
            for (ProducerRecord<String, byte[]> r : newcomerRecords) { // the key, then its packets, no pause
                producer.send(r);
            }
            for (ProducerRecord<String, byte[]> r : records) {
                producer.send(r);
            }
            producer.flush();

            Expected expected = new Expected(packets, votes);
            long at = now.toEpochMilli() + Duration.ofDays(3).toMillis();
            // a cheap signal first (full comparisons while the app works would slow it down), then the full check
            long counted = expected.tallies.values().stream().mapToLong(t -> t[1] + t[2]).sum();
            Wait.waitFor(() -> reportsCounted(app) == counted, Duration.ofSeconds(90),
                    () -> reportsCounted(app) + " of " + counted + " reports counted in node trust");
            Wait.waitFor(() -> mismatches(app, expected, at).isEmpty(), Duration.ofSeconds(30),
                    () -> "stores never matched the recomputation; first differences: " + first(mismatches(app, expected, at)));
            assertEquals(List.of(), mismatches(app, expected, at));
            assertEquals(NEWCOMER_PACKETS, RunningApp.<NodeTally>all(app, StoreNames.NODE_TRUST).get(newcomer.nodeId()).packets(),
                    "every packet of the node registered just before them is accepted");
            assertTheOwnerOfEveryKeyHoldsIt(app, expected);

            Map<ReasonCode, Integer> rejections = new EnumMap<>(ReasonCode.class);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                consumer.subscribe(List.of(Topics.REJECTED));
                Wait.waitFor(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        rejections.merge(ProtocolCodec.decodeRejection(r.value()).getReason(), 1, Integer::sum);
                    }
                    return rejections.equals(expectedRejections);
                }, Duration.ofSeconds(30), () -> "dead letters " + rejections + ", expected " + expectedRejections);
            }

            String domain = "task-03";
            Set<String> routed = new HashSet<>();
            try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
                consumer.subscribe(List.of(Topics.domain(domain)));
                Wait.waitFor(() -> {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        OutcomePacket p = ProtocolCodec.decodePacket(r.value());
                        assertEquals(domain, p.getContext().getTask());
                        assertEquals(p.getPacketId().substring(0, 16), new String(r.key(), StandardCharsets.UTF_8));
                        assertTrue(routed.add(p.getPacketId()), "each packet is routed once");
                    }
                    return routed.size() == expected.inDomain(domain);
                }, Duration.ofSeconds(30), () -> routed.size() + " packets routed to " + domain);
            }
        }
    }

    /**
     * The store contract for remote reads: the partition that queryMetadataForKey names (by fingerprint for
     * packets, by domain for domain views, by node for tallies) is the one whose store holds the key (IQv2).
     */
    private static void assertTheOwnerOfEveryKeyHoldsIt(QisServer app, Expected expected) {
        StringSerializer keys = new StringSerializer();
        int checked = 0;
        for (OutcomePacket p : expected.packets.values()) {
            if (checked++ == 200) {
                break;
            }
            String fp = p.getPacketId().substring(0, 16);
            KeyQueryMetadata meta = app.streams().queryMetadataForKey(StoreNames.PACKETS, fp, keys);
            assertTrue(meta != null && meta != KeyQueryMetadata.NOT_AVAILABLE, "metadata for " + fp);
            PacketState s = queryOne(app, StoreNames.PACKETS, StoreKeys.packet(p.getPacketId()), meta.partition());
            assertEquals(p.getPacketId(), s.packetId());
            StateQueryResult<KeyValueIterator<String, PacketState>> range = app.streams().query(
                    StateQueryRequest.inStore(StoreNames.PACKETS)
                            .withQuery(RangeQuery.<String, PacketState>withRange(StoreKeys.packetRangeFrom(fp),
                                    StoreKeys.packetRangeTo(fp)))
                            .withPartitions(Set.of(meta.partition())).requireActive());
            QueryResult<KeyValueIterator<String, PacketState>> r = range.getPartitionResults().get(meta.partition());
            assertTrue(r.isSuccess(), () -> "range of " + fp + ": " + r.getFailureMessage());
            long n = 0;
            try (KeyValueIterator<String, PacketState> it = r.getResult()) {
                while (it.hasNext()) {
                    assertTrue(it.next().key.startsWith(fp + "/"));
                    n++;
                }
            }
            long inFingerprint = expected.packets.keySet().stream().filter(id -> id.startsWith(fp)).count()
                    + expected.pending.stream().filter(id -> id.startsWith(fp)).count();
            assertEquals(inFingerprint, n, "packets under " + fp);
        }
        for (int d = 0; d < DOMAINS; d++) {
            String domain = String.format("task-%02d", d);
            KeyQueryMetadata meta = app.streams().queryMetadataForKey(StoreNames.DOMAIN_STATS, domain, keys);
            DomainStats stats = queryOne(app, StoreNames.DOMAIN_STATS, domain, meta.partition());
            assertEquals(expected.packets.values().stream().filter(p -> p.getContext().getTask().equals(domain)).count(),
                    stats.packets(), domain);
        }
        for (String node : expected.tallies.keySet()) {
            KeyQueryMetadata meta = app.streams().queryMetadataForKey(StoreNames.NODE_TALLIES, node, keys);
            NodeTally t = queryOne(app, StoreNames.NODE_TALLIES, node, meta.partition());
            assertEquals(expected.tallies.get(node)[0], t.packets(), node);
        }
    }

    private static <V> V queryOne(QisServer app, String store, String key, int partition) {
        StateQueryResult<V> result = app.streams().query(StateQueryRequest.inStore(store)
                .withQuery(KeyQuery.<String, V>withKey(key)).withPartitions(Set.of(partition)).requireActive());
        QueryResult<V> r = result.getPartitionResults().get(partition);
        assertTrue(r != null && r.isSuccess(), () -> store + " " + key + " on partition " + partition + ": "
                + (r == null ? "no result" : r.getFailureReason() + " " + r.getFailureMessage()));
        assertTrue(r.getResult() != null, store + " " + key + " is not on the partition its owner lookup names");
        return r.getResult();
    }

    /** A straightforward recomputation of every stored value from the inputs, written apart from the app. */
    private static final class Expected {
        final Map<String, OutcomePacket> packets = new HashMap<>();
        final Map<String, Map<String, Vote>> latest = new HashMap<>();
        final Map<String, Map<String, String>> citedBy = new HashMap<>(); // cited → citing packet → its node
        final Map<String, long[]> tallies = new HashMap<>(); // node → packets, backed S, backed F
        final Set<String> pending = new TreeSet<>();

        Expected(List<SignedPacket> signed, List<Vote> votes) {
            signed.forEach(p -> packets.put(p.id(), p.packet()));
            for (OutcomePacket p : packets.values()) {
                tallies.computeIfAbsent(p.getNodeId(), n -> new long[3])[0]++;
                for (String cited : p.getInformedBy()) {
                    citedBy.computeIfAbsent(cited, c -> new HashMap<>()).put(p.getPacketId(), p.getNodeId());
                    if (!packets.containsKey(cited)) {
                        pending.add(cited);
                    }
                }
            }
            for (Vote v : votes) {
                OutcomePacket p = packets.get(v.packetId());
                if (p == null) {
                    pending.add(v.packetId());
                    latest.computeIfAbsent(v.packetId(), k -> new HashMap<>()).merge(v.reporter(), v, Expected::later);
                } else if (!p.getNodeId().equals(v.reporter())) {
                    latest.computeIfAbsent(v.packetId(), k -> new HashMap<>()).merge(v.reporter(), v, Expected::later);
                }
            }
            for (OutcomePacket p : packets.values()) {
                for (Vote v : backed(p)) {
                    tallies.get(p.getNodeId())[reproduced(p, v) ? 1 : 2]++;
                }
            }
        }

        static Vote later(Vote a, Vote b) {
            if (a.issuedAt() != b.issuedAt()) {
                return a.issuedAt() > b.issuedAt() ? a : b;
            }
            return a.reportId().compareTo(b.reportId()) > 0 ? a : b;
        }

        static double gain(OutcomePacket p, double observed) {
            double base = p.getOutcome().getBaselineScore();
            double g = (observed - base) / Math.max(Math.abs(base), 1e-6);
            return p.getOutcome().getHigherIsBetter() ? g : -g;
        }

        static boolean reproduced(OutcomePacket p, Vote v) {
            return gain(p, v.observed()) >= 0.5 * gain(p, p.getOutcome().getOutcomeScore());
        }

        /** The latest report of every node that also published a packet citing p. */
        List<Vote> backed(OutcomePacket p) {
            Set<String> backers = new HashSet<>(citedBy.getOrDefault(p.getPacketId(), Map.of()).values());
            return latest.getOrDefault(p.getPacketId(), Map.of()).values().stream()
                    .filter(v -> backers.contains(v.reporter())).toList();
        }

        long citations(OutcomePacket p) {
            return citedBy.getOrDefault(p.getPacketId(), Map.of()).values().stream()
                    .filter(node -> !node.equals(p.getNodeId())).count();
        }

        double curate(OutcomePacket p) {
            var v = p.getValidation();
            return v.getConfidence() <= 0 ? 0 : 0.5 * Math.min(v.getConfidence(), 1) * Math.min(v.getNEvalSamples(), 1000)
                    * (v.getHeldOutEval() ? 1 : 0.5);
        }

        long[] votes(OutcomePacket p) {
            long s = 0;
            long f = 0;
            for (Vote v : backed(p)) {
                if (reproduced(p, v)) {
                    s++;
                } else {
                    f++;
                }
            }
            return new long[] {s, f};
        }

        double expectedGain(OutcomePacket p) {
            double w = curate(p);
            double wg = w * gain(p, p.getOutcome().getOutcomeScore());
            for (Vote v : backed(p)) {
                w += 100; // every report here has n_eval 100
                wg += 100 * gain(p, v.observed());
            }
            return wg / (300 + w);
        }

        double fidelity(OutcomePacket p, long now) {
            double decay = Math.pow(2, -(double) (now - p.getIssuedAt().toEpochMilli()) / HALF_LIFE);
            return Math.max(expectedGain(p), 0) * decay;
        }

        boolean listed(OutcomePacket p) {
            long[] sf = votes(p);
            return expectedGain(p) > 0 && sf[0] > sf[1];
        }

        double logScore(OutcomePacket p) {
            return Math.log(Math.max(expectedGain(p), Double.MIN_VALUE))
                    + p.getIssuedAt().toEpochMilli() * Math.log(2) / HALF_LIFE;
        }

        int inDomain(String domain) {
            return (int) packets.values().stream().filter(p -> p.getContext().getTask().equals(domain)).count();
        }
    }

    private static List<String> mismatches(QisServer app, Expected expected, long now) {
        List<String> out = new ArrayList<>();
        try {
            Map<String, PacketState> packets = RunningApp.all(app, StoreNames.PACKETS);
            Map<String, VoteEntry> voteEntries = RunningApp.all(app, StoreNames.PACKET_VOTES);
            Map<String, String> citationEntries = RunningApp.all(app, StoreNames.PACKET_CITATIONS);
            Map<String, NodeTally> trust = RunningApp.all(app, StoreNames.NODE_TRUST);
            Map<String, Candidate> candidates = RunningApp.all(app, StoreNames.DOMAIN_CANDIDATES);
            Map<String, DomainStats> stats = RunningApp.all(app, StoreNames.DOMAIN_STATS);
            Breakdowns breakdowns = new Breakdowns(new Elections(FidelityParams.DEFAULTS));
            TrustLookup lookup = TrustLookup.of(trust::get);

            expected.tallies.forEach((node, t) -> {
                NodeTally got = trust.get(node);
                if (got == null || got.packets() != t[0] || got.successes() != t[1] || got.failures() != t[2]) {
                    out.add("node " + node + ": " + got + " expected " + t[0] + "/" + t[1] + "/" + t[2]);
                }
            });
            for (OutcomePacket p : expected.packets.values()) {
                PacketState s = packets.get(StoreKeys.packet(p.getPacketId()));
                if (s == null || s.isPending()) {
                    out.add("packet " + p.getPacketId() + " missing");
                    continue;
                }
                long[] sf = expected.votes(p);
                if (s.successes() != sf[0] || s.failures() != sf[1] || s.citations() != expected.citations(p)) {
                    out.add("packet " + p.getPacketId() + " S/F/citations " + s.successes() + "/" + s.failures() + "/"
                            + s.citations() + " expected " + sf[0] + "/" + sf[1] + "/" + expected.citations(p)
                            + " reporters " + s.votes() + " expected " + expected.latest.get(p.getPacketId())
                            + " claim " + Expected.gain(p, p.getOutcome().getOutcomeScore()) + " author " + p.getNodeId());
                }
                Map<String, Vote> latestHere = expected.latest.getOrDefault(p.getPacketId(), Map.of());
                if (s.votes() != latestHere.size()) {
                    out.add("packet " + p.getPacketId() + ": " + s.votes() + " reporters counted, expected "
                            + latestHere.size());
                }
                latestHere.forEach((reporter, v) -> {
                    VoteEntry e = voteEntries.get(StoreKeys.entry(p.getPacketId(), reporter));
                    if (e == null || !e.reportId().equals(v.reportId())) {
                        out.add("packet " + p.getPacketId() + " reporter " + reporter + ": entry " + e
                                + ", expected report " + v.reportId());
                    }
                });
                expected.citedBy.getOrDefault(p.getPacketId(), Map.of()).forEach((citing, node) -> {
                    if (!node.equals(citationEntries.get(StoreKeys.entry(p.getPacketId(), citing)))) {
                        out.add("packet " + p.getPacketId() + ": citation by " + citing + " not kept under its id");
                    }
                });
                if (Math.abs(s.curate() - expected.curate(p)) > EPS) {
                    out.add("packet " + p.getPacketId() + " curate " + s.curate() + " expected " + expected.curate(p));
                }
                FidelityScore score = breakdowns.of(s, lookup, now);
                if (Math.abs(score.fidelity() - expected.fidelity(p, now)) > EPS) {
                    out.add("packet " + p.getPacketId() + " fidelity " + score.fidelity() + " expected "
                            + expected.fidelity(p, now));
                }
                Candidate c = candidates.get(StoreKeys.candidate(p.getContext().getTask(), p.getPacketId()));
                double log = expected.logScore(p);
                if (c != null && c.listed() != expected.listed(p)) {
                    out.add("candidate " + p.getPacketId() + " listed " + c.listed() + " expected " + expected.listed(p));
                }
                if (c == null || !(c.logScore() == log || Math.abs(c.logScore() - log) <= EPS)) {
                    out.add("candidate " + p.getPacketId() + " " + (c == null ? "missing" : c.logScore()) + " expected " + log);
                } else if (Math.abs(breakdowns.of(c, lookup, now).fidelity() - expected.fidelity(p, now)) > EPS) {
                    out.add("candidate " + p.getPacketId() + " fidelity differs");
                }
            }
            for (String id : expected.pending) {
                PacketState s = packets.get(StoreKeys.packet(id));
                if (s == null || !s.isPending()) {
                    out.add("pending " + id + " not held");
                }
            }
            long stored = packets.values().stream().filter(s -> !s.isPending()).count();
            if (stored != expected.packets.size() || candidates.size() != expected.packets.size()) {
                out.add(stored + " packets and " + candidates.size() + " candidates stored, expected " + expected.packets.size());
            }
            Map<String, List<OutcomePacket>> byDomain = new HashMap<>();
            expected.packets.values().forEach(p -> byDomain.computeIfAbsent(p.getContext().getTask(), d -> new ArrayList<>()).add(p));
            byDomain.forEach((domain, ps) -> {
                DomainStats s = stats.get(domain);
                Set<String> fps = new TreeSet<>();
                Set<String> nodes = new TreeSet<>();
                long last = 0;
                for (OutcomePacket p : ps) {
                    fps.add(p.getPacketId().substring(0, 16));
                    nodes.add(p.getNodeId());
                    last = Math.max(last, p.getIssuedAt().toEpochMilli());
                }
                if (s == null || s.packets() != ps.size() || s.fingerprintCount() != fps.size() || s.nodeCount() != nodes.size()
                        || s.lastSeen() != last || s.candidates() != ps.size()) {
                    out.add("stats " + domain + ": " + s + " expected " + ps.size() + " packets");
                }
            });
            Map<String, NodeTally> local = RunningApp.all(app, StoreNames.NODE_TALLIES);
            local.forEach((node, t) -> {
                if (!t.equals(trust.get(node))) {
                    out.add("node tally " + t + " but node trust " + trust.get(node));
                }
            });
        } catch (InvalidStateStoreException e) {
            out.add("stores not queryable yet: " + e.getMessage());
        }
        out.sort(java.util.Comparator.comparing((String x) -> !x.contains("S/F")).thenComparing(x -> !x.startsWith("node")));
        return out;
    }

    private static long reportsCounted(QisServer app) {
        try {
            Map<String, NodeTally> trust = RunningApp.all(app, StoreNames.NODE_TRUST);
            return trust.values().stream().mapToLong(t -> t.successes() + t.failures()).sum();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private static String first(List<String> xs) {
        return String.join("\n  ", xs.subList(0, Math.min(8, xs.size()))) + (xs.size() > 8 ? "\n  … " + xs.size() + " in all" : "");
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), new ByteArraySerializer());
    }

    private static KafkaConsumer<byte[], byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "qis-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
