package dev.qis.topology;

import dev.qis.store.CompactSerdes;
import java.nio.ByteBuffer;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The node tallies' input on the by-node repartition topic: a version byte, then packets, successes and failures as
 * three 8-byte numbers. A delta an earlier build wrote as JSON (it starts with '{', never the version byte) still
 * reads, so records in flight across an upgrade are not lost.
 */
final class NodeDeltaSerde {
    static final byte VERSION = 1;
    private static final int SIZE = 1 + 3 * Long.BYTES;

    private NodeDeltaSerde() {
    }

    static Serde<PacketOutput.NodeDelta> serde() {
        Serializer<PacketOutput.NodeDelta> ser = (topic, d) -> d == null ? null : ByteBuffer.allocate(SIZE)
                .put(VERSION).putLong(d.packets()).putLong(d.successes()).putLong(d.failures()).array();
        Deserializer<PacketOutput.NodeDelta> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            if (bytes.length != SIZE || bytes[0] != VERSION) {
                throw new SerializationException("not a NodeDelta (" + bytes.length + " bytes): "
                        + (bytes.length == 0 ? "empty" : bytes[0] != VERSION ? "unknown version " + bytes[0]
                        : "expected " + SIZE + " bytes"));
            }
            ByteBuffer b = ByteBuffer.wrap(bytes, 1, SIZE - 1);
            return new PacketOutput.NodeDelta(b.getLong(), b.getLong(), b.getLong());
        };
        return CompactSerdes.readingEarlierJson(Serdes.serdeFrom(ser, de), PacketOutput.NodeDelta.class);
    }
}
