package dev.qis.testing;

import dev.qis.protocol.NodeIdentity;
import dev.qis.protocol.OutcomePacketBuilder;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.SignedPacket;
import dev.qis.protocol.SignedReport;
import dev.qis.protocol.ValidationReportBuilder;
import dev.qis.protocol.avro.DataScale;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' packets, votes and node keys: a typical packet as a pipeline's end-of-run hook would publish it, packets
 * that differ by a seed, validation reports, and the encoded key a node registers. A test changes what it cares about
 * on the returned builder and signs it with its own node.
 */
public final class Packets {
    /** When the fixture's packets, reports and node keys are issued unless a test says otherwise. */
    public static final Instant ISSUED = Instant.parse("2026-11-01T12:00:00Z");

    private Packets() {
    }

    /** {@code n} new node identities. */
    public static List<NodeIdentity> nodes(int n) {
        List<NodeIdentity> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(NodeIdentity.generate());
        }
        return out;
    }

    /** A node's key as it is registered on the nodes topic, issued at {@link #ISSUED}. */
    public static byte[] nodeKey(NodeIdentity node) {
        return ProtocolCodec.encode(node.nodeKey(ISSUED));
    }

    /**
     * A LoRA run (r 16, lr 2e-4) of llama-3-8b on {@code task}, tagged healthcare and en-US, scored on MedQA accuracy
     * (higher is better) over 400 held-out samples with confidence 0.9, issued at {@link #ISSUED}.
     */
    public static OutcomePacketBuilder packet(String task, double baseline, double outcome) {
        return packet("llama-3-8b", task, baseline, outcome);
    }

    /** The same run as {@link #packet(String, double, double)} of another base-model family. */
    public static OutcomePacketBuilder packet(String family, String task, double baseline, double outcome) {
        return new OutcomePacketBuilder()
                .family(family).task(task).tag("healthcare").tag("en-US")
                .dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("MedQA").metric("accuracy")
                .baselineScore(baseline).outcomeScore(outcome).higherIsBetter(true)
                .methodType("LoRA").hyperparam("r", 16L).hyperparam("lr", 2e-4)
                .heldOutEval(true).nEvalSamples(400).confidence(0.9)
                .issuedAt(ISSUED);
    }

    /**
     * A plain run: a LoRA run of llama-3-8b on {@code task}, no tags and no hyperparameters, scored on bench accuracy
     * (higher is better) from 50 to {@code outcome} over 400 held-out samples with confidence 0.9, issued at
     * {@link #ISSUED}.
     */
    public static OutcomePacketBuilder plain(String task, double outcome) {
        return new OutcomePacketBuilder()
                .family("llama-3-8b").task(task)
                .dataScale(DataScale.FROM_1K_TO_10K)
                .benchmark("bench").metric("accuracy")
                .baselineScore(50).outcomeScore(outcome).higherIsBetter(true)
                .methodType("LoRA")
                .heldOutEval(true).nEvalSamples(400).confidence(0.9)
                .issuedAt(ISSUED);
    }

    /** The typical packet: clinical-note summarization, 60 to 66, signed by {@code node}. */
    public static SignedPacket typical(NodeIdentity node) {
        return packet("clinical-note-summarization", 60.0, 66.0).sign(node);
    }

    /**
     * A valid packet that differs from others by {@code seed}: its task ({@code task-0..2}), tag and scores, so
     * packets of different seeds land on different fingerprints and topics. Issued now.
     */
    public static OutcomePacketBuilder seeded(int seed) {
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

    /** {@link #seeded(int)} on {@code task}: packets of one domain whose contexts differ by seed. */
    public static OutcomePacketBuilder seeded(String task, int seed) {
        return seeded(seed).task(task);
    }

    /** {@link #seeded(int)} signed by {@code node}. */
    public static SignedPacket seeded(int seed, NodeIdentity node) {
        return seeded(seed).sign(node);
    }

    /** A validation report on {@code packetId}: {@code reporter} observed {@code observed} over 200 samples at {@code at}. */
    public static SignedReport vote(String packetId, double observed, Instant at, NodeIdentity reporter) {
        return vote(packetId, observed, 200, at, reporter);
    }

    /** A validation report on {@code packetId} over {@code nEval} samples. */
    public static SignedReport vote(String packetId, double observed, int nEval, Instant at, NodeIdentity reporter) {
        return new ValidationReportBuilder().packetId(packetId).observedScore(observed).nEvalSamples(nEval)
                .issuedAt(at).sign(reporter);
    }
}
