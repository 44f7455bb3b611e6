package dev.qis.store;

import dev.qis.fidelity.FidelityScore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A domain's top-k at read time, from its stored candidates: each scored with current trust and decay, only
 * routed ones, best fidelity first (ties: smaller packet id), at most {@code maxPerNode} per node so a flooding
 * node cannot own a domain.
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
        List<Ranked> scored = new ArrayList<>();
        for (Candidate c : candidates) {
            if (filter.test(c)) {
                FidelityScore s = breakdowns.of(c, trust, nowMillis);
                if (s.routed()) {
                    scored.add(new Ranked(c, s));
                }
            }
        }
        scored.sort(Comparator.comparingDouble((Ranked r) -> r.score().fidelity()).reversed()
                .thenComparing(r -> r.candidate().packetId()));
        Map<String, Integer> perNode = new HashMap<>();
        List<Ranked> answer = new ArrayList<>();
        for (Ranked r : scored) {
            if (answer.size() >= k) {
                break;
            }
            int n = perNode.merge(r.candidate().facts().nodeId(), 1, Integer::sum);
            if (n <= maxPerNode) {
                answer.add(r);
            }
        }
        return answer;
    }
}
