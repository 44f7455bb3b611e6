package dev.qis.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.errors.Reason;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.Topics;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.testing.Packets;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The publisher's contract against a mock producer: what is sent where, and that a failed call commits nothing. */
class QisPublisherTest {
    private MockProducer<String, byte[]> producer;
    private QisPublisher publisher;
    private final NodeIdentity alice = NodeIdentity.generate();
    private final NodeIdentity bob = NodeIdentity.generate();

    @BeforeEach
    void setUp() {
        producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        publisher = QisPublisher.withProducer(PublisherSettings.forBootstrap("unused:9092"), producer);
    }

    @Test
    void registersThenPublishesPacketsOfManyNodesKeyedByFingerprint() {
        publisher.register(alice);
        publisher.register(bob);
        publisher.register(alice);
        assertEquals(2, producer.history().size(), "a node is registered once per publisher");
        assertEquals(Topics.NODES, producer.history().get(0).topic());
        assertEquals(alice.nodeId(), producer.history().get(0).key());
        assertEquals(alice.nodeId(), ProtocolCodec.decodeNodeKey(producer.history().get(0).value()).getNodeId());

        List<SignedPacket> batch = List.of(Packets.seeded(1, alice), Packets.seeded(2, bob),
                Packets.seeded(3, alice));
        List<String> ids = publisher.publish(batch);
        assertEquals(batch.stream().map(SignedPacket::id).toList(), ids);
        List<ProducerRecord<String, byte[]>> sent = producer.history().subList(2, 5);
        for (int i = 0; i < batch.size(); i++) {
            SignedPacket p = batch.get(i);
            assertEquals("qis.outcomes." + p.fingerprint().value().charAt(0), sent.get(i).topic());
            assertEquals(p.fingerprint().value(), sent.get(i).key());
            assertTrue(Arrays.equals(p.bytes(), sent.get(i).value()));
        }
        assertEquals(3, producer.commitCount(), "one transaction per call");
    }

    @Test
    void anInvalidPacketInABatchSendsNothing() {
        publisher.register(alice);
        long commits = producer.commitCount();
        SignedPacket good = Packets.seeded(1, alice);
        byte[] tampered = Packets.seeded(2, alice).bytes().clone();
        tampered[tampered.length - 70] ^= 1;
        SignedPacket bad = new SignedPacket(Packets.seeded(2, alice).packet(), tampered);
        ProtocolException e = assertThrows(ProtocolException.class, () -> publisher.publish(List.of(good, bad)));
        assertTrue(e.getMessage().contains("packet 1"), e.getMessage());
        assertEquals(commits, producer.commitCount());
        assertEquals(1, producer.history().size(), "only the registration");
        assertFalse(producer.transactionInFlight());
    }

    @Test
    void anUnsignedPacketIsRefusedByTheProtocolsCheckNamingItsPlaceInTheBatch() {
        publisher.register(alice);
        long commits = producer.commitCount();
        SignedPacket signed = Packets.seeded(1, alice);
        OutcomePacket unsigned = OutcomePacket.newBuilder(signed.packet()).setSignature(ByteBuffer.allocate(0)).build();
        ProtocolException e = assertThrows(ProtocolException.class, () -> publisher.publish(List.of(signed,
                new SignedPacket(unsigned, ProtocolCodec.encode(unsigned)))));
        assertEquals(ReasonCode.BAD_SIGNATURE, e.reason());
        assertTrue(e.detail().startsWith("packet 1 (" + signed.id() + "): signature: not signed"), e.detail());
        assertEquals(commits, producer.commitCount());
        assertEquals(1, producer.history().size(), "only the registration");
    }

    @Test
    void packetsAndVotesBeforeTheProtocolEpochOrBeyondTheGainBoundAreRefused() {
        publisher.register(alice);
        long commits = producer.commitCount();
        SignedPacket old = resigned(Packets.seeded(1, alice), p -> p.setIssuedAt(Instant.parse("2000-01-01T00:00:00Z")));
        ProtocolException e = assertThrows(ProtocolException.class, () -> publisher.publish(List.of(old)));
        assertEquals(ReasonCode.INVALID_FIELD, e.reason());
        assertTrue(e.detail().contains("issued_at") && e.detail().contains("protocol epoch"), e.detail());

        SignedPacket extreme = resigned(Packets.seeded(2, alice), p -> {
            p.getOutcome().setBaselineScore(1e-9);
            p.getOutcome().setOutcomeScore(1e303);
        });
        e = assertThrows(ProtocolException.class, () -> publisher.publish(List.of(extreme)));
        assertEquals(ReasonCode.INVALID_FIELD, e.reason());
        assertTrue(e.detail().contains("outcome_score") && e.detail().contains("relative gain"), e.detail());

        SignedReport vote = new ValidationReportBuilder().packetId(Packets.seeded(1, alice).id())
                .observedScore(0.52).nEvalSamples(50).sign(alice);
        ValidationReport oldVote = ValidationReport.newBuilder(vote.report()).setIssuedAt(Instant.EPOCH).build();
        oldVote.setReportId(ValidationReportBuilder.computeId(oldVote));
        oldVote.setSignature(ByteBuffer.wrap(alice.sign(ProtocolCodec.canonical(oldVote, true))));
        e = assertThrows(ProtocolException.class,
                () -> publisher.publishVote(new SignedReport(oldVote, ProtocolCodec.encode(oldVote))));
        assertEquals(ReasonCode.INVALID_FIELD, e.reason());
        assertTrue(e.detail().contains("issued_at"), e.detail());

        assertEquals(commits, producer.commitCount());
        assertEquals(1, producer.history().size(), "only the registration");
    }

