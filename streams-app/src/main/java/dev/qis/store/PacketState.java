package dev.qis.store;

/**
 * Value of {@link StoreNames#PACKETS}: one packet and bounded counts of what was said about it. The reports
 * themselves are entries of {@link StoreNames#PACKET_VOTES}, the citations of {@link StoreNames#PACKET_CITATIONS}:
 * no reporter or citing packet makes this value grow.
 *
 * @param packetId    the packet id
 * @param packetBytes the original signed bytes; null while pending (reports or citations came first)
 * @param contentHash the digest of the packet's signed content, as ingest computed it; null while pending (and in
 *                    values stored before it was kept)
 * @param facts       decoded facts; null while pending
 * @param curate      CURATE: the claim's weight (0 while pending); time- and trust-free
 * @param votes       reporters with a report on it (their latest); self-votes are never kept
 * @param citations   citing packets by OTHER nodes (while pending: every citing packet held)
 * @param heldSince   while pending, the earliest timestamp of a record held for it (what expiry goes by); -1 once
 *                    the packet has arrived
 * @param backed      S, F, the pooled weight and gain over every backed report, and the heaviest few whole
 */
public record PacketState(String packetId, byte[] packetBytes, byte[] contentHash, PacketFacts facts, double curate,
                          long votes, long citations, long heldSince, BackedReports backed) {

    public static PacketState pending(String packetId, long since) {
        return new PacketState(packetId, null, null, null, 0.0, 0, 0, since, BackedReports.none());
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isPending() {
        return facts == null;
    }

    /** Backed reproductions (S): reports that reproduce the claim from nodes whose own run cites the packet. */
    public long successes() {
        return backed.successes();
    }

    /** Backed refutations (F). */
    public long failures() {
        return backed.failures();
    }

    public PacketState with(long votes, long citations, long heldSince, BackedReports backed) {
        return new PacketState(packetId, packetBytes, contentHash, facts, curate, votes, citations, heldSince, backed);
    }
}
