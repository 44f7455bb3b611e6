package dev.qis.query;

import dev.qis.store.Candidate;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What a top-k caller narrowed the answer to (empty: no filter). Applied before the per-node cap and the cut, so
 * a filter never leaves the answer short because packets it excludes took the places.
 */
public record TopFilter(Optional<String> family, Optional<String> tag, Optional<Double> minConfidence)
        implements Predicate<Candidate> {
    public static final TopFilter NONE = new TopFilter(Optional.empty(), Optional.empty(), Optional.empty());

    @Override
    public boolean test(Candidate c) {
        return family.map(f -> f.equals(c.facts().family())).orElse(true)
                && tag.map(t -> c.facts().tags().contains(t)).orElse(true)
                && minConfidence.map(m -> c.facts().confidence() >= m).orElse(true);
    }
}
