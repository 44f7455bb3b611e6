package dev.qis.query;

import dev.qis.store.Candidate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Picks a domain's top-k from its scored candidates: routed packets only, the caller's filters first, then by
 * fidelity with at most {@code maxPerNode} packets of one node (a flooding node cannot own a domain), then the cut.
 */
public final class DomainTopK {
    private DomainTopK() {
    }

    /** What the caller narrowed the answer to; empty means no filter. */
    public record Filter(Optional<String> family, Optional<String> tag, Optional<Double> minConfidence) {
        public static final Filter NONE = new Filter(Optional.empty(), Optional.empty(), Optional.empty());

        boolean accepts(Candidate c) {
            return family.map(f -> f.equals(c.facts().family())).orElse(true)
                    && tag.map(t -> c.facts().tags().contains(t)).orElse(true)
                    && minConfidence.map(m -> c.facts().confidence() >= m).orElse(true);
        }
    }

    public static List<StateViews.Scored<Candidate>> select(List<StateViews.Scored<Candidate>> candidates,
                                                             Filter filter, int k, int maxPerNode) {
        List<StateViews.Scored<Candidate>> eligible = new ArrayList<>();
        for (StateViews.Scored<Candidate> c : candidates) {
            if (c.score().routed() && filter.accepts(c.value())) {
                eligible.add(c);
            }
        }
        eligible.sort(Comparator.<StateViews.Scored<Candidate>>comparingDouble(c -> c.score().fidelity()).reversed()
                .thenComparing(c -> c.value().packetId()));
        Map<String, Integer> perNode = new HashMap<>();
        List<StateViews.Scored<Candidate>> out = new ArrayList<>();
        for (StateViews.Scored<Candidate> c : eligible) {
            if (out.size() == k) {
                break;
            }
            int n = perNode.merge(c.value().facts().nodeId(), 1, Integer::sum);
            if (n <= maxPerNode) {
                out.add(c);
            }
        }
        return out;
    }
}
