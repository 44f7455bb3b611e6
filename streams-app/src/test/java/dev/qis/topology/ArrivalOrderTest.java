package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.store.DomainStats;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.store.StoreSerdes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The final state is a function of the inputs, not of the order they arrive in; and the candidate set is bounded. */
class ArrivalOrderTest {
    private record Input(String topic, String key, byte[] value) { }

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver(String name, Properties qis) {
        Properties props = new QisConfig(qis).streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, name);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.resolve(name).toString());
        return new TopologyTestDriver(QisTopology.build(new QisConfig(qis), Clock.fixed(Fixtures.NOW, ZoneOffset.UTC),
                DomainTopics.NAME_ONLY), props, Fixtures.NOW);
    }

    private static void pipe(TopologyTestDriver driver, List<Input> inputs) {
        ByteArraySerializer s = new ByteArraySerializer();
        for (Input in : inputs) {
            driver.createInputTopic(in.topic(), s, s).pipeInput(in.key().getBytes(StandardCharsets.UTF_8), in.value());
        }
    }

    private static Map<String, String> dump(TopologyTestDriver driver, String store) {
        KeyValueStore<String, Object> kv = driver.getKeyValueStore(store);
        Map<String, String> out = new TreeMap<>();
        try (KeyValueIterator<String, Object> it = kv.all()) {
            it.forEachRemaining(e -> out.put(e.key, StoreSerdes.toJson(e.value)));
        }
        return out;
    }

    @Test
    void theStoresDoNotDependOnArrivalOrder() {
        Random random = new Random(3);
        List<NodeIdentity> nodes = new ArrayList<>();
        List<Input> registrations = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            NodeIdentity n = NodeIdentity.generate();
            nodes.add(n);
            registrations.add(new Input(Topics.NODES, n.nodeId(), Fixtures.nodeKey(n)));
        }
        List<SignedPacket> packets = new ArrayList<>();
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            var b = Fixtures.packet(i % 2 == 0 ? "task-a" : "task-b", 50, 50 + random.nextInt(10) - 1);
            if (!packets.isEmpty() && random.nextBoolean()) {
                b.informedBy(packets.get(random.nextInt(packets.size())).id());
            }
            SignedPacket p = b.issuedAt(Fixtures.ISSUED.plusSeconds(i)).sign(nodes.get(random.nextInt(nodes.size())));
            packets.add(p);
            inputs.add(new Input(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes()));
        }
        for (int i = 0; i < 120; i++) {
            SignedPacket p = packets.get(random.nextInt(packets.size()));
            var r = Fixtures.report(p.id(), 50 + random.nextInt(10), Fixtures.ISSUED.plusSeconds(random.nextInt(1000)),
                    nodes.get(random.nextInt(nodes.size())));
            inputs.add(new Input(Topics.VOTES, r.fingerprint().value(), r.bytes()));
        }
        List<Input> shuffled = new ArrayList<>(inputs);
        Collections.shuffle(shuffled, random);
        List<Input> reversed = new ArrayList<>(inputs);
        Collections.reverse(reversed);

        List<Map<String, Map<String, String>>> results = new ArrayList<>();
        for (List<Input> order : List.of(inputs, shuffled, reversed)) {
            try (TopologyTestDriver d = driver("order-" + results.size(), new Properties())) {
                pipe(d, registrations);
                pipe(d, order);
                Map<String, Map<String, String>> stores = new TreeMap<>();
                for (String store : List.of(StoreNames.PACKETS, StoreNames.PACKET_VOTES, StoreNames.PACKET_CITATIONS,
                        StoreNames.PACKET_BACKERS, StoreNames.NODE_TRUST, StoreNames.DOMAIN_CANDIDATES,
                        StoreNames.DOMAIN_STATS, StoreNames.DOMAIN_RANK, StoreNames.DOMAIN_MEMBERS)) {
                    stores.put(store, dump(d, store));
                }
                results.add(stores);
            }
        }
        assertEquals(40, results.get(0).get(StoreNames.DOMAIN_CANDIDATES).size());
        assertEquals(results.get(0), results.get(1), "in order vs shuffled");
        assertEquals(results.get(0), results.get(2), "in order vs reversed");
    }

    @Test
    void theCandidateSetKeepsTheHighestRankKeysUpToItsBound() {
        Properties qis = new Properties();
        qis.put(QisConfig.MAX_CANDIDATES, "3");
        NodeIdentity node = NodeIdentity.generate();
        try (TopologyTestDriver d = driver("bounded", qis)) {
            pipe(d, List.of(new Input(Topics.NODES, node.nodeId(), Fixtures.nodeKey(node))));
            List<String> ids = new ArrayList<>();
            for (int gain : new int[] {3, 9, 1, 7, 5}) {
                SignedPacket p = Fixtures.packet("task-a", 50, 50 + gain).sign(node);
                ids.add(p.id());
                pipe(d, List.of(new Input(Topics.outcomes(p.fingerprint()), p.fingerprint().value(), p.bytes())));
            }
            Map<String, String> candidates = dump(d, StoreNames.DOMAIN_CANDIDATES);
            assertEquals(3, candidates.size());
            for (int i : new int[] {1, 3, 4}) { // gains 9, 7, 5
                assertTrue(candidates.containsKey(StoreKeys.candidate("task-a", ids.get(i))), "gain rank " + i);
            }
            KeyValueStore<String, DomainStats> stats = d.getKeyValueStore(StoreNames.DOMAIN_STATS);
            assertEquals(5, stats.get("task-a").packets());
            assertEquals(3, stats.get("task-a").candidates());
            KeyValueStore<String, Object> packetsStore = d.getKeyValueStore(StoreNames.PACKETS);
            assertTrue(packetsStore.get(StoreKeys.packet(ids.get(2))) != null, "an evicted candidate is still stored");
        }
    }
}
