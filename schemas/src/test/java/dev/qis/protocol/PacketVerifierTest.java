package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import java.nio.ByteBuffer;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PacketVerifierTest {
    static final NodeIdentity ALICE = NodeIdentity.generate();
    static final NodeIdentity MALLORY = NodeIdentity.generate();
    static final Clock CLOCK = Clock.fixed(TestPackets.ISSUED.plusSeconds(60), ZoneOffset.UTC);

    private final Map<String, PublicKey> registered = new HashMap<>(Map.of(ALICE.nodeId(), ALICE.publicKey()));
    private final PacketVerifier verifier = new PacketVerifier(id -> Optional.ofNullable(registered.get(id)), CLOCK);

    static Stream<Arguments> badInputs() {
        return Stream.of(
            bad("empty bytes", ReasonCode.MALFORMED, p -> new byte[0]),
            bad("random bytes", ReasonCode.MALFORMED, p -> "{\"not\":\"avro\"}".getBytes()),
            bad("truncated", ReasonCode.MALFORMED, p -> java.util.Arrays.copyOf(p.bytes(), 40)),
            bad("unknown schema fingerprint", ReasonCode.UNKNOWN_SCHEMA, p -> flip(p.bytes(), 3)),
            bad("over 512 bytes", ReasonCode.OVERSIZE, p -> new byte[513]),
            bad("NaN outcome score", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getOutcome().setOutcomeScore(Double.NaN))),
            bad("infinite baseline", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getOutcome().setBaselineScore(Double.POSITIVE_INFINITY))),
            bad("issued in 1970", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.setIssuedAt(Instant.EPOCH))),
            bad("issued in 2000", ReasonCode.INVALID_FIELD,
                p -> resign(p, x -> x.setIssuedAt(Instant.parse("2000-01-01T00:00:00Z")))),
            bad("outcome 1e303 over a tiny baseline", ReasonCode.INVALID_FIELD, p -> resign(p, x -> {
                x.getOutcome().setBaselineScore(1e-9);
                x.getOutcome().setOutcomeScore(1e303);
            })),
            bad("confidence above 1", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getValidation().setConfidence(1.5))),
            bad("n_eval zero", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getValidation().setNEvalSamples(0))),
            bad("tag with a space", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getContext().getTags().set(0, "bad tag"))),
            bad("upper-case task", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getContext().setTask("Summarize"))),
            bad("informed_by not an id", ReasonCode.INVALID_FIELD, p -> resign(p, x -> x.getInformedBy().add("nope"))),
            bad("wrong packet id", ReasonCode.ID_MISMATCH, p -> withId(p, "8ff8bb6992657811-0000000000000000")),
            bad("id of another context", ReasonCode.ID_MISMATCH, p -> withId(p, "dae8b686abc90040" + p.id().substring(16))),
            bad("unregistered node", ReasonCode.UNKNOWN_NODE, p -> TestPackets.typical().sign(MALLORY).bytes()),
            bad("forged signature", ReasonCode.BAD_SIGNATURE, p -> forge(p)),
            bad("one tampered signature byte", ReasonCode.BAD_SIGNATURE, p -> flip(p.bytes(), p.bytes().length - 1)),
            bad("one tampered content byte", ReasonCode.ID_MISMATCH, p -> tamperScore(p)),
            bad("ten minutes ahead", ReasonCode.FUTURE_TIMESTAMP,
                p -> TestPackets.typical().issuedAt(CLOCK.instant().plusSeconds(600)).sign(ALICE).bytes()));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badInputs")
    void everyBadInputIsRejectedWithItsReason(String name, ReasonCode expected, Function<SignedPacket, byte[]> corrupt) {
        byte[] bytes = corrupt.apply(TestPackets.typical().sign(ALICE));
        Verdict<OutcomePacket> verdict = verifier.verifyPacket(bytes, PacketHistory.NONE);
        Verdict.Rejected<OutcomePacket> rejected = assertInstanceOf(Verdict.Rejected.class, verdict, name);
        assertEquals(expected, rejected.reason(), name + ": " + rejected.detail());
        assertTrue(!rejected.detail().isBlank());
    }

    @Test
    void aValidPacketIsAccepted() {
        SignedPacket p = TestPackets.typical().sign(ALICE);
        var accepted = assertInstanceOf(Verdict.Accepted.class, verifier.verifyPacket(p.bytes(), PacketHistory.NONE));
        assertEquals(p.packet(), accepted.record());
    }

    @Test
    void aSwappedPublicKeyIsRejected() {
        registered.put(ALICE.nodeId(), MALLORY.publicKey());
        var rejected = assertInstanceOf(Verdict.Rejected.class,
                verifier.verifyPacket(TestPackets.typical().sign(ALICE).bytes(), PacketHistory.NONE));
        assertEquals(ReasonCode.BAD_SIGNATURE, rejected.reason());
    }

    @Test
    void aByteIdenticalDuplicateIsADuplicateNotACollision() {
        SignedPacket p = TestPackets.typical().sign(ALICE);
        var first = assertInstanceOf(Verdict.Accepted.class, verifier.verifyPacket(p.bytes(), PacketHistory.NONE));
        PacketHistory history = id -> id.equals(p.id()) ? Optional.of(first.contentHash()) : Optional.empty();
        assertInstanceOf(Verdict.Duplicate.class, verifier.verifyPacket(p.bytes().clone(), history));
    }

    @Test
    void sameIdWithDifferentContentIsACollision() {
        SignedPacket p = TestPackets.typical().sign(ALICE);
        PacketHistory history = id -> id.equals(p.id()) ? Optional.of(new byte[32]) : Optional.empty();
        var rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verifyPacket(p.bytes(), history));
        assertEquals(ReasonCode.ID_COLLISION, rejected.reason());
    }

    /**
     * The publisher's pre-send check ({@link PacketVerifier#checkSigned}) is the verifier's own rules: it refuses every
     * bad input the verifier refuses with the same reason, except what only the node's key can tell.
     */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badInputs")
    void thePublishersCheckRefusesWhatTheVerifierRefusesButForWhatOnlyTheKeyTells(String name, ReasonCode expected,
                                                                                  Function<SignedPacket, byte[]> corrupt) {
        byte[] bytes = corrupt.apply(TestPackets.typical().sign(ALICE));
        if (expected == ReasonCode.UNKNOWN_NODE || expected == ReasonCode.BAD_SIGNATURE) {
            assertEquals(ProtocolCodec.decodePacket(bytes), verifier.checkSigned(bytes), name);
        } else {
            ProtocolException e = assertThrows(ProtocolException.class, () -> verifier.checkSigned(bytes), name);
            assertEquals(expected, e.reason(), name + ": " + e.detail());
        }
    }

    @Test
    void aPacketOrReportWithoutASignatureFailsThePublishersCheck() {
        OutcomePacket unsigned = OutcomePacket.newBuilder(TestPackets.typical().sign(ALICE).packet())
                .setSignature(ByteBuffer.allocate(0)).build();
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> verifier.checkSigned(ProtocolCodec.encode(unsigned)));
        assertEquals(ReasonCode.BAD_SIGNATURE, e.reason());
        assertTrue(e.detail().contains("0 bytes"), e.detail());

        ValidationReport report = ValidationReport.newBuilder(new ValidationReportBuilder()
                .packetId("8ff8bb6992657811-0123456789abcdef").observedScore(66.0).nEvalSamples(100)
                .issuedAt(TestPackets.ISSUED).sign(ALICE).report()).build();
        assertEquals(report, verifier.checkSignedReport(ProtocolCodec.encode(report)));
        report.setSignature(ByteBuffer.allocate(63));
        assertEquals(ReasonCode.BAD_SIGNATURE, assertThrows(ProtocolException.class,
                () -> verifier.checkSignedReport(ProtocolCodec.encode(report))).reason());
    }

    @Test
    void reportsAreVerifiedToo() {
        SignedReport report = new ValidationReportBuilder().packetId("8ff8bb6992657811-0123456789abcdef")
                .observedScore(66.0).nEvalSamples(100).issuedAt(TestPackets.ISSUED).sign(ALICE);
        assertInstanceOf(Verdict.Accepted.class, verifier.verifyReport(report.bytes()));

        ValidationReport forged = ValidationReport.newBuilder(report.report()).setObservedScore(99.0).build();
        var rejected = assertInstanceOf(Verdict.Rejected.class, verifier.verifyReport(ProtocolCodec.encode(forged)));
        assertEquals(ReasonCode.ID_MISMATCH, rejected.reason());

        SignedReport stranger = new ValidationReportBuilder().packetId("8ff8bb6992657811-0123456789abcdef")
                .observedScore(66.0).nEvalSamples(100).issuedAt(TestPackets.ISSUED).sign(MALLORY);
        assertEquals(ReasonCode.UNKNOWN_NODE,
                assertInstanceOf(Verdict.Rejected.class, verifier.verifyReport(stranger.bytes())).reason());
    }

    @Test
    void reportsAndKeysFromBeforeTheProtocolEpochAreRejected() {
        ValidationReport old = ValidationReport.newBuilder(new ValidationReportBuilder()
                .packetId("8ff8bb6992657811-0123456789abcdef").observedScore(66.0).nEvalSamples(100)
                .issuedAt(TestPackets.ISSUED).sign(ALICE).report()).setIssuedAt(Instant.EPOCH).build();
        old.setReportId(ValidationReportBuilder.computeId(old));
        old.setSignature(ByteBuffer.wrap(ALICE.sign(ProtocolCodec.canonical(old, true))));
        var report = assertInstanceOf(Verdict.Rejected.class, verifier.verifyReport(ProtocolCodec.encode(old)));
        assertEquals(ReasonCode.INVALID_FIELD, report.reason());
        assertTrue(report.detail().startsWith("issued_at: "), report.detail());

        var key = assertInstanceOf(Verdict.Rejected.class, PacketVerifier.verifyNodeKey(
                ProtocolCodec.encode(ALICE.nodeKey(Instant.parse("2000-01-01T00:00:00Z")))));
        assertEquals(ReasonCode.INVALID_FIELD, key.reason());
        assertTrue(key.detail().startsWith("registered_at: "), key.detail());
    }

    @Test
    void nodeKeysMustHashToTheirId() {
        var key = ALICE.nodeKey(TestPackets.ISSUED);
        assertInstanceOf(Verdict.Accepted.class, PacketVerifier.verifyNodeKey(ProtocolCodec.encode(key)));
        key.setNodeId(MALLORY.nodeId());
        assertEquals(ReasonCode.ID_MISMATCH, assertInstanceOf(Verdict.Rejected.class,
                PacketVerifier.verifyNodeKey(ProtocolCodec.encode(key))).reason());
    }

    private static Arguments bad(String name, ReasonCode reason, Function<SignedPacket, byte[]> corrupt) {
        return Arguments.of(name, reason, corrupt);
    }

    private static byte[] flip(byte[] bytes, int index) {
        byte[] copy = bytes.clone();
        copy[index] ^= 0x01;
        return copy;
    }

    /** Changes a field and signs again with a valid key, so that only the field rule can catch it. */
    private static byte[] resign(SignedPacket p, java.util.function.Consumer<OutcomePacket> change) {
        OutcomePacket copy = OutcomePacket.newBuilder(p.packet()).build();
        change.accept(copy);
        copy.setPacketId(OutcomePacketBuilder.computeId(copy));
        copy.setSignature(ByteBuffer.wrap(ALICE.sign(ProtocolCodec.canonical(copy, true))));
        return ProtocolCodec.encode(copy);
    }

    private static byte[] withId(SignedPacket p, String id) {
        OutcomePacket copy = OutcomePacket.newBuilder(p.packet()).setPacketId(id).build();
        copy.setSignature(ByteBuffer.wrap(ALICE.sign(ProtocolCodec.canonical(copy, true))));
        return ProtocolCodec.encode(copy);
    }

    private static byte[] forge(SignedPacket p) {
        OutcomePacket copy = OutcomePacket.newBuilder(p.packet()).build();
        copy.setSignature(ByteBuffer.wrap(MALLORY.sign(ProtocolCodec.canonical(copy, true))));
        return ProtocolCodec.encode(copy);
    }

    /** Flips the lowest bit of the outcome score on the wire: it decodes, but no longer hashes to the id. */
    private static byte[] tamperScore(SignedPacket p) {
        byte[] score = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putDouble(p.packet().getOutcome().getOutcomeScore()).array();
        byte[] bytes = p.bytes().clone();
        for (int i = 0; i + 8 <= bytes.length; i++) {
            if (java.util.Arrays.equals(bytes, i, i + 8, score, 0, 8)) {
                bytes[i] ^= 0x01;
                return bytes;
            }
        }
        throw new AssertionError("outcome score not found on the wire");
    }
}
