package dev.qis.protocol;

import dev.qis.protocol.avro.ValidationReport;

/** A signed validation report (a VOTE) together with its wire bytes. */
public record SignedReport(ValidationReport report, byte[] bytes) {
    public String id() {
        return report.getReportId();
    }

    /** The fingerprint of the voted packet: the key that co-partitions the vote with the packet. */
    public Fingerprint fingerprint() {
        return PacketId.fingerprintOf(report.getPacketId());
    }
}
