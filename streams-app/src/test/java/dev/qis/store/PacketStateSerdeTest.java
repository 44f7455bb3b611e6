package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.config.QisConfig;
import dev.qis.protocol.ProtocolCodec;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

/** The packet state's binary values ({@link CompactSerdes#packetState()}, {@link CompactSerdes#voteEntry()}). */
class PacketStateSerdeTest {
    private static final Serde<PacketState> STATE = StoreSerdes.packetState();
    private static final Serde<VoteEntry> VOTE = StoreSerdes.voteEntry();
    private static final String ID = "8ff8bb6992657811-0123456789abcdef";

    private static PacketFacts facts(List<String> informedBy) {
        Map<String, Object> hp = new TreeMap<>();
        hp.put("alpha", 32.0);
        hp.put("bias", false);
        hp.put("lr", 2e-4);
        hp.put("r", 16L);
        hp.put("sched", "cosine");
        return new PacketFacts(ID, "00112233445566ff", 1_790_000_000_123L, "llama-3-8b", "summarization",
                List.of("a", "b"), "FROM_1K_TO_10K", "MedQA", "accuracy", 61.2, 68.5, true, 0.1192810457516339,
                "LoRA", hp, true, 400, 0.9, informedBy);
    }

    private static <T> T roundTrip(Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    /** Equal field by field; the byte arrays by content (a record's equals compares them by identity). */
    private static void assertSameState(PacketState expected, PacketState actual) {
        assertEquals(expected.packetId(), actual.packetId());
        assertArrayEquals(expected.packetBytes(), actual.packetBytes());
        assertArrayEquals(expected.contentHash(), actual.contentHash());
        assertEquals(expected.facts(), actual.facts());
        assertEquals(Double.doubleToRawLongBits(expected.curate()), Double.doubleToRawLongBits(actual.curate()));
        assertEquals(List.of(expected.votes(), expected.citations(), expected.heldSince()),
                List.of(actual.votes(), actual.citations(), actual.heldSince()));
        assertEquals(expected.backed(), actual.backed(), "the exact sums (scale included) and the kept reports");
        if (expected.backed() != null) {
            assertEquals(expected.backed().weightedGain().scale(), actual.backed().weightedGain().scale());
        }
    }

    private static PacketState accepted(byte[] bytes, BackedReports backed) {
        byte[] hash = new byte[32];
        Arrays.fill(hash, (byte) 0xA5);
        return new PacketState(ID, bytes, hash, facts(List.of("0011223344556677-8899aabbccddeeff")),
                7.123456789012345, backed.count(), 2, -1, backed);
    }

    /** The heaviest {@code n} of {@code n} backed reports, with their exact sums. */
    private static BackedReports reports(int n, long seed) {
        Random random = new Random(seed);
        BackedReports b = BackedReports.none();
        TreeMap<String, CandidateReport> kept = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            CandidateReport r = new CandidateReport(random.nextGaussian() / 7, 1 + random.nextInt(1000),
                    random.nextBoolean(), true);
            b = b.plus(r, r.nEvalSamples());
            kept.put(String.format("%016x", random.nextLong()), r);
        }
        return b.withHeaviest(kept);
    }

    @Test
    void anAcceptedPacketWithoutReportsRoundTrips() {
        PacketState s = accepted(new byte[] {(byte) 0xC3, 1, 2, 3}, BackedReports.none());
        PacketState back = roundTrip(STATE, s);
        assertSameState(s, back);
        assertEquals(0, back.backed().heaviest().size());
        assertEquals(BigDecimal.ZERO.setScale(BackedReports.SCALE), back.backed().weightedGain());
        assertEquals(16L, back.facts().hyperparams().get("r"), "hyperparameters keep their protocol types");
        assertEquals(32.0, back.facts().hyperparams().get("alpha"));
        assertEquals(false, back.facts().hyperparams().get("bias"));
        assertEquals("cosine", back.facts().hyperparams().get("sched"));
    }

    @Test
    void theMostReportsACandidateKeepsAndAMaxSizePacketRoundTrip() {
        byte[] bytes = new byte[ProtocolCodec.MAX_PACKET_BYTES];
        new Random(3).nextBytes(bytes);
        BackedReports backed = reports(QisConfig.DEFAULT_CANDIDATE_REPORTS_MAX, 11);
        assertTrue(backed.weightedGain().signum() != 0 && backed.weightedGain().scale() == BackedReports.SCALE);
        PacketState s = accepted(bytes, backed);
        byte[] written = STATE.serializer().serialize("t", s);
        assertSameState(s, STATE.deserializer().deserialize("t", written));
        assertTrue(written.length < StoreSerdes.json(PacketState.class).serializer().serialize("t", s).length / 2,
                "the binary value is less than half its JSON: " + written.length + " bytes");
    }

    @Test
    void extremeSumsAndNumbersRoundTripExactly() {
        BigDecimal huge = new BigDecimal("-123456789012345678901234567890.123456789012345678");
        BackedReports backed = new BackedReports(Long.MAX_VALUE, 0, Long.MAX_VALUE, huge, new TreeMap<>(Map.of(
                "r", new CandidateReport(Double.NEGATIVE_INFINITY, Integer.MAX_VALUE, false, false))));
        PacketState s = new PacketState(ID, new byte[0], new byte[0], facts(List.of()), Double.NaN, Long.MIN_VALUE,
                Long.MAX_VALUE, Long.MIN_VALUE, backed);
        assertSameState(s, roundTrip(STATE, s));
        BackedReports negativeScale = backed.withHeaviest(new TreeMap<>()).minus(
                new CandidateReport(0.5, 1, true, true), 1);
        PacketState t = s.with(0, 0, -1, new BackedReports(1, 1, 2, new BigDecimal("1E+5"), new TreeMap<>()));
        assertSameState(t, roundTrip(STATE, t));
        assertEquals(-5, roundTrip(STATE, t).backed().weightedGain().scale());
        assertSameState(s.with(1, 1, 1, negativeScale), roundTrip(STATE, s.with(1, 1, 1, negativeScale)));
    }

