package dev.qis.handlers;

import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the one dead-letter format of {@code qis.rejected}: an encoded {@code Rejection} record. */
public final class Rejections {
    /**
     * The most original bytes (key and value each) a dead letter carries. A larger input record (possible up to the
     * broker's message.max.bytes, far beyond the protocol's 512) would make a dead letter over the producer's request
     * limit, fail the send and stop the app on every restart; past this it carries a prefix and says so, and the
     * source topic/partition/offset still point at the whole record.
     */
    static final int MAX_ORIGINAL_BYTES = 256 * 1024;

    private Rejections() {
    }

    public static byte[] encode(ReasonCode reason, String detail, String topic, int partition, long offset,
                                byte[] key, byte[] value, long rejectedAtMillis) {
        String note = (detail == null ? "" : detail) + truncationNote("key", key) + truncationNote("value", value);
        Rejection r = Rejection.newBuilder()
                .setReason(reason)
                .setDetail(note)
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key, 0, Math.min(key.length, MAX_ORIGINAL_BYTES)))
                .setOriginalValue(value == null ? null
                        : ByteBuffer.wrap(value, 0, Math.min(value.length, MAX_ORIGINAL_BYTES)))
                .setRejectedAt(Instant.ofEpochMilli(rejectedAtMillis))
                .build();
        return ProtocolCodec.encode(r);
    }

    /** The record key of a dead letter: the original key, cut like the copy inside the record. */
    public static byte[] key(byte[] originalKey) {
        return originalKey == null || originalKey.length <= MAX_ORIGINAL_BYTES ? originalKey
                : java.util.Arrays.copyOf(originalKey, MAX_ORIGINAL_BYTES);
    }

    private static String truncationNote(String what, byte[] bytes) {
        return bytes != null && bytes.length > MAX_ORIGINAL_BYTES
                ? " (original " + what + " of " + bytes.length + " bytes truncated to its first " + MAX_ORIGINAL_BYTES
                        + "; the whole record is at the source offset)"
                : "";
    }
}
