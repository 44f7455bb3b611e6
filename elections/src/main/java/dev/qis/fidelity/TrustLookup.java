package dev.qis.fidelity;

import java.util.function.Function;

/**
 * A node's earned trust as a reader sees it. A node nobody has reproduced yet — a fresh key included — has the
 * prior, ½, the same as a node with as many backed reproductions as refutations.
 */
@FunctionalInterface
public interface TrustLookup {
    double UNKNOWN = Elections.trust(0, 0);
    TrustLookup NEUTRAL = nodeId -> UNKNOWN;

    double trust(String nodeId);

    /** What a node's trust follows from: the backed reproductions and refutations of its packets by others. */
    interface Tally {
        long successes();

        long failures();
    }

    /** Reads the trust from a tally lookup (null when the node has no tally yet). */
    static TrustLookup of(Function<String, ? extends Tally> tallies) {
        return nodeId -> {
            Tally t = tallies.apply(nodeId);
            return t == null ? UNKNOWN : Elections.trust(t.successes(), t.failures());
        };
    }
}
