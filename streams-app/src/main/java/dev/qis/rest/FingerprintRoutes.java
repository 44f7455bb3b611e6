package dev.qis.rest;

import dev.qis.protocol.PacketId;
import dev.qis.query.QueryService;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/fingerprints/{fingerprint}}: a fingerprint's packets a page at a time, and its recommendation. */
final class FingerprintRoutes {
    static final int DEFAULT_PAGE = 50;

    private final QueryService queries;

    FingerprintRoutes(QueryService queries) {
        this.queries = queries;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/v1/fingerprints/{fingerprint}/packets", Set.of("limit", "cursor", QueryParams.MAX_LAG),
                        this::packets),
                Route.get("/v1/fingerprints/{fingerprint}/synthesis", Set.of(QueryParams.MAX_LAG), this::synthesis));
    }

    ApiResponse packets(ApiRequest request) {
        String fp = QueryParams.fingerprint(request);
        int limit = request.intParam("limit", DEFAULT_PAGE, 1, QueryParams.MAX_PAGE);
        Optional<String> cursor = request.param("cursor");
        if (cursor.isPresent() && !(PacketId.isValid(cursor.get()) && cursor.get().startsWith(fp))) {
            throw ProblemException.badRequest("cursor must be a packet id of fingerprint " + fp + ", got '"
                    + ProblemException.echo(cursor.get()) + "'");
        }
        return Answers.respond(queries.packets(QueryParams.query(request), fp, cursor, limit),
                page -> new PacketsPage(fp, page.packets().stream().map(PacketEntry::of).toList(),
                        page.nextCursor().orElse(null)));
    }

    ApiResponse synthesis(ApiRequest request) {
        String fp = QueryParams.fingerprint(request);
        return Answers.respond(queries.fingerprintSynthesis(QueryParams.query(request), fp), s -> SynthesisResponse.of(
                s.context().task(), fp, s.context().family(), s.context().tags(), s.recommendation()));
    }
}
