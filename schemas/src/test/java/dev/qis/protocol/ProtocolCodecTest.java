package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import dev.qis.protocol.avro.ValidationReport;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {
    private final NodeIdentity node = NodeIdentity.generate();

    @Test
    void packetRoundTrip() {
        SignedPacket signed = TestPackets.typical().informedBy("dae8b686abc90040-0123456789abcdef").sign(node);
        OutcomePacket decoded = ProtocolCodec.decodePacket(signed.bytes());
        assertEquals(signed.packet(), decoded);
        assertArrayEquals(ProtocolCodec.content(signed.packet()), ProtocolCodec.content(decoded));
        assertEquals(16L, decoded.getMethod().getHyperparams().get("r"));
        assertEquals(2e-4, decoded.getMethod().getHyperparams().get("lr"));
    }

    @Test
    void wireFormatIsAvroSingleObjectEncoding() {
        byte[] bytes = TestPackets.typical().sign(node).bytes();
        assertEquals((byte) 0xC3, bytes[0]);
        assertEquals((byte) 0x01, bytes[1]);
        long fp = SchemaNormalization.parsingFingerprint64(OutcomePacket.getClassSchema());
        long onWire = ByteBuffer.wrap(bytes, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(fp, onWire);
    }

    @Test
    void reportRoundTrip() {
        SignedReport signed = new ValidationReportBuilder().packetId("8ff8bb6992657811-0123456789abcdef")
                .observedScore(67.0).baselineScore(60.0).nEvalSamples(200).sign(node);
        ValidationReport decoded = ProtocolCodec.decodeReport(signed.bytes());
        assertEquals(signed.report(), decoded);
        assertEquals("8ff8bb6992657811", signed.fingerprint().value());
    }

    @Test
    void nodeKeyRoundTrip() {
        NodeKey key = node.nodeKey(Instant.parse("2026-11-01T00:00:00Z"));
        assertEquals(key, ProtocolCodec.decodeNodeKey(ProtocolCodec.encode(key)));
    }

    @Test
    void rejectionRoundTrip() {
        Rejection r = Rejection.newBuilder().setReason(ReasonCode.BAD_SIGNATURE).setDetail("signature: forged")
                .setSourceTopic("qis.outcomes.8").setSourcePartition(3).setSourceOffset(42L)
                .setOriginalKey(ByteBuffer.wrap(new byte[] {1, 2})).setOriginalValue(ByteBuffer.wrap(new byte[] {3}))
                .setRejectedAt(Instant.parse("2026-11-01T00:00:00Z")).build();
        assertEquals(r, ProtocolCodec.decodeRejection(ProtocolCodec.encode(r)));
    }

    @Test
    void canonicalBytesIgnoreMapOrder() {
        OutcomePacket p = TestPackets.typical().sign(node).packet();
        Map<String, Object> reversed = new LinkedHashMap<>();
        var keys = new java.util.ArrayList<>(p.getMethod().getHyperparams().keySet());
        java.util.Collections.reverse(keys);
        keys.forEach(k -> reversed.put(k, p.getMethod().getHyperparams().get(k)));
        OutcomePacket shuffled = OutcomePacket.newBuilder(p).build();
        shuffled.getMethod().setHyperparams(reversed);
        assertArrayEquals(ProtocolCodec.canonical(p, false), ProtocolCodec.canonical(shuffled, false));
        assertArrayEquals(ProtocolCodec.content(p), ProtocolCodec.content(shuffled));
    }

    @Test
    void trailingBytesAreMalformed() {
        byte[] bytes = TestPackets.typical().sign(node).bytes();
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolCodec.decodePacket(longer));
        assertEquals(ReasonCode.MALFORMED, e.reason());
    }

    @Test
    void unknownSchemaFingerprintIsUnknownSchema() {
        byte[] bytes = TestPackets.typical().sign(node).bytes();
        bytes[5] ^= 0x5a;
        ProtocolException e = assertThrows(ProtocolException.class, () -> ProtocolCodec.decodePacket(bytes));
        assertEquals(ReasonCode.UNKNOWN_SCHEMA, e.reason());
    }

    @Test
    void everyCurrentSchemaHasShipped() {
        var shipped = new HashSet<Long>();
        for (Schema s : ProtocolSchemas.shipped()) {
            shipped.add(SchemaNormalization.parsingFingerprint64(s));
        }
        for (Schema s : ProtocolSchemas.current()) {
            assertTrue(shipped.contains(SchemaNormalization.parsingFingerprint64(s)),
                    s.getFullName() + " changed: add its new version to dev/qis/protocol/shipped/index.txt");
        }
    }
}