    /** A packet changed after sealing and signed again, so only the field rules can refuse it. */
    private SignedPacket resigned(SignedPacket p, Consumer<OutcomePacket> change) {
        OutcomePacket copy = OutcomePacket.newBuilder(p.packet()).build();
        change.accept(copy);
        copy.setPacketId(OutcomePacketBuilder.computeId(copy));
        copy.setSignature(ByteBuffer.wrap(alice.sign(ProtocolCodec.canonical(copy, true))));
        return new SignedPacket(copy, ProtocolCodec.encode(copy));
    }

    @Test
    void aPacketOfAnUnregisteredNodeIsRefused() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> publisher.publish(List.of(Packets.seeded(1, alice))));
        assertEquals(ReasonCode.UNKNOWN_NODE, e.reason());
        assertTrue(producer.history().isEmpty());
    }

    @Test
    void aBrokerFailureAtCommitAbortsTheWholeBatch() {
        publisher.register(alice);
        producer.commitTransactionException = new KafkaException("broker went away");
        List<SignedPacket> batch = List.of(Packets.seeded(1, alice), Packets.seeded(2, alice));
        PublishException e = assertThrows(PublishException.class, () -> publisher.publish(batch));
        assertTrue(e.getMessage().contains("nothing was committed"), e.getMessage());
        assertEquals(Reason.SEND_FAILED, e.reason());
        assertEquals(1, e.exitCode(), "a failure at run time");
        assertTrue(producer.transactionAborted());
        assertEquals(1, producer.history().size(), "the aborted records are not in the committed history");

        producer.commitTransactionException = null;
        assertEquals(2, publisher.publish(batch).size(), "the publisher is usable after an aborted call");
        assertEquals(3, producer.history().size());
    }

    @Test
    void draftsAreSealedWithTheNodeAndItIsRegisteredFirst() {
        var draft = Packets.seeded(7, bob).packet();
        List<String> ids = publisher.publish(alice, List.of(draft));
        assertEquals(Topics.NODES, producer.history().get(0).topic());
        assertEquals(alice.nodeId(), ProtocolCodec.decodePacket(producer.history().get(1).value()).getNodeId());
        assertEquals(ProtocolCodec.decodePacket(producer.history().get(1).value()).getPacketId(), ids.get(0));
    }

    @Test
    void votesGoToTheVotesTopicKeyedByThePacketsFingerprint() {
        publisher.register(bob);
        SignedPacket p = Packets.seeded(1, alice);
        SignedReport vote = new ValidationReportBuilder().packetId(p.id()).observedScore(0.52).nEvalSamples(50).sign(bob);
        assertEquals(vote.id(), publisher.publishVote(vote));
        ProducerRecord<String, byte[]> r = producer.history().get(1);
        assertEquals(Topics.VOTES, r.topic());
        assertEquals(p.fingerprint().value(), r.key());
    }

    @Test
    void aVoteFromAnUnregisteredReporterIsRefused() {
        SignedPacket p = Packets.seeded(1, alice);
        SignedReport vote = new ValidationReportBuilder().packetId(p.id()).observedScore(0.52).nEvalSamples(50).sign(bob);
        ProtocolException e = assertThrows(ProtocolException.class, () -> publisher.publishVote(vote));
        assertEquals(ReasonCode.UNKNOWN_NODE, e.reason());
        assertTrue(producer.history().isEmpty());
    }

    @Test
    void callsFromManyThreadsAreAllPublished() throws Exception {
        List<NodeIdentity> nodes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            nodes.add(NodeIdentity.generate());
        }
        publisher.register(nodes);
        assertEquals(1, producer.commitCount(), "a population registers in one transaction");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<List<String>>> calls = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                NodeIdentity node = nodes.get(t);
                int base = t * 10;
                calls.add(pool.submit(() -> {
                    List<SignedPacket> batch = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        batch.add(Packets.seeded(base + i, node));
                    }
                    return publisher.publish(batch);
                }));
            }
            Set<String> ids = new HashSet<>();
            for (Future<List<String>> call : calls) {
                ids.addAll(call.get(30, TimeUnit.SECONDS));
            }
            assertEquals(80, ids.size());
            assertEquals(8 + 80, producer.history().size());
        } finally {
            pool.shutdownNow();
        }
    }
}
