package dev.qis.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.store.StoreSerdes;
import java.util.Arrays;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class NodeDeltaSerdeTest {
    private final Serde<PacketOutput.NodeDelta> serde = NodeDeltaSerde.serde();

    private byte[] write(PacketOutput.NodeDelta d) {
        return serde.serializer().serialize("t", d);
    }

    private PacketOutput.NodeDelta read(byte[] bytes) {
        return serde.deserializer().deserialize("t", bytes);
    }

    @Test
    void aDeltaReadsBackAsWritten() {
        for (PacketOutput.NodeDelta d : new PacketOutput.NodeDelta[] {new PacketOutput.NodeDelta(1, 0, 0),
                new PacketOutput.NodeDelta(0, 1, -1), new PacketOutput.NodeDelta(Long.MAX_VALUE, Long.MIN_VALUE, 7)}) {
            byte[] bytes = write(d);
            assertEquals(25, bytes.length, "a version byte and three numbers");
            assertEquals(d, read(bytes));
        }
        assertNull(write(null));
        assertNull(read(null));
    }

    @Test
    void aDeltaAnEarlierBuildWroteAsJsonStillReads() {
        PacketOutput.NodeDelta d = new PacketOutput.NodeDelta(1, 2, 3);
        byte[] json = StoreSerdes.json(PacketOutput.NodeDelta.class).serializer().serialize("t", d);
        assertEquals('{', json[0]);
        assertEquals(d, read(json));
    }

    @Test
    void anythingElseIsASerializationErrorWithItsReason() {
        byte[] good = write(new PacketOutput.NodeDelta(1, 0, 0));
        assertTrue(assertThrows(SerializationException.class, () -> read(new byte[0])).getMessage()
                .contains("empty"));
        assertTrue(assertThrows(SerializationException.class, () -> read(Arrays.copyOf(good, 24))).getMessage()
                .contains("expected 25 bytes"));
        assertTrue(assertThrows(SerializationException.class, () -> read(Arrays.copyOf(good, 26))).getMessage()
                .contains("expected 25 bytes"));
        byte[] other = good.clone();
        other[0] = 9;
        assertTrue(assertThrows(SerializationException.class, () -> read(other)).getMessage()
                .contains("unknown version 9"));
    }
}
