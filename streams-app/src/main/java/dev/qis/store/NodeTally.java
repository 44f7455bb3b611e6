package dev.qis.store;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.TrustLookup;

/**
 * Value of {@link StoreNames#NODE_TALLIES} and {@link StoreNames#NODE_TRUST}: a node's accepted packets and the
 * BACKED reproductions and refutations by other nodes over all its packets (latest report per reporter and packet,
 * counted only when the reporter's own run cites the packet). Its earned trust follows from these alone, so it
 * does not depend on the order reports arrived in.
 */
public record NodeTally(String nodeId, long packets, long successes, long failures) implements TrustLookup.Tally {
    public static NodeTally empty(String nodeId) {
        return new NodeTally(nodeId, 0, 0, 0);
    }

    public NodeTally plus(long dPackets, long dSuccesses, long dFailures) {
        return new NodeTally(nodeId, packets + dPackets, successes + dSuccesses, failures + dFailures);
    }

    public double trust() {
        return Elections.trust(successes, failures);
    }
}
