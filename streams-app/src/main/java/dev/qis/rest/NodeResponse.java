package dev.qis.rest;

import dev.qis.store.NodeTally;

/** {@code GET /v1/nodes/{node_id}}: a node's trust and the tallies it follows from. */
public record NodeResponse(String nodeId, double trust, long packets, long successes, long failures) {
    public static NodeResponse of(String nodeId, NodeTally tally) {
        return new NodeResponse(nodeId, tally.trust(), tally.packets(), tally.successes(), tally.failures());
    }
}
