package dev.qis.store;

import dev.qis.fidelity.FidelityScore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A domain's top-k at read time, from its stored candidates: only listed ones (expected gain above 0, more backed
 * reproductions than refutations), best expected gain × decay first — the order of the stored rank key, so the
 * order eviction keeps is the order answers show (ties: smaller packet id) — at most {@code maxPerNode} per node.
 */
public final class TopK {
    private final Breakdowns breakdowns;
    private final int maxPerNode;

    /** One answer entry with its elections breakdown. */
    public record Ranked(Candidate candidate, FidelityScore score) { }

    public TopK(Breakdowns breakdowns, int maxPerNode) {
        this.breakdowns = breakdowns;
        this.maxPerNode = maxPerNode;
    }

    public List<Ranked> top(List<Candidate> candidates, Predicate<Candidate> filter, TrustLookup trust,
                            long nowMillis, int k) {
        List<Candidate> listed = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.listed() && filter.test(c)) {
                listed.add(c);
            }
        }
        listed.sort(Comparator.comparingDouble(Candidate::logScore).reversed().thenComparing(Candidate::packetId));
        Map<String, Integer> perNode = new HashMap<>();
        List<Ranked> answer = new ArrayList<>();
        for (Candidate c : listed) {
            if (answer.size() >= k) {
                break;
            }
            int n = perNode.merge(c.facts().nodeId(), 1, Integer::sum);
            if (n <= maxPerNode) {
                answer.add(new Ranked(c, breakdowns.of(c, trust, nowMillis)));
            }
        }
        return answer;
    }
}
