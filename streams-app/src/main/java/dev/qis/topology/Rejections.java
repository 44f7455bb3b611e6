package dev.qis.topology;

import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.Rejection;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds the one dead-letter format of {@code qis.rejected}: an encoded {@code Rejection} record. */
public final class Rejections {
    private Rejections() {
    }

    public static byte[] encode(ReasonCode reason, String detail, String topic, int partition, long offset,
                                byte[] key, byte[] value, long rejectedAtMillis) {
        Rejection r = Rejection.newBuilder()
                .setReason(reason)
                .setDetail(detail == null ? "" : detail)
                .setSourceTopic(topic == null ? "" : topic)
                .setSourcePartition(partition)
                .setSourceOffset(offset)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setRejectedAt(Instant.ofEpochMilli(rejectedAtMillis))
                .build();
        return ProtocolCodec.encode(r);
    }
}
