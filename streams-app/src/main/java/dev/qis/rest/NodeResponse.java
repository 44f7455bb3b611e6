package dev.qis.rest;

/** {@code GET /v1/nodes/{node_id}}: a node's trust and the tallies it follows from. */
public record NodeResponse(String nodeId, double trust, long packets, long successes, long failures) {
}
