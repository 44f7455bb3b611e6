package dev.qis.topology;

import dev.qis.store.Candidate;

/** What the packet-state step emits after a change: node tally deltas, candidate updates, routed packets, dead letters. */
sealed interface PacketOutput {
    /** Keyed by the author's node id: the change of its packet count and unweighted S and F. */
    record NodeDelta(long packets, long successes, long failures) implements PacketOutput { }

    /** Keyed by the domain: a packet's current candidate entry; {@code first} on its acceptance. */
    record CandidateUpdate(Candidate candidate, boolean first) implements PacketOutput { }

    /** Keyed by the fingerprint: an accepted, routed packet's original bytes for {@code qis.domain.<domain>}. */
    record RoutedPacket(String domain, byte[] bytes) implements PacketOutput { }

    /** A packet the packet state refuses (an id collision across ingest tasks): its Rejection for qis.rejected. */
    record DeadLetter(byte[] key, byte[] rejection) implements PacketOutput { }
}
