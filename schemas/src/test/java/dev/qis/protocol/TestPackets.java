package dev.qis.protocol;

import dev.qis.protocol.avro.DataScale;
import java.time.Instant;

/** A typical packet, as a pipeline's end-of-run hook would publish it. */
final class TestPackets {
    static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");

    private TestPackets() {
    }

    static OutcomePacketBuilder typical() {
        return new OutcomePacketBuilder()
                .family("llama-3-8b")
                .task("clinical-note-summarization")
                .tag("healthcare").tag("SOAP-notes").tag("en-US")
                .dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("MedQA").metric("accuracy")
                .baselineScore(61.2).outcomeScore(68.5).higherIsBetter(true)
                .methodType("LoRA")
                .hyperparam("r", 16).hyperparam("alpha", 32).hyperparam("lr", 2e-4).hyperparam("epochs", 3)
                .heldOutEval(true).nEvalSamples(400).confidence(0.9)
                .issuedAt(ISSUED);
    }
}
