package dev.qis.rest;

import dev.qis.query.QueryService;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code /v1} query endpoints, one route class per resource: domains, fingerprints, packets, nodes. Each handler
 * checks its parameters, asks the {@link QueryService} (which locates the key's copy, reads it here or forwards, and
 * scores) and maps the typed answer to its DTO.
 */
public final class QueryRoutes {
    private final QueryService queries;

    public QueryRoutes(QueryService queries) {
        this.queries = queries;
    }

    public List<Route> routes() {
        List<Route> all = new ArrayList<>(new DomainRoutes(queries).routes());
        all.addAll(new FingerprintRoutes(queries).routes());
        all.addAll(new PacketRoutes(queries).routes());
        all.addAll(new NodeRoutes(queries).routes());
        return all;
    }
}
