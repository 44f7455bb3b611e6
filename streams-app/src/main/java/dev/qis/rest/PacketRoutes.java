package dev.qis.rest;

import dev.qis.protocol.FieldRules;
import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.ProtocolException;
import dev.qis.query.QueryService;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/packets/{packet_id}}: one packet, its elections and a page of the reports on it. */
final class PacketRoutes {
    /** Reports shown with a packet unless {@code reports_limit} asks for another number (up to the page bound). */
    static final int DEFAULT_REPORTS = 100;

    private final QueryService queries;

    PacketRoutes(QueryService queries) {
        this.queries = queries;
    }

    List<Route> routes() {
        return List.of(Route.get("/v1/packets/{packet_id}", Set.of("reports_limit", "reports_after",
                QueryParams.MAX_LAG), this::packet));
    }

    ApiResponse packet(ApiRequest request) {
        String id = request.pathParam("packet_id");
        if (!PacketId.isValid(id)) {
            throw ProblemException.badRequest("packet_id must be <16 hex fingerprint>-<16 hex>, got '"
                    + ProblemException.echo(id) + "'");
        }
        int limit = request.intParam("reports_limit", DEFAULT_REPORTS, 0, QueryParams.MAX_PAGE);
        Optional<String> after = request.param("reports_after");
        if (after.isPresent()) {
            try {
                FieldRules.checkNodeId("reports_after", after.get());
            } catch (ProtocolException e) {
                throw ProblemException.badRequest(e.detail());
            }
        }
        String fp = id.substring(0, Fingerprint.LENGTH);
        return Answers.respond(queries.packet(QueryParams.query(request), id, fp, after, limit), PacketDetail::of);
    }
}
