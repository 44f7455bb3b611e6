package dev.qis.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.qis.protocol.Ed25519;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.NodeKey;
import dev.qis.protocol.avro.OutcomePacket;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchDataTest {
    private static final BenchData.Params PARAMS = new BenchData.Params(1_200, 40, 20, 6, 7);

    @TempDir
    Path cache;

    @Test
    void everyRecordVerifiesAndTheSpreadIsAFederations() throws Exception {
        BenchData data = BenchData.loadOrGenerate(PARAMS, cache, n -> { });
        assertEquals(6, data.nodes().size());
        assertEquals(1_200, data.packets().size());
        assertEquals(120, data.votes().size());
        assertEquals(40, data.fresh().size());
        Map<String, PublicKey> keys = new HashMap<>();
        for (BenchData.Item item : data.nodes()) {
            NodeKey key = ProtocolCodec.decodeNodeKey(item.value());
            byte[] raw = new byte[32];
            key.getPublicKey().duplicate().get(raw);
            keys.put(key.getNodeId(), Ed25519.publicKey(raw));
        }
        PacketVerifier verifier = new PacketVerifier(id -> Optional.ofNullable(keys.get(id)), Clock.systemUTC());
        Map<String, Integer> perDomain = new HashMap<>();
        Set<String> nodes = new HashSet<>();
        int citing = 0;
        for (BenchData.Item item : data.packets()) {
            Verdict<OutcomePacket> verdict = verifier.verifyPacket(item.value(), id -> Optional.empty());
            if (!(verdict instanceof Verdict.Accepted<OutcomePacket> accepted)) {
                throw new AssertionError("a generated packet does not verify: " + verdict);
            }
            OutcomePacket p = accepted.record();
            perDomain.merge(p.getContext().getTask(), 1, Integer::sum);
            nodes.add(p.getNodeId());
            citing += p.getInformedBy().isEmpty() ? 0 : 1;
        }
        for (BenchData.Item item : data.votes()) {
            assertInstanceOf(Verdict.Accepted.class, verifier.verifyReport(item.value()));
        }
        assertEquals(6, nodes.size(), "every node publishes");
        assertTrue(citing > 80, "about a fifth of the packets after the first chunk cite earlier ones: " + citing);
        int first = perDomain.getOrDefault("bench-d000", 0);
        int tenth = perDomain.getOrDefault("bench-d009", 0);
        assertTrue(first > 3 * tenth, "Zipf: the first domain holds far more than the tenth: " + perDomain);
    }

    @Test
    void theCachedFileGivesTheSameBytesAsGeneratingAgain() throws Exception {
        BenchData generated = BenchData.loadOrGenerate(PARAMS, cache, n -> { });
        int[] progress = {0};
        BenchData cached = BenchData.loadOrGenerate(PARAMS, cache, n -> progress[0]++);
        assertEquals(0, progress[0], "read from the cache, nothing signed");
        Random r = new Random(1);
        for (int i = 0; i < 50; i++) {
            int k = r.nextInt(PARAMS.packets());
            assertArrayEquals(generated.packets().get(k).value(), cached.packets().get(k).value());
        }
        assertArrayEquals(generated.votes().get(3).value(), cached.votes().get(3).value());
    }

    @Test
    void zipfFavoursTheFirstRanks() {
        BenchData.Zipf zipf = new BenchData.Zipf(100, 1.0);
        Random r = new Random(3);
        int[] counts = new int[100];
        for (int i = 0; i < 100_000; i++) {
            counts[zipf.sample(r)]++;
        }
        assertTrue(counts[0] > 1.7 * counts[1] && counts[1] > counts[9] && counts[99] > 0,
                java.util.Arrays.toString(counts));
    }
}
