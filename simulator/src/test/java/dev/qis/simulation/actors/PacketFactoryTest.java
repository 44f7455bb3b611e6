package dev.qis.simulation.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.simulation.SimulationConfig;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.World;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PacketFactoryTest {
    private final SimulationConfig config = SimulationConfig.defaults().withNodes(10).withDomains(2);
    private final World world = World.generate(config, new SplittableRandom(1));
    private final Population population = Population.generate(world, config, new SplittableRandom(2));
    private final SimNode node = population.nodes().get(0);
    private final NodeIdentity victim = population.nodes().get(1).identity();
    private final NodeIdentity forger = population.nodes().get(2).identity();
    private final Map<String, PublicKey> registered = new HashMap<>();
    private final PacketVerifier verifier = new PacketVerifier(id -> Optional.ofNullable(registered.get(id)),
            Clock.systemUTC());
    private final PacketFactory factory = new PacketFactory(Clock.systemUTC());

    PacketFactoryTest() {
        for (NodeIdentity id : population.identities()) {
            registered.put(id.nodeId(), id.publicKey());
        }
    }

    private SignedPacket packet(NodeIdentity signer, double gain) {
        return factory.outcome(signer, node.domain(), node.family(), node, new Configuration("LoRA", 16, 2e-4, 2), gain,
                500, 0.6, List.of());
    }

    private ReasonCode rejection(byte[] bytes) {
        Verdict<OutcomePacket> v = verifier.verifyPacket(bytes, PacketHistory.NONE);
        return assertInstanceOf(Verdict.Rejected.class, v).reason();
    }

    @Test
    void anHonestPacketCarriesTheClaimedGainAndVerifies() {
        SignedPacket p = packet(node.identity(), 0.073);
        assertInstanceOf(Verdict.Accepted.class, verifier.verifyPacket(p.bytes(), PacketHistory.NONE));
        assertEquals(0.073, PacketFactory.claimedGain(p.packet()), 1e-12);
        assertEquals(node.domain().name(), p.domain());
    }

    @Test
    void aForgedPacketFailsTheVerifierWithBadSignature() {
        SignedPacket valid = packet(forger, 0.4);
        byte[] forged = PacketFactory.forge(valid, victim.nodeId(), forger);
        OutcomePacket decoded = ProtocolCodec.decodePacket(forged);
        assertEquals(victim.nodeId(), decoded.getNodeId());
        assertEquals(ReasonCode.BAD_SIGNATURE, rejection(forged));
    }

    @Test
    void aTamperedReplayKeepingTheIdFailsWithIdMismatch() {
        SignedPacket original = packet(node.identity(), 0.05);
        byte[] tampered = PacketFactory.tamper(original, 0.3, true);
        assertEquals(original.id(), ProtocolCodec.decodePacket(tampered).getPacketId());
        assertEquals(ReasonCode.ID_MISMATCH, rejection(tampered));
    }

    @Test
    void aTamperedReplayWithARecomputedIdFailsWithBadSignature() {
        SignedPacket original = packet(node.identity(), 0.05);
        byte[] tampered = PacketFactory.tamper(original, 0.3, false);
        assertNotEquals(original.id(), ProtocolCodec.decodePacket(tampered).getPacketId());
        assertEquals(ReasonCode.BAD_SIGNATURE, rejection(tampered));
    }

    @Test
    void aByteIdenticalReplayIsADuplicateNotAnError() {
        SignedPacket original = packet(node.identity(), 0.05);
        var accepted = assertInstanceOf(Verdict.Accepted.class, verifier.verifyPacket(original.bytes(), PacketHistory.NONE));
        byte[] hash = accepted.contentHash();
        assertInstanceOf(Verdict.Duplicate.class,
                verifier.verifyPacket(original.bytes().clone(), id -> id.equals(original.id()) ? Optional.of(hash) : Optional.empty()));
    }

    @Test
    void eightCitationsStillFitIn512Bytes() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            ids.add(packet(node.identity(), 0.01 * i).id());
        }
        SignedPacket p = factory.outcome(node.identity(), node.domain(), "llama-3-8b", node,
                new Configuration("QLoRA", 32, 5e-4, 3), 0.1234567891, 1999, 0.87, ids);
        assertTrue(p.bytes().length <= ProtocolCodec.MAX_PACKET_BYTES, p.bytes().length + " bytes");
        assertEquals(ids, p.packet().getInformedBy(), "no citation had to be dropped");
    }
}
