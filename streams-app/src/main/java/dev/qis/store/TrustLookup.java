package dev.qis.store;

/** A node's current trust as the reader sees it (the {@link StoreNames#NODE_TRUST} global store); 1 when unknown. */
@FunctionalInterface
public interface TrustLookup {
    TrustLookup NEUTRAL = nodeId -> 1.0;

    double trust(String nodeId);

    /** Reads the trust from a node-tally lookup (null when the node has no tally yet). */
    static TrustLookup of(java.util.function.Function<String, NodeTally> tallies) {
        return nodeId -> {
            NodeTally t = tallies.apply(nodeId);
            return t == null ? 1.0 : t.trust();
        };
    }
}
