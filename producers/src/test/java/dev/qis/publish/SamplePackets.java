package dev.qis.publish;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.avro.DataScale;
import java.time.Instant;

/** Valid signed packets that differ by a seed, so their contexts land on different fingerprints and topics. */
final class SamplePackets {
    private SamplePackets() {
    }

    static OutcomePacketBuilder builder(int seed) {
        return new OutcomePacketBuilder()
                .family("llama-3-8b")
                .task("task-" + (seed % 3))
                .tag("t" + seed)
                .dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("bench").metric("accuracy")
                .baselineScore(0.5).outcomeScore(0.5 + seed / 1000.0)
                .methodType("LoRA").hyperparam("r", 16)
                .nEvalSamples(100 + seed).confidence(0.8)
                .issuedAt(Instant.now());
    }

    static SignedPacket signed(int seed, NodeIdentity node) {
        return builder(seed).sign(node);
    }
}
