package dev.qis.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import dev.qis.store.HeldRecord;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.testing.InJvmKafka;
import dev.qis.testing.Packets;
import dev.qis.testing.Wait;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that registers its key and publishes straight away while the node-key global store lags (its consumer
 * made to wait up to 3 s per fetch): every packet is accepted, none is dead-lettered as UNKNOWN_NODE.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class UnknownNodeGraceIT {
    private static final int PACKETS = 10;

    @RegisterExtension
    static final InJvmKafka kafka = new InJvmKafka();

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
            packets.add(Packets.plain("grace-task", 51 + i).nEvalSamples(100).issuedAt(now.minusSeconds(60)).sign(node));
        }
        try (QisServer app = RunningApp.start(props); KafkaProducer<String, byte[]> producer = producer()) {
            producer.send(new ProducerRecord<>(Topics.NODES, node.nodeId(), ProtocolCodec.encode(node.nodeKey(now))));
            for (SignedPacket p : packets) { // no pause: as `qis publish` registers and sends
                producer.send(new ProducerRecord<>(Topics.outcomes(p.fingerprint()), p.fingerprint().value(),
                        p.bytes()));
            }
            producer.flush();

            Wait.waitFor(() -> packetsOf(app, node) == PACKETS, Duration.ofSeconds(60),
                    () -> packetsOf(app, node) + " of " + PACKETS + " packets counted for the node");
            Map<String, PacketState> stored = RunningApp.all(app, StoreNames.PACKETS);
            for (SignedPacket p : packets) {
                PacketState s = stored.get(StoreKeys.packet(p.id()));
                assertTrue(s != null && !s.isPending(), p.id() + " accepted");
            }
            assertEquals(Map.of(), RunningApp.<HeldRecord>all(app, StoreNames.INGEST_HELD),
                    "nothing left waiting, so nothing will be rejected");
        }
    }

    private static long packetsOf(QisServer app, NodeIdentity node) {
        try {
            NodeTally t = RunningApp.<NodeTally>all(app, StoreNames.NODE_TALLIES).get(node.nodeId());
            return t == null ? 0 : t.packets();
        } catch (InvalidStateStoreException e) {
            return -1;
        }
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }
}
