package dev.qis.topology;

/** What ingest emits for one input record: events for the packet state, or one dead letter. */
sealed interface IngestOutput {
    /** An event keyed by the fingerprint it concerns. */
    record Event(StreamEvent event) implements IngestOutput { }

    /** A refused record: the original key bytes and the encoded {@code Rejection}. */
    record DeadLetter(byte[] originalKey, byte[] rejection) implements IngestOutput { }
}
