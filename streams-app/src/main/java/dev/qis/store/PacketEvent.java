package dev.qis.store;

import java.util.Arrays;

/**
 * What ingest hands to the packet-state step, keyed by the fingerprint of the packet it concerns: each record is
 * verified and decoded once, at ingest, and travels on as one of these, so the packet state never decodes Avro.
 * Carried on the {@code qis-events} repartition topic in {@link CompactSerdes#packetEvent()}'s binary form.
 */
public sealed interface PacketEvent {

    /** The id of the packet the event concerns: the packet-state key it applies to. */
    String packetId();

    /**
     * An accepted packet: its facts, its original signed bytes (for its domain topic) and the digest of its signed
     * content ({@code Digests.sha256(ProtocolCodec.content(packet))}), which tells a replay from a different packet
     * under a stored id.
     */
    record Accepted(PacketFacts facts, byte[] bytes, byte[] contentHash) implements PacketEvent {
        @Override
        public String packetId() {
            return facts.packetId();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Accepted a && facts.equals(a.facts) && Arrays.equals(bytes, a.bytes)
                    && Arrays.equals(contentHash, a.contentHash);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * facts.hashCode() + Arrays.hashCode(bytes)) + Arrays.hashCode(contentHash);
        }

        @Override
        public String toString() {
            return "Accepted[" + facts.packetId() + ", " + bytes.length + " bytes]";
        }
    }

    /** A verified report (a VOTE) by {@code reporterId} on the packet; {@code baselineScore} null when it gave none. */
    record Voted(String packetId, String reporterId, String reportId, long issuedAt, double observedScore,
                 Double baselineScore, int nEvalSamples) implements PacketEvent { }

    /** The packet is cited by {@code citingPacketId} (of {@code citingNodeId}) in its {@code informed_by}. */
    record Cited(String packetId, String citingPacketId, String citingNodeId) implements PacketEvent { }
}
