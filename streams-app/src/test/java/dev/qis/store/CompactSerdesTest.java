package dev.qis.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class CompactSerdesTest {
    private static <T> T roundTrip(Serde<T> serde, T value) {
        return serde.deserializer().deserialize("t", serde.serializer().serialize("t", value));
    }

    private static PacketFacts facts(String packetId, Map<String, Object> hyperparams, List<String> tags,
                                     List<String> informedBy, double baseline, double outcome) {
        return new PacketFacts(packetId, "00112233445566ff", Long.MIN_VALUE, "llama-3-8b · ünïcödé", "summarization",
                tags, "FROM_1K_TO_10K", "", "accuracy", baseline, outcome, false, -0.0, "LoRA", hyperparams, false,
                Integer.MAX_VALUE, Double.MIN_VALUE, informedBy);
    }

    @Test
    void aCandidateRoundTripsExactlyWithEdgeValuesAndHyperparameterTypes() {
        Map<String, Object> hp = new LinkedHashMap<>();
        hp.put("r", 16L);
        hp.put("lr", 2e-4);
        hp.put("huge", Long.MAX_VALUE);
        hp.put("tiny", -Double.MAX_VALUE);
        hp.put("sched", "cosine");
        hp.put("empty", "");
        hp.put("bias", false);
        TreeMap<String, CandidateReport> reports = new TreeMap<>(Map.of(
                "aa", new CandidateReport(Double.NEGATIVE_INFINITY, 0, false, true),
                "bb", new CandidateReport(Double.MAX_VALUE, Integer.MIN_VALUE, true, false)));
        Candidate c = new Candidate(facts("8ff8bb6992657811-0123456789abcdef", hp, List.of("a", "b"),
                List.of("8ff8bb6992657811-1111111111111111"), Double.MIN_NORMAL, Double.POSITIVE_INFINITY),
                -0.0, Long.MAX_VALUE, reports, Double.MIN_VALUE, Long.MIN_VALUE, 0, true, Double.NEGATIVE_INFINITY);
        Candidate back = roundTrip(StoreSerdes.candidate(), c);
        assertEquals(c, back);
        assertEquals(new ArrayList<>(hp.keySet()), new ArrayList<>(back.facts().hyperparams().keySet()),
                "hyperparameters keep their order");
        assertEquals(Long.class, back.facts().hyperparams().get("huge").getClass());
        assertEquals(Double.class, back.facts().hyperparams().get("tiny").getClass());
        assertEquals(Boolean.class, back.facts().hyperparams().get("bias").getClass());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(back.curate()), "-0.0 stays -0.0");
    }

    @Test
    void emptyMapsAndListsAndNullsRoundTrip() {
        Candidate c = new Candidate(facts("8ff8bb6992657811-0123456789abcdef", Map.of(), List.of(), List.of(), 0, 0),
                0, 0, new TreeMap<>(), 0, 0, 0, false, 0);
        assertEquals(c, roundTrip(StoreSerdes.candidate(), c));
        Candidate nulls = new Candidate(new PacketFacts("8ff8bb6992657811-0123456789abcdef", null, 0, null, null,
                null, null, null, null, 0, 0, true, 0, null, null, true, 0, 0, null), 0, 0, null, 0, 0, 0, false, 0);
        assertEquals(nulls, roundTrip(StoreSerdes.candidate(), nulls));
        DomainStats empty = DomainStats.empty("d");
        assertEquals(empty, roundTrip(StoreSerdes.domainStats(), empty));
        DomainStats full = new DomainStats("a-domain.name_1", Long.MAX_VALUE, Integer.MAX_VALUE, 0, Long.MIN_VALUE, 200);
        assertEquals(full, roundTrip(StoreSerdes.domainStats(), full));
    }

    @Test
    void everyValueStartsWithItsVersionAndOtherVersionsOrDamagedBytesAreRejectedWithAReason() {
        DomainStats s = new DomainStats("d", 3, 2, 1, 9L, 3);
        byte[] bytes = StoreSerdes.domainStats().serializer().serialize("t", s);
        assertEquals(CompactSerdes.VERSION, bytes[0]);
        assertTrue(bytes.length < 40, bytes.length + " bytes");

        byte[] future = bytes.clone();
        future[0] = 2;
        SerializationException e = assertThrows(SerializationException.class,
                () -> StoreSerdes.domainStats().deserializer().deserialize("t", future));
        assertTrue(e.getMessage().contains("DomainStats") && e.getMessage().contains("unknown version 2"),
                e.getMessage());
        e = assertThrows(SerializationException.class, () -> StoreSerdes.domainStats().deserializer()
                .deserialize("t", Arrays.copyOf(bytes, bytes.length - 1)));
        assertTrue(e.getMessage().contains("ends early"), e.getMessage());
        e = assertThrows(SerializationException.class, () -> StoreSerdes.domainStats().deserializer()
                .deserialize("t", Arrays.copyOf(bytes, bytes.length + 2)));
        assertTrue(e.getMessage().contains("2 bytes left"), e.getMessage());
        e = assertThrows(SerializationException.class, () -> StoreSerdes.candidate().deserializer()
                .deserialize("t", "{\"facts\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("Candidate") && e.getMessage().contains("unknown version"),
                "a value of the earlier JSON layout: " + e.getMessage());
        e = assertThrows(SerializationException.class, () -> StoreSerdes.candidate().deserializer()
                .deserialize("t", new byte[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void aHyperparameterOfAnotherTypeIsRefusedByName() {
        Candidate c = new Candidate(facts("8ff8bb6992657811-0123456789abcdef", Map.of("layers", List.of(1L)),
                List.of(), List.of(), 0, 0), 0, 0, new TreeMap<>(), 0, 0, 0, false, 0);
        SerializationException e = assertThrows(SerializationException.class,
                () -> StoreSerdes.candidate().serializer().serialize("t", c));
        assertTrue(e.getMessage().contains("layers"), e.getMessage());
    }

    @Test
    void theRankKeySortsAsRanksBelow() {
        Random random = new Random(5);
        double[] scores = {Double.NEGATIVE_INFINITY, -Double.MAX_VALUE, -12.5, -1.0, -Double.MIN_VALUE, -0.0, 0.0,
            Double.MIN_VALUE, 0.5, 3.0, Double.MAX_VALUE, Double.POSITIVE_INFINITY};
        List<Candidate> all = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String id = String.format("%016x-%016x", random.nextInt(3), random.nextLong());
            double score = random.nextInt(4) == 0 ? random.nextGaussian() : scores[random.nextInt(scores.length)];
            all.add(new Candidate(facts(id, Map.of(), List.of(), List.of(), 0, 0), 0, 0, new TreeMap<>(), 0, 0, 0,
                    random.nextBoolean(), score));
        }
        List<Candidate> byRanksBelow = new ArrayList<>(all);
        byRanksBelow.sort((a, b) -> a.ranksBelow(b) ? -1 : b.ranksBelow(a) ? 1 : 0);
        List<Candidate> byKey = new ArrayList<>(all);
        byKey.sort(Comparator.comparing(StoreKeys::rank));
        assertEquals(byRanksBelow, byKey);
        Candidate first = byKey.get(0);
        assertEquals(first.packetId(), StoreKeys.packetIdOfRank(StoreKeys.domainRank("d", StoreKeys.rank(first))));
        String key = StoreKeys.domainRank("d", StoreKeys.rank(first));
        assertTrue(key.compareTo(StoreKeys.domainRankFrom("d")) > 0 && key.compareTo(StoreKeys.domainRankTo("d")) < 0);
        String nodeKey = StoreKeys.nodeRank("d", "00112233445566ff", StoreKeys.rank(first));
        assertTrue(nodeKey.compareTo(StoreKeys.nodeRankFrom("d", "00112233445566ff")) > 0
                && nodeKey.compareTo(StoreKeys.nodeRankTo("d", "00112233445566ff")) < 0);
        assertTrue(nodeKey.compareTo(StoreKeys.domainRankFrom("d")) < 0, "the node family is outside the domain's");
    }
}
