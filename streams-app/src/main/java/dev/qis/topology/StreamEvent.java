package dev.qis.topology;

/**
 * What ingest hands to the packet-state step, keyed by the fingerprint of the packet it concerns: an accepted
 * packet, a verified report (a VOTE) on a packet, or a citation of a packet by another packet's informed_by.
 * Carried on the {@code qis-events} repartition topic as JSON.
 */
public record StreamEvent(Kind kind, String packetId, byte[] packetBytes, String reporterId, String reportId,
                          long issuedAt, double observedScore, Double baselineScore, int nEvalSamples,
                          String citingPacketId, String citingNodeId) {

    public enum Kind { PACKET, VOTE, CITATION }

    public static StreamEvent packet(String packetId, byte[] bytes) {
        return new StreamEvent(Kind.PACKET, packetId, bytes, null, null, 0L, 0.0, null, 0, null, null);
    }

    public static StreamEvent vote(String packetId, String reporterId, String reportId, long issuedAt,
                                   double observed, Double baseline, int nEval) {
        return new StreamEvent(Kind.VOTE, packetId, null, reporterId, reportId, issuedAt, observed, baseline, nEval,
                null, null);
    }

    public static StreamEvent citation(String citedPacketId, String citingPacketId, String citingNodeId) {
        return new StreamEvent(Kind.CITATION, citedPacketId, null, null, null, 0L, 0.0, null, 0, citingPacketId,
                citingNodeId);
    }
}
