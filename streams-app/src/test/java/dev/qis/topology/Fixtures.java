package dev.qis.topology;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.DataScale;
import java.time.Instant;

/** Nodes, packets and reports for topology tests. */
final class Fixtures {
    static final Instant NOW = Instant.parse("2026-11-20T00:00:00Z");
    static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");

    private Fixtures() {
    }

    static byte[] nodeKey(NodeIdentity node) {
        return ProtocolCodec.encode(node.nodeKey(ISSUED));
    }

    static OutcomePacketBuilder packet(String task, double baseline, double outcome) {
        return new OutcomePacketBuilder()
                .family("llama-3-8b").task(task).tag("healthcare").tag("en-US")
                .dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("MedQA").metric("accuracy")
                .baselineScore(baseline).outcomeScore(outcome).higherIsBetter(true)
                .methodType("LoRA").hyperparam("r", 16L).hyperparam("lr", 2e-4)
                .heldOutEval(true).nEvalSamples(400).confidence(0.9)
                .issuedAt(ISSUED);
    }

    static SignedPacket typical(NodeIdentity node) {
        return packet("clinical-note-summarization", 60.0, 66.0).sign(node);
    }

    static SignedReport report(String packetId, double observed, Instant at, NodeIdentity reporter) {
        return new ValidationReportBuilder().packetId(packetId).observedScore(observed).nEvalSamples(200)
                .issuedAt(at).sign(reporter);
    }
}
