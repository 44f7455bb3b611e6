package dev.qis.protocol;

import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The one entry point from bytes to a verified record: size, decoding, field rules, timestamp, id, node,
 * signature and identity, in that order, each failure with its reason code.
 */
public final class PacketVerifier {
    /** How far ahead of this clock a record's timestamp may be. */
    public static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final NodeDirectory nodes;
    private final Clock clock;

    public PacketVerifier(NodeDirectory nodes, Clock clock) {
        this.nodes = nodes;
        this.clock = clock;
    }

    public Verdict<OutcomePacket> verifyPacket(byte[] bytes, PacketHistory history) {
        try {
            OutcomePacket packet = decodePacket(bytes);
            checkSignature(packet.getNodeId(), ProtocolCodec.canonical(packet, true), packet.getSignature());
            byte[] contentHash = Digests.sha256(ProtocolCodec.content(packet));
            Optional<byte[]> seen = history.contentHash(packet.getPacketId());
            if (seen.isPresent()) {
                if (MessageDigest.isEqual(seen.get(), contentHash)) {
                    return new Verdict.Duplicate<>(packet);
                }
                throw new ProtocolException(ReasonCode.ID_COLLISION, "packet_id",
                        packet.getPacketId() + " is already taken by a packet with different content");
            }
            return new Verdict.Accepted<>(packet, contentHash);
        } catch (ProtocolException e) {
            return Verdict.Rejected.of(e);
        }
    }

    public Verdict<ValidationReport> verifyReport(byte[] bytes) {
        try {
            ValidationReport report = decodeReport(bytes);
            checkSignature(report.getNodeId(), ProtocolCodec.canonical(report, true), report.getSignature());
            return new Verdict.Accepted<>(report, Digests.sha256(ProtocolCodec.canonical(report, true)));
        } catch (ProtocolException e) {
            return Verdict.Rejected.of(e);
        }
    }

    /**
     * The checks of {@link #verifyPacket} that need neither the node's key nor the history — size, decoding, field
     * rules, timestamp, id — and a signature of Ed25519's length, not verified. For a publisher that signed the
     * packet itself: the stream app verifies the signature against the registered key.
     *
     * @throws ProtocolException naming the reason and the field at fault
     */
    public OutcomePacket checkSigned(byte[] bytes) {
        OutcomePacket packet = decodePacket(bytes);
        checkSignatureLength(packet.getSignature());
        return packet;
    }

    /** {@link #checkSigned(byte[])} for a report: everything {@link #verifyReport} checks but the signature. */
    public ValidationReport checkSignedReport(byte[] bytes) {
        ValidationReport report = decodeReport(bytes);
        checkSignatureLength(report.getSignature());
        return report;
    }

    private OutcomePacket decodePacket(byte[] bytes) {
        checkSize(bytes);
        OutcomePacket packet = ProtocolCodec.decodePacket(bytes);
        FieldRules.check(packet);
        checkNotFuture(packet.getIssuedAt());
        String expected = OutcomePacketBuilder.computeId(packet);
        if (!expected.equals(packet.getPacketId())) {
            throw new ProtocolException(ReasonCode.ID_MISMATCH, "packet_id",
                    "carries " + FieldRules.quote(packet.getPacketId()) + " but its content hashes to " + expected);
        }
        return packet;
    }

    private ValidationReport decodeReport(byte[] bytes) {
        checkSize(bytes);
        ValidationReport report = ProtocolCodec.decodeReport(bytes);
        FieldRules.check(report);
        checkNotFuture(report.getIssuedAt());
        String expected = ValidationReportBuilder.computeId(report);
        if (!expected.equals(report.getReportId())) {
            throw new ProtocolException(ReasonCode.ID_MISMATCH, "report_id",
                    "carries " + FieldRules.quote(report.getReportId()) + " but its content hashes to " + expected);
        }
        return report;
    }

    private static void checkSignatureLength(ByteBuffer signature) {
        if (signature.remaining() != Ed25519.SIGNATURE_BYTES) {
            throw new ProtocolException(ReasonCode.BAD_SIGNATURE, "signature", "not signed (the signature has "
                    + signature.remaining() + " bytes, not " + Ed25519.SIGNATURE_BYTES + ")");
        }
    }

    /** A key registration is valid when its node id is the hash of its key and the key is a valid point. */
    public static Verdict<NodeKey> verifyNodeKey(byte[] bytes) {
        try {
            checkSize(bytes);
            NodeKey key = ProtocolCodec.decodeNodeKey(bytes);
            FieldRules.check(key);
            byte[] raw = toArray(key.getPublicKey());
            Ed25519.publicKey(raw);
            String expected = Ed25519.nodeIdOf(raw);
            if (!expected.equals(key.getNodeId())) {
                throw new ProtocolException(ReasonCode.ID_MISMATCH, "node_id",
                        "carries " + FieldRules.quote(key.getNodeId()) + " but its key hashes to " + expected);
            }
            return new Verdict.Accepted<>(key, Digests.sha256(raw));
        } catch (ProtocolException e) {
            return Verdict.Rejected.of(e);
        }
    }

    private static void checkSize(byte[] bytes) {
        if (bytes != null && bytes.length > ProtocolCodec.MAX_PACKET_BYTES) {
            throw new ProtocolException(ReasonCode.OVERSIZE, null,
                    bytes.length + " bytes; the limit is " + ProtocolCodec.MAX_PACKET_BYTES);
        }
    }

    private void checkNotFuture(Instant issuedAt) {
        Instant limit = clock.instant().plus(MAX_CLOCK_SKEW);
        if (issuedAt.isAfter(limit)) {
            throw new ProtocolException(ReasonCode.FUTURE_TIMESTAMP, "issued_at",
                    issuedAt + " is more than " + MAX_CLOCK_SKEW.toMinutes() + " minutes ahead of " + clock.instant());
        }
    }

    private void checkSignature(String nodeId, byte[] signed, ByteBuffer signature) {
        PublicKey key = nodes.publicKey(nodeId).orElseThrow(() -> new ProtocolException(ReasonCode.UNKNOWN_NODE,
                "node_id", nodeId + " has no key registered on the nodes topic"));
        if (!Ed25519.verify(key, signed, toArray(signature))) {
            throw new ProtocolException(ReasonCode.BAD_SIGNATURE, "signature",
                    "not a valid Ed25519 signature by node " + nodeId);
        }
    }

    static byte[] toArray(ByteBuffer buffer) {
        ByteBuffer dup = buffer.duplicate();
        byte[] bytes = new byte[dup.remaining()];
        dup.get(bytes);
        return bytes;
    }
}
