package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.PacketFacts;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.store.StoreSerdes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The domain view on its own, fed candidate updates directly: its indexed eviction keeps exactly the set that
 * reading the whole domain and removing the lowest would keep, and its stats value does not grow with the domain.
 */
class DomainViewProcessorTest {
    private static final String DOMAIN = "summarization";
    private TopologyTestDriver driver;
    private TestInputTopic<String, PacketOutput.CandidateUpdate> in;

    private void start(int maxCandidates, int maxStoredPerNode) {
        Serde<String> strings = Serdes.String();
        Topology t = new Topology();
        t.addSource("in", strings.deserializer(), CandidateUpdateSerde.serde().deserializer(), "in");
        t.addProcessor("view", () -> new DomainViewProcessor(maxCandidates, maxStoredPerNode), "in");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DOMAIN_CANDIDATES),
                strings, StoreSerdes.candidate()), "view");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DOMAIN_STATS),
                strings, StoreSerdes.domainStats()), "view");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DOMAIN_RANK),
                strings, strings), "view");
        t.addStateStore(Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(StoreNames.DOMAIN_MEMBERS),
                strings, Serdes.Long()), "view");
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "domain-view");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(t, props);
        in = driver.createInputTopic("in", new StringSerializer(), CandidateUpdateSerde.serde().serializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    private static String hex16(Random random) {
        return String.format("%016x", random.nextLong());
    }

    private static Candidate candidate(String packetId, String nodeId, boolean listed, double logScore) {
        PacketFacts facts = new PacketFacts(packetId, nodeId, 1_790_000_000_000L, "llama-3-8b", DOMAIN, List.of(),
                "FROM_1K_TO_10K", "MedQA", "accuracy", 60, 66, true, 0.1, "LoRA", Map.of(), true, 300, 0.9, List.of());
        return new Candidate(facts, 1.0, 0, new TreeMap<>(), Math.exp(logScore), 1, 0, listed, logScore);
    }

    /** The domain view before its rank index: read the whole domain, remove the node's or the domain's lowest. */
    private static void reference(Map<String, Candidate> set, Candidate c, int maxCandidates, int maxStoredPerNode) {
        boolean present = set.put(c.packetId(), c) != null;
        if (present) {
            return;
        }
        Candidate lowest = null;
        Candidate nodeLowest = null;
        int ofNode = 0;
        for (Candidate x : set.values()) {
            if (lowest == null || x.ranksBelow(lowest)) {
                lowest = x;
            }
            if (x.facts().nodeId().equals(c.facts().nodeId())) {
                ofNode++;
                if (nodeLowest == null || x.ranksBelow(nodeLowest)) {
                    nodeLowest = x;
                }
            }
        }
        if (ofNode > maxStoredPerNode) {
            set.remove(nodeLowest.packetId());
        } else if (set.size() > maxCandidates) {
            set.remove(lowest.packetId());
        }
    }

    private Map<String, Candidate> stored() {
        KeyValueStore<String, Candidate> store = driver.getKeyValueStore(StoreNames.DOMAIN_CANDIDATES);
        Map<String, Candidate> out = new HashMap<>();
        try (KeyValueIterator<String, Candidate> it = store.range(StoreKeys.candidateRangeFrom(DOMAIN),
                StoreKeys.candidateRangeTo(DOMAIN))) {
            it.forEachRemaining(kv -> out.put(kv.value.packetId(), kv.value));
        }
        return out;
    }

    @Test
    void indexedEvictionKeepsWhatAFullScanKeeps() {
        int maxCandidates = 40;
        int maxStoredPerNode = 12;
        start(maxCandidates, maxStoredPerNode);
        Random random = new Random(7);
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            nodes.add(hex16(random));
        }
        List<Candidate> published = new ArrayList<>();
        Map<String, Candidate> expected = new HashMap<>();
        double[] scores = {Double.NEGATIVE_INFINITY, -3.5, -1.0, -0.0, 0.0, 0.25, 2.0};
        for (int step = 0; step < 3000; step++) {
            boolean fresh = published.isEmpty() || random.nextInt(3) > 0;
            Candidate c;
            if (fresh) {
                // a few fingerprints, so equal scores often meet and the id breaks the tie
                String id = hex16(new Random(random.nextInt(4))) + "-" + hex16(random);
                String node = nodes.get(random.nextInt(random.nextInt(4) == 0 ? 1 : nodes.size()));
                c = candidate(id, node, random.nextBoolean(), scores[random.nextInt(scores.length)]);
                published.add(c);
            } else {
                Candidate was = published.get(random.nextInt(published.size()));
                c = candidate(was.packetId(), was.facts().nodeId(), random.nextBoolean(),
                        random.nextBoolean() ? was.logScore() : scores[random.nextInt(scores.length)]);
            }
            in.pipeInput(DOMAIN, new PacketOutput.CandidateUpdate(c, fresh));
            reference(expected, c, maxCandidates, maxStoredPerNode);
            if (step % 250 == 0 || step == 2999) {
                assertEquals(new TreeMap<>(expected), new TreeMap<>(stored()), "after update " + step);
            }
        }
        Map<String, Integer> perNode = new HashMap<>();
        expected.values().forEach(c -> perNode.merge(c.facts().nodeId(), 1, Integer::sum));
        KeyValueStore<String, Long> members = driver.getKeyValueStore(StoreNames.DOMAIN_MEMBERS);
        for (String node : nodes) {
            Long held = members.get(StoreKeys.domainNode(DOMAIN, node));
            assertEquals(perNode.getOrDefault(node, 0).longValue(), held == null ? 0 : held, "held by " + node);
        }
        KeyValueStore<String, String> ranks = driver.getKeyValueStore(StoreNames.DOMAIN_RANK);
        int indexed = 0;
        try (KeyValueIterator<String, String> it = ranks.all()) {
            while (it.hasNext()) {
                it.next();
                indexed++;
            }
        }
        assertEquals(2 * expected.size(), indexed, "one domain entry and one node entry per kept candidate");
        DomainStats s = driver.<String, DomainStats>getKeyValueStore(StoreNames.DOMAIN_STATS).get(DOMAIN);
        assertEquals(expected.size(), s.candidates());
        assertEquals(published.size(), s.packets());
        assertEquals(published.stream().map(c -> c.facts().fingerprint()).distinct().count(), s.fingerprintCount());
        assertEquals(published.stream().map(c -> c.facts().nodeId()).distinct().count(), s.nodeCount());
    }

    @Test
    void aDomainWithManyFingerprintsAndNodesKeepsASmallStatsValue() {
        start(200, 20);
        Random random = new Random(11);
        int packets = 10_000;
        Set<String> fingerprints = new HashSet<>();
        Set<String> nodes = new TreeSet<>();
        for (int i = 0; i < packets; i++) {
            String fingerprint = hex16(random);
            String node = i % 2 == 0 ? hex16(random) : "00000000000000aa";
            fingerprints.add(fingerprint);
            nodes.add(node);
            in.pipeInput(DOMAIN, new PacketOutput.CandidateUpdate(
                    candidate(fingerprint + "-" + hex16(random), node, true, random.nextGaussian()), true));
        }
        DomainStats s = driver.<String, DomainStats>getKeyValueStore(StoreNames.DOMAIN_STATS).get(DOMAIN);
        assertEquals(new DomainStats(DOMAIN, packets, fingerprints.size(), nodes.size(), 1_790_000_000_000L, 200), s);
        byte[] value = StoreSerdes.domainStats().serializer().serialize("t", s);
        assertTrue(value.length < 64, "a stats value of " + value.length + " bytes");
        KeyValueStore<String, Long> members = driver.getKeyValueStore(StoreNames.DOMAIN_MEMBERS);
        String fingerprint = fingerprints.iterator().next();
        assertEquals(1L, members.get(StoreKeys.domainFingerprint(DOMAIN, fingerprint)), "one packet of it");
        assertEquals(20L, members.get(StoreKeys.domainNode(DOMAIN, "00000000000000aa")), "the node's share is full");
    }

    /**
     * A transaction rolled back: the stores return to the last commit and Kafka Streams initializes the task's
     * processors again. Evictions in the rolled-back part raised the rank range's floor past keys that are live
     * again; the processor must not skip them.
     */
    @Test
    void aRollbackToTheLastCommitKeepsWhatAFullScanKeeps() {
        int maxCandidates = 10;
        int maxStoredPerNode = 10;
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        List<KeyValueStore<String, ?>> stores = List.of(
                memory(context, StoreNames.DOMAIN_CANDIDATES, StoreSerdes.candidate()),
                memory(context, StoreNames.DOMAIN_STATS, StoreSerdes.domainStats()),
                memory(context, StoreNames.DOMAIN_RANK, Serdes.String()),
                memory(context, StoreNames.DOMAIN_MEMBERS, Serdes.Long()));
        DomainViewProcessor view = new DomainViewProcessor(maxCandidates, maxStoredPerNode);
        view.init(context);
        Map<String, Candidate> expected = new HashMap<>();
        Random random = new Random(3);
        int step = 0;
        // the committed part: the domain full, at every score from 0 up
        for (; step < 20; step++) {
            update(view, expected, candidate(hex16(random) + "-" + step, "n" + step % 5, true, step), maxCandidates,
                    maxStoredPerNode);
        }
        Map<String, Candidate> committed = new HashMap<>(expected);
        List<Map<String, Object>> snapshot = stores.stream().map(DomainViewProcessorTest::copy).toList();
        // the rolled-back part: high scores evict the lowest ten, raising the floor past them
        for (; step < 30; step++) {
            update(view, expected, candidate(hex16(random) + "-" + step, "n" + step % 5, true, 100 + step),
                    maxCandidates, maxStoredPerNode);
        }
        for (int i = 0; i < stores.size(); i++) {
            restore(stores.get(i), snapshot.get(i));
        }
        expected = committed;
        view.init(context);
        // after it: the next high scores must evict the lowest of the restored set
        for (; step < 45; step++) {
            update(view, expected, candidate(hex16(random) + "-" + step, "n" + step % 5, true, 50 + step),
                    maxCandidates, maxStoredPerNode);
            Map<String, Candidate> kept = new HashMap<>();
            try (KeyValueIterator<String, ?> it = stores.get(0).all()) {
                it.forEachRemaining(kv -> kept.put(((Candidate) kv.value).packetId(), (Candidate) kv.value));
            }
            assertEquals(new TreeMap<>(expected), new TreeMap<>(kept), "after update " + step);
        }
    }

    private static void update(DomainViewProcessor view, Map<String, Candidate> expected, Candidate c,
                               int maxCandidates, int maxStoredPerNode) {
        view.process(new Record<>(DOMAIN, new PacketOutput.CandidateUpdate(c, true), 0L));
        reference(expected, c, maxCandidates, maxStoredPerNode);
    }

    private static <V> KeyValueStore<String, V> memory(MockProcessorContext<Void, Void> context, String name,
                                                       Serde<V> values) {
        KeyValueStore<String, V> store = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name),
                Serdes.String(), values).withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        return store;
    }

    private static Map<String, Object> copy(KeyValueStore<String, ?> store) {
        Map<String, Object> out = new HashMap<>();
        try (KeyValueIterator<String, ?> it = store.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static void restore(KeyValueStore<String, ?> store, Map<String, Object> snapshot) {
        KeyValueStore<String, Object> s = (KeyValueStore<String, Object>) store;
        List<String> keys = new ArrayList<>();
        try (KeyValueIterator<String, Object> it = s.all()) {
            it.forEachRemaining(kv -> keys.add(kv.key));
        }
        keys.forEach(s::delete);
        snapshot.forEach(s::put);
    }
}
