package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Properties;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A routed packet whose domain has no topic (past the cap, or not created in time) lands on the overflow topic. */
class DomainOverflowTest {
    @TempDir
    Path stateDir;

    @Test
    void aPacketWithoutADomainTopicIsWrittenWholeToTheOverflowTopic() {
        Properties props = new QisConfig(new Properties()).streamsProperties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "qis-overflow");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        DomainTopics noneCreated = domain -> Topics.DOMAIN_OVERFLOW;
        try (TopologyTestDriver driver = new TopologyTestDriver(QisTopology.build(new QisConfig(new Properties()),
                Clock.fixed(Fixtures.NOW, ZoneOffset.UTC), noneCreated), props, Fixtures.NOW)) {
            NodeIdentity alice = NodeIdentity.generate();
            driver.createInputTopic(Topics.NODES, new StringSerializer(), new ByteArraySerializer())
                    .pipeInput(alice.nodeId(), Fixtures.nodeKey(alice));
            SignedPacket p = Fixtures.typical(alice);
            driver.createInputTopic(Topics.outcomes(p.fingerprint()), new ByteArraySerializer(), new ByteArraySerializer())
                    .pipeInput(p.fingerprint().value().getBytes(StandardCharsets.UTF_8), p.bytes());

            TestOutputTopic<String, byte[]> overflow = driver.createOutputTopic(Topics.DOMAIN_OVERFLOW,
                    new StringDeserializer(), new ByteArrayDeserializer());
            TestRecord<String, byte[]> routed = overflow.readRecord();
            assertEquals(p.fingerprint().value(), routed.key());
            assertArrayEquals(p.bytes(), routed.value(), "the signed packet, its task inside");
            assertEquals(p.domain(), ProtocolCodec.decodePacket(routed.value()).getContext().getTask());
            assertTrue(routed.headers().lastHeader(Topics.HEADER_FIDELITY) != null, "with the usual headers");
            assertTrue(overflow.isEmpty());
        }
    }
}
