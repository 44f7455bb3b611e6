package dev.qis.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.embedded.EmbeddedKafka;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.DataScale;
import dev.qis.store.HeldRecord;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that registers its key and publishes straight away while the node-key global store lags (its consumer
 * made to wait up to 3 s per fetch): every packet is accepted, none is dead-lettered as UNKNOWN_NODE.
 */
class UnknownNodeGraceIT {
    private static final int PACKETS = 10;

    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        kafka.close();
    }

    @Test
    void packetsSentRightAfterTheirNodesRegistrationAreAllAccepted(@TempDir Path stateDir) throws Exception {
        Properties props = new Properties();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-grace-it-" + UUID.randomUUID());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(QisConfig.TOPIC_PARTITIONS, "2");
        props.put(QisConfig.UNKNOWN_NODE_GRACE, "PT60S");
        // a lagging global store: each fetch of the global consumer waits for data that never fills it
        props.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MIN_BYTES_CONFIG), "10000000");
        props.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "3000");

        NodeIdentity node = NodeIdentity.generate();
        Instant now = Instant.now();
        List<SignedPacket> packets = new ArrayList<>();
        for (int i = 0; i < PACKETS; i++) {
            packets.add(new OutcomePacketBuilder().family("llama-3-8b").task("grace-task")
                    .dataScale(DataScale.FROM_1K_TO_10K).benchmark("bench").metric("accuracy").baselineScore(50)
                    .outcomeScore(51 + i).higherIsBetter(true).methodType("LoRA").heldOutEval(true).nEvalSamples(100)
                    .confidence(0.9).issuedAt(now.minusSeconds(60)).sign(node));
        }
        try (QisStreams app = new QisStreams(props).start(); KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(now))));
            for (SignedPacket p : packets) { // no pause: as `qis publish` registers and sends
                producer.send(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(),
                        p.bytes()));
            }
            producer.flush();

            waitFor(() -> packetsOf(app, node) == PACKETS, Duration.ofSeconds(60),
                    () -> packetsOf(app, node) + " of " + PACKETS + " packets counted for the node");
            Map<String, PacketState> stored = all(app, StoreNames.PACKETS);
            for (SignedPacket p : packets) {
                PacketState s = stored.get(StoreKeys.packet(p.id()));
                assertTrue(s != null && !s.isPending(), p.id() + " accepted");
            }
            assertEquals(Map.of(), UnknownNodeGraceIT.<HeldRecord>all(app, StoreNames.INGEST_HELD),
                    "nothing left waiting, so nothing will be rejected");
        }
    }

    private static long packetsOf(QisStreams app, NodeIdentity node) {
        try {
            NodeTally t = UnknownNodeGraceIT.<NodeTally>all(app, StoreNames.NODE_TALLIES).get(node.nodeId());
            return t == null ? 0 : t.packets();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private static <V> Map<String, V> all(QisStreams app, String store) {
        ReadOnlyKeyValueStore<String, V> s = app.streams().store(
                StoreQueryParameters.fromNameAndType(store, QueryableStoreTypes.<String, V>keyValueStore()));
        Map<String, V> out = new HashMap<>();
        try (KeyValueIterator<String, V> it = s.all()) {
            it.forEachRemaining(kv -> out.put(kv.key, kv.value));
        }
        return out;
    }

    private static void waitFor(BooleanSupplier condition, Duration timeout, Supplier<String> message)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + ": " + message.get());
            }
            Thread.sleep(200);
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
