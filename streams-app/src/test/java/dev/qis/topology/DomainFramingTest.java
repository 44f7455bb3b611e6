package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.metrics.QisMeters;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.registry.DomainRecordReader;
import dev.qis.registry.InProcessSchemaRegistry;
import dev.qis.registry.RegistryException;
import dev.qis.registry.RegistryFramer;
import dev.qis.registry.RegistryFraming;
import dev.qis.registry.RegistrySettings;
import dev.qis.registry.SchemaRegistryClient;
import dev.qis.store.PendingRoutedPacket;
import dev.qis.store.StoreNames;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Domain topics in Schema Registry framing: routed packets are framed with an id from a real (in-process)
 * registry; while the registry cannot answer they wait in order and none is dropped, and they are written, in
 * order, once it answers again.
 */
class DomainFramingTest {
    private static final NodeIdentity ALICE = NodeIdentity.generate();
    private static final String DOMAIN = "clinical-note-summarization";
    private static final Duration RETRY = Duration.ofSeconds(5);

    @TempDir
    Path stateDir;
    private InProcessSchemaRegistry registry;
    private SchemaRegistryClient client;
    private final AtomicBoolean registryDown = new AtomicBoolean();
    private TopologyTestDriver driver;
    private TestOutputTopic<String, byte[]> domainTopic;

    @BeforeEach
    void start() throws IOException {
        registry = InProcessSchemaRegistry.start(new InetSocketAddress("127.0.0.1", 0));
        client = new SchemaRegistryClient(RegistrySettings.of(registry.url()));
        RegistryFramer framer = new RegistryFramer(client);
        DomainFraming framing = (topic, bytes) -> {
            if (registryDown.get()) {
                throw new RegistryException(RegistryException.Reason.UNREACHABLE, 0, "registry down for the test", null);
            }
            return framer.frame(topic, bytes);
        };
        Properties qis = new Properties();
        qis.put(QisConfig.REGISTRY_RETRY_INTERVAL, RETRY.toString());
        QisConfig config = new QisConfig(qis);
        Properties props = config.streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-framing-ttd");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(QisTopology.build(config, Clock.fixed(Fixtures.NOW, ZoneOffset.UTC),
                DomainTopics.NAME_ONLY, QisMeters.discarding(), Optional.of(framing)), props, Fixtures.NOW);
        driver.createInputTopic(Topics.NODES, new StringSerializer(), new ByteArraySerializer())
                .pipeInput(ALICE.nodeId(), Fixtures.nodeKey(ALICE));
        domainTopic = driver.createOutputTopic(Topics.domain(DOMAIN), new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
        registry.close();
    }

    private SignedPacket publish(double outcome) {
        SignedPacket p = Fixtures.packet(DOMAIN, 60.0, outcome).sign(ALICE);
        driver.createInputTopic(Topics.OUTCOMES_PREFIX + p.fingerprint().value().charAt(0), new ByteArraySerializer(),
                new ByteArraySerializer()).pipeInput(p.fingerprint().value().getBytes(StandardCharsets.UTF_8), p.bytes());
        return p;
    }

    @Test
    void aRoutedPacketIsWrittenFramedWithItsHeadersAndItsSignedBodyUnchanged() {
        SignedPacket p = publish(66.0);

        TestRecord<String, byte[]> r = domainTopic.readRecord();
        assertTrue(RegistryFraming.isFramed(r.value()), "magic byte 0 and a schema id");
        assertEquals(client.versions(Topics.domain(DOMAIN) + "-value"), List.of(1));
        assertEquals(RegistryFramer.COMPATIBILITY, client.compatibility(Topics.domain(DOMAIN) + "-value").orElseThrow());
        assertArrayEquals(p.bytes(), new DomainRecordReader(Optional.of(client)).toSingleObject(r.value()),
                "the signed packet comes back byte for byte");
        assertEquals(p.fingerprint().value(), r.key());
        assertNotNull(r.headers().lastHeader("qis.fidelity"), "the fidelity headers travel with the framed record");
    }

    @Test
    void whileTheRegistryIsDownPacketsWaitInOrderAndAreWrittenWhenItAnswers() {
        registryDown.set(true);
        SignedPacket first = publish(66.0);
        SignedPacket second = publish(67.0);
        assertTrue(domainTopic.isEmpty(), "nothing written while the registry is down");
        assertEquals(2, pendingCount());

        driver.advanceWallClockTime(RETRY);
        assertTrue(domainTopic.isEmpty(), "a retry while it is still down writes nothing");
        assertEquals(2, pendingCount());

        registryDown.set(false);
        SignedPacket third = publish(68.0); // queues behind the waiting ones: order is kept
        assertTrue(domainTopic.isEmpty());
        driver.advanceWallClockTime(RETRY);

        DomainRecordReader reader = new DomainRecordReader(Optional.of(client));
        List<String> written = domainTopic.readValuesToList().stream().map(v -> reader.decode(v).getPacketId()).toList();
        assertEquals(List.of(first.id(), second.id(), third.id()), written);
        assertEquals(0, pendingCount());
    }

    private long pendingCount() {
        KeyValueStore<String, PendingRoutedPacket> store = driver.getKeyValueStore(StoreNames.DOMAIN_PENDING);
        return store.approximateNumEntries() == 0 ? 0 : countAll(store);
    }

    private static long countAll(KeyValueStore<String, PendingRoutedPacket> store) {
        long n = 0;
        try (var it = store.all()) {
            while (it.hasNext()) {
                it.next();
                n++;
            }
        }
        return n;
    }
}
