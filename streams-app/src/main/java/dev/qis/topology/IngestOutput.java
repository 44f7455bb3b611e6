package dev.qis.topology;

import dev.qis.store.PacketEvent;

/** What ingest emits for one input record: events for the packet state, or one dead letter. */
sealed interface IngestOutput {
    /** An event keyed by the fingerprint it concerns. */
    record Event(PacketEvent event) implements IngestOutput { }

    /** A refused record: the original key bytes and the encoded {@code Rejection}. */
    record DeadLetter(byte[] originalKey, byte[] rejection) implements IngestOutput { }
}
