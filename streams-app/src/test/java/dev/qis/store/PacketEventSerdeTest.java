package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The binary form of the {@code qis-events} repartition topic: every kind round-trips exactly; bad input is named. */
class PacketEventSerdeTest {
    private static final Serde<PacketEvent> SERDE = CompactSerdes.packetEvent();
    private static final String ID = "8ff8bb6992657811-0123456789abcdef";

    private static byte[] write(PacketEvent e) {
        return SERDE.serializer().serialize("t", e);
    }

    private static PacketEvent read(byte[] bytes) {
        return SERDE.deserializer().deserialize("t", bytes);
    }

    private static PacketFacts facts(List<String> tags, Map<String, Object> hyperparams, List<String> informedBy) {
        return new PacketFacts(ID, "00112233445566ff", 1_790_000_000_123L, "llama-3-8b · ünïcödé", "summarization",
                tags, "FROM_1K_TO_10K", "", "rouge-l", 0.41, 0.47, true, 0.1463414634146341, "LoRA", hyperparams,
                true, 500, 0.95, informedBy);
    }

    @Test
    void anAcceptedPacketRoundTripsWithAMaximumSizePacketAndEveryHyperparameterType() {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("r", 16L);
        hp.put("lr", 2e-4);
        hp.put("sched", "cosine");
        hp.put("bias", false);
        hp.put("none", null);
        byte[] packet = new byte[512];
        Arrays.fill(packet, (byte) 0xC3);
        byte[] digest = new byte[32];
        digest[31] = 7;
        PacketEvent.Accepted e = new PacketEvent.Accepted(facts(List.of("a", "b"), hp,
                List.of("8ff8bb6992657811-1111111111111111")), packet, digest);
        PacketEvent back = read(write(e));
        assertEquals(e, back);
        PacketEvent.Accepted a = (PacketEvent.Accepted) back;
        assertArrayEquals(packet, a.bytes());
        assertArrayEquals(digest, a.contentHash());
        assertEquals(ID, a.packetId());
        assertEquals(List.copyOf(hp.keySet()), List.copyOf(a.facts().hyperparams().keySet()));
        assertEquals(Long.class, a.facts().hyperparams().get("r").getClass());
        assertEquals(Boolean.class, a.facts().hyperparams().get("bias").getClass());
    }

    @Test
    void anAcceptedPacketWithEmptyListsAndMapsRoundTrips() {
        PacketEvent.Accepted e = new PacketEvent.Accepted(facts(List.of(), Map.of(), List.of()), new byte[0],
                new byte[32]);
        PacketEvent.Accepted back = (PacketEvent.Accepted) read(write(e));
        assertEquals(e, back);
        assertTrue(back.facts().tags().isEmpty() && back.facts().informedBy().isEmpty()
                && back.facts().hyperparams().isEmpty());
        assertEquals(0, back.bytes().length);
    }

    @Test
    void aVoteRoundTripsWithAndWithoutItsBaselineAndWithEdgeNumbers() {
        PacketEvent.Voted with = new PacketEvent.Voted(ID, "aabbccddeeff0011", "r-1", Long.MAX_VALUE, -0.0, 0.5,
                Integer.MAX_VALUE);
        PacketEvent.Voted without = new PacketEvent.Voted(ID, "aabbccddeeff0011", "", Long.MIN_VALUE,
                Double.MAX_VALUE, null, 0);
        assertEquals(with, read(write(with)));
        PacketEvent.Voted back = (PacketEvent.Voted) read(write(without));
        assertEquals(without, back);
        assertNull(back.baselineScore(), "a missing baseline stays missing, not 0");
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(((PacketEvent.Voted) read(write(with))).observedScore()));
    }

    @Test
    void aCitationRoundTrips() {
        PacketEvent.Cited c = new PacketEvent.Cited(ID, "8ff8bb6992657811-2222222222222222", "00112233445566ff");
        assertEquals(c, read(write(c)));
    }

    @Test
    void theKindsAreToldApartByTheirSecondByte() {
        assertEquals(CompactSerdes.VERSION, write(new PacketEvent.Cited(ID, ID, "n"))[0]);
        assertEquals(CompactSerdes.CITED, write(new PacketEvent.Cited(ID, ID, "n"))[1]);
        assertEquals(CompactSerdes.VOTED, write(new PacketEvent.Voted(ID, "n", "r", 0, 0, null, 0))[1]);
        assertEquals(CompactSerdes.ACCEPTED, write(new PacketEvent.Accepted(facts(List.of(), Map.of(), List.of()),
                new byte[1], new byte[32]))[1]);
    }

    @Test
    void anUnknownVersionOrKindTruncatedInputAndTrailingBytesAreSerializationErrorsWithTheReason() {
        byte[] good = write(new PacketEvent.Voted(ID, "aabbccddeeff0011", "r-1", 5, 0.5, 0.4, 10));

        byte[] version = good.clone();
        version[0] = 9;
        assertTrue(assertThrows(SerializationException.class, () -> read(version)).getMessage()
                .contains("unknown version 9"));

        byte[] kind = good.clone();
        kind[1] = 42;
        assertTrue(assertThrows(SerializationException.class, () -> read(kind)).getMessage()
                .contains("unknown event kind 42"));

        for (int n : new int[] {0, 1, 2, good.length / 2, good.length - 1}) {
            byte[] cut = Arrays.copyOf(good, n);
            SerializationException e = assertThrows(SerializationException.class, () -> read(cut), "cut at " + n);
            assertTrue(e.getMessage().contains("PacketEvent"), e.getMessage());
        }

        byte[] longer = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(SerializationException.class, () -> read(longer)).getMessage()
                .contains("1 bytes left after the value"));

        byte[] accepted = write(new PacketEvent.Accepted(facts(List.of("a"), Map.of(), List.of()), new byte[512],
                new byte[32]));
        assertThrows(SerializationException.class, () -> read(Arrays.copyOf(accepted, accepted.length - 40)),
                "a packet's bytes cut short");
    }

    @Test
    void nullIsNull() {
        assertNull(write(null));
        assertNull(read(null));
    }
}
