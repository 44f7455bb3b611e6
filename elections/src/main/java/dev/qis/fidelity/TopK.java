package dev.qis.fidelity;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A domain's top-k at read time, from its candidates: only listed ones (expected gain above 0, more backed
 * reproductions than refutations), best expected gain × decay first — the order of the stored rank key, so the
 * order eviction keeps is the order answers show (ties: smaller packet id) — at most {@code maxPerNode} per node.
 * Filters apply before the per-node cap and the cut, so a filter never leaves the answer short.
 *
 * @param <C> the candidates as the caller keeps them
 */
public final class TopK<C extends TopK.Entry> {
    private final Scorer<C> scorer;
    private final int maxPerNode;

    /** What ranking needs of a candidate. */
    public interface Entry {
        String packetId();

        String nodeId();

        /** Listed: expected gain above 0 and more backed reproductions than refutations. */
        boolean listed();

        /** The rank key: log of expected gain × decay at the candidate's issue time. */
        double logScore();
    }

    /** A candidate's breakdown with current trust at {@code nowMillis}. */
    @FunctionalInterface
    public interface Scorer<C> {
        FidelityScore score(C candidate, TrustLookup trust, long nowMillis);
    }

    /** One answer entry with its elections breakdown. */
    public record Ranked<C>(C candidate, FidelityScore score) {
    }

    public TopK(Scorer<C> scorer, int maxPerNode) {
        this.scorer = scorer;
        this.maxPerNode = maxPerNode;
    }

    public List<Ranked<C>> top(List<C> candidates, Predicate<? super C> filter, TrustLookup trust, long nowMillis,
                               int k) {
        List<C> listed = new ArrayList<>();
        for (C c : candidates) {
            if (c.listed() && filter.test(c)) {
                listed.add(c);
            }
        }
        listed.sort(Comparator.comparingDouble((C c) -> c.logScore()).reversed()
                .thenComparing(c -> c.packetId()));
        Map<String, Integer> perNode = new HashMap<>();
        List<Ranked<C>> answer = new ArrayList<>();
        for (C c : listed) {
            if (answer.size() >= k) {
                break;
            }
            int n = perNode.merge(c.nodeId(), 1, Integer::sum);
            if (n <= maxPerNode) {
                answer.add(new Ranked<>(c, scorer.score(c, trust, nowMillis)));
            }
        }
        return answer;
    }
}
