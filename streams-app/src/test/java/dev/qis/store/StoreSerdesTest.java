package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class StoreSerdesTest {
    private static final PacketFacts FACTS = new PacketFacts("8ff8bb6992657811-0123456789abcdef", "00112233445566ff",
            1_790_000_000_123L, "llama-3-8b", "summarization", List.of("a", "b"), "FROM_1K_TO_10K", "MedQA",
            "accuracy", 61.2, 68.5, true, 0.1192810457516339, "LoRA",
            Map.of("r", 16L, "lr", 2e-4, "alpha", 32.0, "sched", "cosine", "bias", false), true, 400, 0.9, List.of());

    private static <T> T roundTrip(Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    @Test
    void packetStateRoundTripsExactlyWithHyperparameterTypes() {
        BackedReports backed = BackedReports.none()
                .plus(new CandidateReport(0.0800653594771242, 100, true, true), 100)
                .plus(new CandidateReport(-0.1 / 3, 1000, false, true), 1000);
        backed = backed.withHeaviest(new TreeMap<>(Map.of("aa", new CandidateReport(0.0800653594771242, 100, true,
                true), "bb", new CandidateReport(-0.1 / 3, 1000, false, true))));
        PacketState s = new PacketState(FACTS.packetId(), new byte[] {1, 2, 3}, new byte[] {9, 8}, FACTS, 7.123456789012345, 3, 2, -1,
                backed);
        PacketState back = roundTrip(StoreSerdes.packetState(), s);
        assertArrayEquals(s.packetBytes(), back.packetBytes());
        assertArrayEquals(s.contentHash(), back.contentHash());
        assertEquals(s.facts(), back.facts());
        assertEquals(16L, back.facts().hyperparams().get("r"));
        assertEquals(32.0, back.facts().hyperparams().get("alpha"));
        assertEquals(false, back.facts().hyperparams().get("bias"));
        assertEquals(s.curate(), back.curate());
        assertEquals(3, back.votes());
        assertEquals(2, back.citations());
        assertEquals(s.backed(), back.backed(), "the exact sums and the kept reports");
        assertEquals(1, back.successes());
        assertEquals(1, back.failures());
    }

    @Test
    void backedSumsDoNotDependOnTheOrderReportsCameIn() {
        List<CandidateReport> reports = new ArrayList<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            reports.add(new CandidateReport(random.nextGaussian() / 7, 1 + random.nextInt(1000), random.nextBoolean(),
                    true));
        }
        BackedReports forward = BackedReports.none();
        for (CandidateReport r : reports) {
            forward = forward.plus(r, r.nEvalSamples());
        }
        BackedReports reversed = BackedReports.none();
        List<CandidateReport> backwards = new ArrayList<>(reports);
        java.util.Collections.reverse(backwards);
        for (CandidateReport r : backwards) {
            reversed = reversed.plus(r, r.nEvalSamples());
        }
        assertEquals(forward, reversed);
        BackedReports less = forward.minus(reports.get(17), reports.get(17).nEvalSamples());
        BackedReports without = BackedReports.none();
        for (int i = 0; i < reports.size(); i++) {
            if (i != 17) {
                without = without.plus(reports.get(i), reports.get(i).nEvalSamples());
            }
        }
        assertEquals(without, less, "taking a report away is exact too");
    }

    @Test
    void aPacketWithoutGainKeepsItsInfiniteRankKey() {
        Candidate c = new Candidate(FACTS, 0.0, 0, new TreeMap<>(Map.of("n", new CandidateReport(-0.01, 300, false,
                true))), -0.001, 0, 1, false, Double.NEGATIVE_INFINITY);
        Candidate back = roundTrip(StoreSerdes.candidate(), c);
        assertEquals(Double.NEGATIVE_INFINITY, back.logScore());
        assertEquals(c, back);
    }

    @Test
    void statsAndTalliesRoundTrip() {
        DomainStats s = new DomainStats("d", 3, 2, 1, 9L, 3);
        assertEquals(s, roundTrip(StoreSerdes.domainStats(), s));
        NodeTally t = new NodeTally("n", 4, 2, 1);
        assertEquals(t, roundTrip(StoreSerdes.nodeTally(), t));
        assertEquals(3.0 / 5, t.trust(), 1e-15);
    }

    @Test
    void talliesAreCompactAndThoseWrittenAsJsonStillRead() {
        NodeTally t = new NodeTally("00112233445566ff", Long.MAX_VALUE, 0, Long.MIN_VALUE);
        byte[] written = StoreSerdes.nodeTally().serializer().serialize("t", t);
        assertEquals(CompactSerdes.VERSION, written[0]);
        assertEquals(1 + 1 + 16 + 3 * 8, written.length);
        assertEquals(t, StoreSerdes.nodeTally().deserializer().deserialize("t", written));
        byte[] json = StoreSerdes.json(NodeTally.class).serializer().serialize("t", t);
        assertEquals(t, StoreSerdes.nodeTally().deserializer().deserialize("t", json),
                "a tally an earlier build wrote to qis.node-trust");
        SerializationException e = assertThrows(SerializationException.class, () -> StoreSerdes.nodeTally()
                .deserializer().deserialize("t", java.util.Arrays.copyOf(written, written.length - 1)));
        assertTrue(e.getMessage().contains("NodeTally") && e.getMessage().contains("ends early"), e.getMessage());
    }

    @Test
    void garbageIsASerializationErrorNamingTheType() {
        SerializationException e = assertThrows(SerializationException.class,
                () -> StoreSerdes.nodeTally().deserializer().deserialize("t", new byte[] {'{', 'x'}));
        assertTrue(e.getMessage().contains("NodeTally"), e.getMessage());
    }

    @Test
    void keysRouteByTheirPrefix() {
        assertEquals("8ff8bb6992657811/8ff8bb6992657811-0123456789abcdef", StoreKeys.packet(FACTS.packetId()));
        String key = StoreKeys.packet(FACTS.packetId());
        assertTrue(key.compareTo(StoreKeys.packetRangeFrom("8ff8bb6992657811")) > 0);
        assertTrue(key.compareTo(StoreKeys.packetRangeTo("8ff8bb6992657811")) < 0);
        assertTrue(StoreKeys.packet("8ff8bb6992657812-0000000000000000").compareTo(StoreKeys.packetRangeTo("8ff8bb6992657811")) > 0);
        assertEquals(FACTS.packetId(), StoreKeys.packetIdOf(StoreKeys.candidate("summarization", FACTS.packetId())));
    }

    @Test
    void aHeldRecordRoundTripsItsOriginalBytesAndSortsOldestFirst() {
        HeldRecord h = new HeldRecord(new byte[] {0, -1, 7}, new byte[] {(byte) 0xC3, 1, 2}, 1_790_000_000_000L,
                "qis.outcomes.8", 2, 41L, 1_790_000_000_123L, "0123456789abcdef");
        HeldRecord back = roundTrip(StoreSerdes.heldRecord(), h);
        assertArrayEquals(h.key(), back.key());
        assertArrayEquals(h.value(), back.value());
        assertEquals(List.of(h.timestamp(), h.topic(), h.partition(), h.offset(), h.firstSeen(), h.nodeId()),
                List.of(back.timestamp(), back.topic(), back.partition(), back.offset(), back.firstSeen(), back.nodeId()));
        HeldRecord noKey = new HeldRecord(null, new byte[] {1}, 0L, "qis.votes", 0, 0L, 5L, "0123456789abcdef");
        assertEquals(null, roundTrip(StoreSerdes.heldRecord(), noKey).key());
        HeldRecord later = new HeldRecord(null, new byte[] {1}, 0L, "qis.votes", 0, 0L, 0x10L, "0123456789abcdef");
        assertTrue(noKey.storeKey().compareTo(later.storeKey()) < 0, "fixed-width time: oldest sorts first");
        assertTrue(h.storeKey().compareTo(later.storeKey()) > 0);
        assertTrue(later.storeKey().startsWith(HeldRecord.nodePrefix("0123456789abcdef")), "a node's records are one range");
        String written = new String(StoreSerdes.heldRecord().serializer().serialize("t", later),
                java.nio.charset.StandardCharsets.UTF_8);
        String beforeNodeIds = written.replace(",\"nodeId\":\"0123456789abcdef\"", "");
        assertTrue(!beforeNodeIds.contains("nodeId"), beforeNodeIds);
        assertEquals(null, StoreSerdes.heldRecord().deserializer().deserialize("t",
                beforeNodeIds.getBytes(java.nio.charset.StandardCharsets.UTF_8)).nodeId(),
                "a record held by an earlier version reads without its node id (ingest finds it in the bytes)");
    }
}
