package dev.qis.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.ReasonCode;
import org.junit.jupiter.api.Test;

class OutcomePacketBuilderTest {
    private final NodeIdentity node = NodeIdentity.generate();

    @Test
    void typicalPacketIsWellUnderTheLimit() {
        SignedPacket p = TestPackets.typical().informedBy("dae8b686abc90040-0123456789abcdef").sign(node);
        assertTrue(p.bytes().length <= ProtocolCodec.MAX_PACKET_BYTES, p.bytes().length + " bytes");
        assertEquals("8ff8bb6992657811", p.fingerprint().value());
        assertTrue(p.id().startsWith("8ff8bb6992657811-"));
        assertEquals(node.nodeId(), p.packet().getNodeId());
    }

    @Test
    void everyFieldAtItsMaximumIsRefusedAsOversize() {
        OutcomePacketBuilder b = new OutcomePacketBuilder()
                .family("f".repeat(32)).task("t".repeat(32)).dataScale(DataScale.GT_100K)
                .benchmark("b".repeat(64)).metric("m".repeat(32)).baselineScore(1).outcomeScore(2)
                .methodType("x".repeat(32)).nEvalSamples(Integer.MAX_VALUE).confidence(1);
        for (int i = 0; i < FieldRules.MAX_TAGS; i++) {
            b.tag(i + "t".repeat(31));
        }
        for (int i = 0; i < FieldRules.MAX_HYPERPARAMS; i++) {
            b.hyperparam(Integer.toHexString(i) + "k".repeat(31), "v".repeat(64));
        }
        for (int i = 0; i < FieldRules.MAX_INFORMED_BY; i++) {
            b.informedBy("dae8b686abc90040-000000000000000" + i);
        }
        ProtocolException e = assertThrows(ProtocolException.class, () -> b.sign(node));
        assertEquals(ReasonCode.OVERSIZE, e.reason());
        assertTrue(e.getMessage().contains("512"), e.getMessage());
    }

    @Test
    void missingFieldIsNamed() {
        ProtocolException e = assertThrows(ProtocolException.class,
                () -> TestPackets.typical().confidence(Double.NaN).sign(node));
        assertEquals("confidence", e.field());
        ProtocolException missing = assertThrows(ProtocolException.class,
                () -> new OutcomePacketBuilder().family("llama").sign(node));
        assertEquals(ReasonCode.INVALID_FIELD, missing.reason());
        assertEquals("task", missing.field());
    }

    @Test
    void duplicateTagsAndUnsupportedHyperparamsAreRefused() {
        assertEquals("tags", assertThrows(ProtocolException.class,
                () -> TestPackets.typical().tag("healthcare").sign(node)).field());
        assertEquals("hyperparams.opt", assertThrows(ProtocolException.class,
                () -> TestPackets.typical().hyperparam("opt", new Object())).field());
        assertEquals("hyperparams.lr", assertThrows(ProtocolException.class,
                () -> TestPackets.typical().hyperparam("lr", Double.NaN).sign(node)).field());
    }

    @Test
    void idIsDeterministicAndCoversTheContent() {
        String a = TestPackets.typical().sign(node).id();
        assertEquals(a, TestPackets.typical().sign(node).id());
        String b = TestPackets.typical().outcomeScore(70.0).sign(node).id();
        assertTrue(!a.equals(b));
        assertEquals(a.substring(0, 16), b.substring(0, 16));
    }
}
