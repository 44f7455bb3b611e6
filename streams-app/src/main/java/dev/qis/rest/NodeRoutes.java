package dev.qis.rest;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.ProtocolException;
import dev.qis.query.QueryService;
import java.util.List;

/** {@code /v1/nodes/{node_id}}: a node's earned trust and the tallies it follows from. */
final class NodeRoutes {
    private final QueryService queries;

    NodeRoutes(QueryService queries) {
        this.queries = queries;
    }

    List<Route> routes() {
        return List.of(Route.get("/v1/nodes/{node_id}", this::node));
    }

    ApiResponse node(ApiRequest request) {
        String nodeId = request.pathParam("node_id");
        try {
            FieldRules.checkNodeId("node_id", nodeId);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        return ApiResponse.json(queries.node(nodeId).map(tally -> NodeResponse.of(nodeId, tally))
                .orElseThrow(() -> ProblemException.notFound("no node " + nodeId
                        + " has published an accepted packet")));
    }
}
