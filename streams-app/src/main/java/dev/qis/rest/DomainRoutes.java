package dev.qis.rest;

import dev.qis.query.FanOut;
import dev.qis.query.PeerClient;
import dev.qis.query.QueryService;
import dev.qis.query.TopFilter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** {@code /v1/domains}: every domain, a domain's top-k and its synthesized recommendation. */
final class DomainRoutes {
    static final int DEFAULT_K = 10;
    static final int MAX_K = 1000;

    private final QueryService queries;

    DomainRoutes(QueryService queries) {
        this.queries = queries;
    }

    List<Route> routes() {
        return List.of(
                Route.get("/v1/domains", Set.of(QueryParams.MAX_LAG, "limit", "cursor", FanOut.PARTITIONS_PARAM,
                        FanOut.COPIES_PARAM), this::domains),
                Route.get("/v1/domains/{domain}/top", Set.of("k", "family", "tag", "min_confidence",
                        QueryParams.MAX_LAG), this::top),
                Route.get("/v1/domains/{domain}/synthesis", Set.of("family", "tags", QueryParams.MAX_LAG),
                        this::synthesis));
    }

    /**
     * Every domain, merged from one copy of each partition: active copies first, else (an instance died, the group is
     * rebalancing) a copy at most {@code max_lag} records behind. {@code Qis-Read-From} says whether any partition came
     * from such a copy, {@code Qis-Lag} the largest lag among them. Another instance asks with {@code partitions} (the
     * ones it still needs) and {@code copies} ({@code active} or {@code any}) and gets this instance's part of them.
     */
    ApiResponse domains(ApiRequest request) {
        int maxLag = QueryParams.maxLag(request);
        Optional<String> partitions = request.param(FanOut.PARTITIONS_PARAM);
        Optional<String> copies = request.param(FanOut.COPIES_PARAM);
        int limit = request.intParam("limit", QueryParams.MAX_PAGE, 1, QueryParams.MAX_PAGE);
        Optional<String> after = request.param("cursor").map(c -> QueryParams.name("cursor", c));
        if (!request.forwarded()) {
            if (partitions.isPresent() || copies.isPresent()) {
                throw ProblemException.badRequest(FanOut.PARTITIONS_PARAM + " and " + FanOut.COPIES_PARAM
                        + " are for requests between instances of the app");
            }
            FanOut.View<DomainEntry> view = queries.domains(request.path(), maxLag, DomainEntry::of,
                    body -> ApiJson.read(body, DomainsResponse.class).domains());
            List<DomainEntry> all = new ArrayList<>(view.items());
            all.sort(Comparator.comparing(DomainEntry::domain));
            return Answers.freshness(ApiResponse.json(page(all, limit, after)),
                    view.standby().isEmpty() ? "active" : "standby", view.standby().isEmpty() ? null : view.lag());
        }
        Set<Integer> wanted;
        try {
            wanted = partitions.map(FanOut::parsePartitions).orElseGet(queries::allPartitions);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(FanOut.PARTITIONS_PARAM + " must list partition numbers, got '"
                    + ProblemException.echo(partitions.orElse("")) + "'");
        }
        String mode = copies.orElse("active");
        if (!mode.equals("active") && !mode.equals("any")) {
            throw ProblemException.badRequest(FanOut.COPIES_PARAM + " must be active or any, got '"
                    + ProblemException.echo(mode) + "'");
        }
        FanOut.Part<DomainEntry> part = queries.domainsHere(wanted, mode.equals("any"), maxLag, DomainEntry::of);
        Map<String, String> headers = new HashMap<>();
        headers.put(FanOut.PARTITIONS_HEADER, FanOut.formatPartitions(part.partitions()));
        headers.put(FanOut.STANDBY_PARTITIONS_HEADER, FanOut.formatPartitions(part.standby()));
        headers.put(PeerClient.READ_FROM_HEADER, part.standby().isEmpty() ? "active" : "standby");
        headers.put(PeerClient.LAG_HEADER, Long.toString(part.lag()));
        return ApiResponse.json(200, new DomainsResponse(part.items()), headers);
    }

    /** The domains after {@code after}, at most {@code limit}, and the cursor of the next page when more follow. */
    static DomainsResponse page(List<DomainEntry> sorted, int limit, Optional<String> after) {
        List<DomainEntry> rest = after.map(a -> sorted.stream().filter(d -> d.domain().compareTo(a) > 0).toList())
                .orElse(sorted);
        if (rest.size() <= limit) {
            return new DomainsResponse(rest);
        }
        List<DomainEntry> page = rest.subList(0, limit);
        return new DomainsResponse(List.copyOf(page), page.get(limit - 1).domain());
    }

    ApiResponse top(ApiRequest request) {
        String domain = QueryParams.domain(request);
        int k = request.intParam("k", DEFAULT_K, 1, MAX_K);
        TopFilter filter = new TopFilter(
                request.param("family").map(f -> QueryParams.name("family", f)),
                request.param("tag").map(t -> QueryParams.name("tag", t)),
                request.doubleParam("min_confidence", 0.0, 1.0));
        return Answers.respond(queries.top(QueryParams.query(request), domain, filter, k),
                top -> new TopResponse(domain, k, top.stream().map(PacketEntry::of).toList()));
    }

    ApiResponse synthesis(ApiRequest request) {
        String domain = QueryParams.domain(request);
        Optional<String> family = request.param("family").map(f -> QueryParams.name("family", f));
        List<String> tags = QueryParams.tags(request);
        return Answers.respond(queries.domainSynthesis(QueryParams.query(request), domain, family, tags),
                r -> SynthesisResponse.of(domain, null, family.orElse(null), tags, r));
    }
}
