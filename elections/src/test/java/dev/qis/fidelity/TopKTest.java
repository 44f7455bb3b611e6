package dev.qis.fidelity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A domain's top-k: listed only, best rank key first (ties: smaller packet id), a per-node cap, filters first. */
class TopKTest {
    record Entry(String packetId, String nodeId, boolean listed, double logScore) implements TopK.Entry {
    }

    private final List<String> scored = new ArrayList<>();
    private final TopK<Entry> topK = new TopK<>((c, trust, now) -> {
        scored.add(c.packetId() + "@" + now + "/" + trust.trust(c.nodeId()));
        return null;
    }, 2);

    private static List<String> ids(List<TopK.Ranked<Entry>> ranked) {
        return ranked.stream().map(r -> r.candidate().packetId()).toList();
    }

    @Test
    void onlyListedCandidatesBestRankKeyFirstTiesBySmallerId() {
        List<Entry> candidates = List.of(
                new Entry("p3", "n1", true, -1.0),
                new Entry("p1", "n2", true, -0.5),
                new Entry("p9", "n3", false, 5.0), // not listed, however high its key
                new Entry("p2", "n4", true, -1.0)); // ties p3: smaller id first
        assertEquals(List.of("p1", "p2", "p3"), ids(topK.top(candidates, c -> true, TrustLookup.NEUTRAL, 0, 10)));
    }

    @Test
    void atMostMaxPerNodeFromOneNodeAndAtMostK() {
        List<Entry> candidates = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            candidates.add(new Entry("f" + i, "flood", true, -i));
        }
        candidates.add(new Entry("q", "quiet", true, -10));
        assertEquals(List.of("f0", "f1", "q"), ids(topK.top(candidates, c -> true, TrustLookup.NEUTRAL, 0, 10)));
        assertEquals(List.of("f0", "f1"), ids(topK.top(candidates, c -> true, TrustLookup.NEUTRAL, 0, 2)));
        assertEquals(List.of("f0"), ids(topK.top(candidates, c -> true, TrustLookup.NEUTRAL, 0, 1)));
    }

    @Test
    void aFilterAppliesBeforeTheCapAndTheCut() {
        List<Entry> candidates = List.of(
                new Entry("a", "n1", true, 3),
                new Entry("b", "n1", true, 2),
                new Entry("c", "n2", true, 1),
                new Entry("d", "n2", true, 0));
        assertEquals(List.of("c", "d"), ids(topK.top(candidates, c -> c.nodeId().equals("n2"),
                TrustLookup.NEUTRAL, 0, 2)), "the excluded entries take no places");
        assertTrue(topK.top(candidates, c -> false, TrustLookup.NEUTRAL, 0, 2).isEmpty());
    }

    @Test
    void onlyTheAnswersEntriesAreScoredWithTheGivenTrustAndTime() {
        List<Entry> candidates = List.of(new Entry("a", "n1", true, 1), new Entry("b", "n2", true, 0),
                new Entry("c", "n3", false, 2));
        topK.top(candidates, c -> true, node -> node.equals("n1") ? 0.75 : 0.25, 42L, 1);
        assertEquals(List.of("a@42/0.75"), scored);
    }

    @Test
    void trustFollowsFromATallyAndAnUnknownNodeHasThePrior() {
        record Tally(long successes, long failures) implements TrustLookup.Tally {
        }
        TrustLookup trust = TrustLookup.of(node -> node.equals("known") ? new Tally(3, 1) : null);
        assertEquals(Elections.trust(3, 1), trust.trust("known"));
        assertEquals(TrustLookup.UNKNOWN, trust.trust("fresh"));
        assertEquals(Elections.trust(0, 0), TrustLookup.NEUTRAL.trust("anyone"));
    }
}
