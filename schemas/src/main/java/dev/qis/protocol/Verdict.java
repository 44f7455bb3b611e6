package dev.qis.protocol;

import dev.qis.protocol.avro.ReasonCode;

/** What the verifier decided about one record's bytes. */
public sealed interface Verdict<T> {

    /** A valid, correctly signed record seen for the first time. */
    record Accepted<T>(T record, byte[] contentHash) implements Verdict<T> { }

    /** The same signed content as a record already accepted: a producer retry or a replay; a no-op. */
    record Duplicate<T>(T record) implements Verdict<T> { }

    /** Refused, with its reason code and a detail that names the field or value at fault. */
    record Rejected<T>(ReasonCode reason, String detail) implements Verdict<T> {
        static <T> Rejected<T> of(ProtocolException e) {
            return new Rejected<>(e.reason(), e.detail());
        }
    }
}
