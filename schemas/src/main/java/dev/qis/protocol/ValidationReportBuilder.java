package dev.qis.protocol;

import dev.qis.protocol.avro.ValidationReport;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Makes a signed VOTE: what this node observed when it applied a packet on its own held-out eval. */
public final class ValidationReportBuilder {
    private String packetId;
    private Double observed;
    private Double baseline;
    private Integer nEval;
    private Instant issuedAt;

    public ValidationReportBuilder packetId(String packetId) { this.packetId = packetId; return this; }
    public ValidationReportBuilder observedScore(double score) { this.observed = score; return this; }
    /** The reporter's own baseline; without it the packet's baseline is used when scoring the vote. */
    public ValidationReportBuilder baselineScore(double score) { this.baseline = score; return this; }
    public ValidationReportBuilder nEvalSamples(int n) { this.nEval = n; return this; }
    public ValidationReportBuilder issuedAt(Instant at) { this.issuedAt = at; return this; }

    public SignedReport sign(NodeIdentity node) {
        if (packetId == null) {
            throw ProtocolException.invalid("packet_id", "missing");
        }
        if (observed == null) {
            throw ProtocolException.invalid("observed_score", "missing");
        }
        if (nEval == null) {
            throw ProtocolException.invalid("n_eval_samples", "missing");
        }
        ValidationReport report = ValidationReport.newBuilder()
                .setReportId("")
                .setNodeId(node.nodeId())
                .setPacketId(packetId)
                .setObservedScore(observed)
                .setBaselineScore(baseline)
                .setNEvalSamples(nEval)
                .setIssuedAt(Instant.ofEpochMilli((issuedAt == null ? Instant.now() : issuedAt).toEpochMilli()))
                .setSignature(ByteBuffer.allocate(0))
                .build();
        FieldRules.check(report);
        report.setReportId(computeId(report));
        report.setSignature(ByteBuffer.wrap(node.sign(ProtocolCodec.canonical(report, true))));
        return new SignedReport(report, ProtocolCodec.encode(report));
    }

    public static String computeId(ValidationReport report) {
        return Digests.sha256Hex(ProtocolCodec.canonical(report, false), 16);
    }
}