    @Test
    void aPendingPacketKeepsItsNullFields() {
        PacketState pending = PacketState.pending(ID, 1_790_000_000_000L);
        PacketState back = roundTrip(STATE, pending);
        assertSameState(pending, back);
        assertTrue(back.isPending());
        assertNull(back.packetBytes());
        assertNull(back.contentHash());
        assertNull(back.facts());
        PacketState noBacked = new PacketState(ID, null, null, null, 0.0, 0, 0, 5, null);
        assertNull(roundTrip(STATE, noBacked).backed());
        PacketFacts sparse = new PacketFacts(ID, "n", 0, null, "t", null, null, null, null, 0, 0, false, 0, null,
                null, false, 0, 0, null);
        PacketState sparseState = new PacketState(ID, new byte[] {1}, null, sparse, 0, 0, 0, -1,
                BackedReports.none().withHeaviest(null));
        assertSameState(sparseState, roundTrip(STATE, sparseState));
    }

    @Test
    void voteEntriesRoundTripWithAndWithoutTheirJudgement() {
        VoteEntry held = new VoteEntry("report-1", 1_790_000_000_000L, 63.5, null, 200, null, null);
        assertEquals(held, roundTrip(VOTE, held));
        VoteEntry judged = new VoteEntry("report-2", -1, -0.0, 60.25, Integer.MAX_VALUE, false, -1.0 / 3);
        assertEquals(judged, roundTrip(VOTE, judged));
        VoteEntry reproduced = judged.judged(Double.POSITIVE_INFINITY, true);
        assertEquals(reproduced, roundTrip(VOTE, reproduced));
        assertEquals(Double.doubleToRawLongBits(-0.0),
                Double.doubleToRawLongBits(roundTrip(VOTE, judged).observedScore()), "negative zero stays");
        VoteEntry noId = new VoteEntry(null, 0, 0, 0.0, 0, true, 0.0);
        assertEquals(noId, roundTrip(VOTE, noId));
    }

    @Test
    void everyTruncationAndAnyTrailingByteIsAClearError() {
        PacketState s = accepted(new byte[] {1, 2, 3}, reports(3, 5));
        byte[] whole = STATE.serializer().serialize("t", s);
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            SerializationException e = assertThrows(SerializationException.class,
                    () -> STATE.deserializer().deserialize("t", cut), "cut at " + n);
            assertTrue(e.getMessage().startsWith("not a PacketState (" + n + " bytes): "), e.getMessage());
        }
        byte[] longer = Arrays.copyOf(whole, whole.length + 1);
        SerializationException e = assertThrows(SerializationException.class,
                () -> STATE.deserializer().deserialize("t", longer));
        assertTrue(e.getMessage().contains("1 bytes left after the value"), e.getMessage());

        byte[] vote = VOTE.serializer().serialize("t", new VoteEntry("r", 1, 2, 3.0, 4, true, 5.0));
        for (int n = 0; n < vote.length; n++) {
            byte[] cut = Arrays.copyOf(vote, n);
            assertThrows(SerializationException.class, () -> VOTE.deserializer().deserialize("t", cut), "cut at " + n);
        }
        byte[] voteLonger = Arrays.copyOf(vote, vote.length + 2);
        e = assertThrows(SerializationException.class, () -> VOTE.deserializer().deserialize("t", voteLonger));
        assertTrue(e.getMessage().contains("VoteEntry") && e.getMessage().contains("2 bytes left"), e.getMessage());
    }

    @Test
    void anUnknownVersionOrAnEarlierJsonValueIsNamedAsSuch() {
        byte[] whole = STATE.serializer().serialize("t", PacketState.pending(ID, 1));
        assertEquals(CompactSerdes.VERSION, whole[0]);
        byte[] future = whole.clone();
        future[0] = (byte) (CompactSerdes.VERSION + 1);
        SerializationException e = assertThrows(SerializationException.class,
                () -> STATE.deserializer().deserialize("t", future));
        assertTrue(e.getMessage().contains("unknown version " + (CompactSerdes.VERSION + 1)), e.getMessage());

        byte[] json = StoreSerdes.json(VoteEntry.class).serializer().serialize("t",
                new VoteEntry("r", 1, 2, null, 4, null, null));
        assertEquals('{', (char) json[0], new String(json, StandardCharsets.UTF_8));
        e = assertThrows(SerializationException.class, () -> VOTE.deserializer().deserialize("t", json));
        assertTrue(e.getMessage().contains("not a VoteEntry") && e.getMessage().contains("unknown version 123"),
                "a value an earlier build wrote as JSON: " + e.getMessage());
    }

    @Test
    void aPresenceByteOtherThanZeroOrOneIsRefused() {
        PacketState s = accepted(new byte[] {1}, BackedReports.none());
        byte[] whole = STATE.serializer().serialize("t", s);
        byte[] badFlag = whole.clone();
        // the presence byte of the facts follows the id and the two byte arrays
        int factsFlag = 1 + (1 + ID.length()) + (1 + 1) + (1 + 32);
        assertEquals(1, badFlag[factsFlag]);
        badFlag[factsFlag] = 7;
        SerializationException e = assertThrows(SerializationException.class,
                () -> STATE.deserializer().deserialize("t", badFlag));
        assertTrue(e.getMessage().contains("boolean byte 7"), e.getMessage());
    }
}
