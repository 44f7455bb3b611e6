package dev.qis.store;

import dev.qis.fidelity.Elections;

/**
 * A node's earned trust as the reader sees it (the {@link StoreNames#NODE_TRUST} global store). A node nobody has
 * reproduced yet — a fresh key included — has the prior, ½, the same as a node with as many backed reproductions
 * as refutations.
 */
@FunctionalInterface
public interface TrustLookup {
    double UNKNOWN = Elections.trust(0, 0);
    TrustLookup NEUTRAL = nodeId -> UNKNOWN;

    double trust(String nodeId);

    /** Reads the trust from a node-tally lookup (null when the node has no tally yet). */
    static TrustLookup of(java.util.function.Function<String, NodeTally> tallies) {
        return nodeId -> {
            NodeTally t = tallies.apply(nodeId);
            return t == null ? UNKNOWN : t.trust();
        };
    }
}
