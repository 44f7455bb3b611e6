package dev.qis.bench;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.PacketHistory;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.DataScale;
import dev.qis.protocol.avro.OutcomePacket;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What ingest does for every record: decode a signed packet, check every field and its id, verify its signature. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PacketVerifyBenchmark {
    private static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");
    private PacketVerifier verifier;
    private byte[] bytes;

    @Setup
    public void setUp() {
        NodeIdentity node = NodeIdentity.generate();
        bytes = new OutcomePacketBuilder().family("llama-3-8b").task("clinical-note-summarization")
                .tag("healthcare").tag("SOAP-notes").tag("en-US").dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("soap-notes-heldout").metric("rougeL").baselineScore(0.351).outcomeScore(0.417)
                .methodType("QLoRA").hyperparam("lora_r", 16).hyperparam("learning_rate", 2e-4)
                .hyperparam("lora_alpha", 32).hyperparam("lr_scheduler_type", "cosine")
                .nEvalSamples(400).confidence(0.8).issuedAt(ISSUED).sign(node).bytes();
        verifier = new PacketVerifier(id -> id.equals(node.nodeId()) ? Optional.of(node.publicKey()) : Optional.empty(),
                Clock.fixed(ISSUED.plusSeconds(60), ZoneOffset.UTC));
        if (!(verifier.verifyPacket(bytes, PacketHistory.NONE) instanceof Verdict.Accepted<OutcomePacket>)) {
            throw new IllegalStateException("the benchmark's packet does not verify");
        }
    }

    @Benchmark
    public Verdict<OutcomePacket> decodeAndVerify() {
        return verifier.verifyPacket(bytes, PacketHistory.NONE);
    }
}
