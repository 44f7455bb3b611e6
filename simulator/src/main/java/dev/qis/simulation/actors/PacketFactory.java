package dev.qis.simulation.actors;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.FidelityParams;
import dev.qis.protocol.Digests;
import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.ProtocolException;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.simulation.world.Configuration;
import dev.qis.simulation.world.Domain;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Turns a node's decisions into wire bytes: honest packets and votes, and the Byzantine forgeries and tamperings. */
public final class PacketFactory {
    static final String BENCHMARK = "sim";
    static final String METRIC = "acc";

    private static final Elections ELECTIONS = new Elections(FidelityParams.DEFAULTS);

    private final Clock clock;

    public PacketFactory(Clock clock) {
        this.clock = clock;
    }

    /**
     * A signed packet claiming {@code claimedGain} (relative to the domain baseline) for a configuration. When the
     * citations push it over 512 bytes, the last ones are dropped until it fits.
     */
    public SignedPacket outcome(NodeIdentity signer, Domain domain, String family, SimNode node, Configuration c,
            double claimedGain, int nEval, double confidence, List<String> informedBy) {
        List<String> cited = new ArrayList<>(informedBy);
        while (true) {
            try {
                return new OutcomePacketBuilder()
                        .family(family).task(domain.name()).tags(domain.tags()).dataScale(node.dataScale())
                        .benchmark(BENCHMARK).metric(METRIC)
                        .baselineScore(domain.baselineScore())
                        .outcomeScore(domain.baselineScore() * (1 + claimedGain))
                        .higherIsBetter(true)
                        .methodType(c.method()).hyperparams(c.hyperparams())
                        .heldOutEval(true).nEvalSamples(nEval).confidence(confidence)
                        .informedBy(cited)
                        .issuedAt(clock.instant())
                        .sign(signer);
            } catch (ProtocolException e) {
                if (e.reason() != ReasonCode.OVERSIZE || cited.isEmpty()) {
                    throw e;
                }
                cited.remove(cited.size() - 1);
            }
        }
    }

    /** A VOTE: the gain the voter observed on its own eval, against its own baseline. */
    public SignedReport vote(NodeIdentity voter, String packetId, double baseline, double observedGain, int nEval) {
        return new ValidationReportBuilder()
                .packetId(packetId)
                .observedScore(baseline * (1 + observedGain))
                .baselineScore(baseline)
                .nEvalSamples(nEval)
                .issuedAt(clock.instant())
                .sign(voter);
    }

    /**
     * A forgery: a valid packet re-issued under {@code victimNodeId} with a correct id for its new content, but
     * signed with the forger's key, which is not the key registered for the victim (BAD_SIGNATURE).
     */
    public static byte[] forge(SignedPacket valid, String victimNodeId, NodeIdentity forger) {
        OutcomePacket p = OutcomePacket.newBuilder(valid.packet()).setNodeId(victimNodeId).setPacketId("")
                .setSignature(ByteBuffer.allocate(0)).build();
        p.setPacketId(OutcomePacketBuilder.computeId(p));
        p.setSignature(ByteBuffer.wrap(forger.sign(ProtocolCodec.canonical(p, true))));
        return ProtocolCodec.encode(p);
    }

    /**
     * A tampered replay: a published packet with its outcome score raised by {@code boost} of the baseline. With
     * {@code keepId} the original id and signature ride along (the content no longer hashes to the id:
     * ID_MISMATCH); without it the id is recomputed but the old signature kept (BAD_SIGNATURE).
     */
    public static byte[] tamper(SignedPacket original, double boost, boolean keepId) {
        OutcomePacket p = OutcomePacket.newBuilder(original.packet()).build();
        double baseline = p.getOutcome().getBaselineScore();
        p.getOutcome().setOutcomeScore(p.getOutcome().getOutcomeScore() + boost * Math.abs(baseline));
        if (!keepId) {
            p.setPacketId(OutcomePacketBuilder.computeId(p));
        }
        return ProtocolCodec.encode(p);
    }

    /** The claimed relative gain of a packet, as the elections compute it. */
    public static double claimedGain(OutcomePacket p) {
        return ELECTIONS.gain(p.getOutcome().getBaselineScore(), p.getOutcome().getOutcomeScore(),
                p.getOutcome().getHigherIsBetter());
    }

    /** The SHA-256 of bytes in hex: how a sent packet is matched with its rejection. */
    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(Digests.sha256(bytes));
    }
}
