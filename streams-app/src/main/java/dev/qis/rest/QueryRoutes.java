package dev.qis.rest;

import dev.qis.fidelity.Elections;
import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.FidelityScore;
import dev.qis.fidelity.FidelityParams;
import dev.qis.fidelity.Recommendation;
import dev.qis.fidelity.Synthesis;
import dev.qis.protocol.FieldRules;
import dev.qis.protocol.Fingerprint;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.ProtocolException;
import dev.qis.query.FanOut;
import dev.qis.query.OwnerLocator;
import dev.qis.query.PeerClient;
import dev.qis.query.StateUnavailableException;
import dev.qis.query.StateViews;
import dev.qis.query.TopFilter;
import dev.qis.store.Breakdowns;
import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.StoreNames;
import dev.qis.store.TopK;
import dev.qis.store.TrustLookup;
import dev.qis.store.VoteEntry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The {@code /v1} endpoints. A keyed read is answered here when this instance owns the key and forwarded to the
 * owner otherwise; a request that was itself forwarded is never forwarded again (503 instead: ownership moved
 * between the two lookups). All-instance views fan out to every instance and merge only complete answers.
 */
public final class QueryRoutes {
    static final int DEFAULT_K = 10;
    static final int MAX_K = 1000;
    static final int DEFAULT_PAGE = 50;
    static final int MAX_PAGE = 1000;
    /**
     * Most packets a fingerprint's synthesis reads: the first in packet-id order. Ids are digests, so they are a
     * sample of the fingerprint's packets independent of when or by whom they were published; the read and the
     * answer's cost stay bounded however many packets one fingerprint collects.
     */
    static final int FINGERPRINT_EVIDENCE_MAX = 2000;
    /** Reports shown with a packet unless {@code reports_limit} asks for another number (up to {@link #MAX_PAGE}). */
    static final int DEFAULT_REPORTS = 100;
    /**
     * How many records a standby copy may be behind its changelog and still answer a keyed query when the active
     * copy cannot ({@code max_lag}); a standby that keeps up is a few records behind at most.
     */
    static final int DEFAULT_MAX_LAG = 10_000;
    static final String MAX_LAG = "max_lag";

    private static final Serializer<String> KEYS = new StringSerializer();

    private final StateViews views;
    private final OwnerLocator locator;
    private final PeerClient peers;
    private final FanOut fanOut;
    private final Synthesis synthesis;
    private final Breakdowns breakdowns;
    private final TopK topK;

    public QueryRoutes(StateViews views, OwnerLocator locator, PeerClient peers, FanOut fanOut, FidelityParams params) {
        this.views = views;
        this.locator = locator;
        this.peers = peers;
        this.fanOut = fanOut;
        this.synthesis = new Synthesis(params);
        this.breakdowns = new Breakdowns(new Elections(params));
        this.topK = new TopK(breakdowns, params.maxPerNode());
    }

    public List<Route> routes() {
        return List.of(
                Route.get("/v1/domains", Set.of(MAX_LAG, "limit", "cursor", FanOut.PARTITIONS_PARAM,
                        FanOut.COPIES_PARAM), this::domains),
                Route.get("/v1/domains/{domain}/top", Set.of("k", "family", "tag", "min_confidence", MAX_LAG),
                        this::top),
                Route.get("/v1/domains/{domain}/synthesis", Set.of("family", "tags", MAX_LAG), this::domainSynthesis),
                Route.get("/v1/fingerprints/{fingerprint}/packets", Set.of("limit", "cursor", MAX_LAG), this::packets),
                Route.get("/v1/fingerprints/{fingerprint}/synthesis", Set.of(MAX_LAG), this::fingerprintSynthesis),
                Route.get("/v1/packets/{packet_id}", Set.of("reports_limit", "reports_after", MAX_LAG),
                        this::packet),
                Route.get("/v1/nodes/{node_id}", this::node));
    }

    /**
     * Every domain, merged from one copy of each partition: active copies first, else (an instance died, the group is
     * rebalancing) a copy at most {@code max_lag} records behind. {@code Qis-Read-From} says whether any partition came
     * from such a copy, {@code Qis-Lag} the largest lag among them. Another instance asks with {@code partitions} (the
     * ones it still needs) and {@code copies} ({@code active} or {@code any}) and gets this instance's part of them.
     */
    ApiResponse domains(ApiRequest request) {
        int maxLag = request.intParam(MAX_LAG, DEFAULT_MAX_LAG, 0, Integer.MAX_VALUE);
        Optional<String> partitions = request.param(FanOut.PARTITIONS_PARAM);
        Optional<String> copies = request.param(FanOut.COPIES_PARAM);
        int limit = request.intParam("limit", MAX_PAGE, 1, MAX_PAGE);
        Optional<String> after = request.param("cursor").map(c -> name("cursor", c));
        if (!request.forwarded()) {
            if (partitions.isPresent() || copies.isPresent()) {
                throw ProblemException.badRequest(FanOut.PARTITIONS_PARAM + " and " + FanOut.COPIES_PARAM
                        + " are for requests between instances of the app");
            }
            FanOut.View<DomainEntry> view = fanOut.collect(StoreNames.DOMAIN_STATS, request.path(), maxLag,
                    (wanted, anyCopy, bound) -> domainPart(wanted, anyCopy, bound),
                    body -> ApiJson.read(body, DomainsResponse.class).domains());
            List<DomainEntry> all = new ArrayList<>(view.items());
            all.sort(Comparator.comparing(DomainEntry::domain));
            return freshness(ApiResponse.json(page(all, limit, after)), view.standby().isEmpty() ? "active" : "standby",
                    view.standby().isEmpty() ? null : view.lag());
        }
        Set<Integer> wanted;
        try {
            wanted = partitions.map(FanOut::parsePartitions).orElseGet(fanOut::allPartitions);
        } catch (NumberFormatException e) {
            throw ProblemException.badRequest(FanOut.PARTITIONS_PARAM + " must list partition numbers, got '"
                    + ProblemException.echo(partitions.orElse("")) + "'");
        }
        String mode = copies.orElse("active");
        if (!mode.equals("active") && !mode.equals("any")) {
            throw ProblemException.badRequest(FanOut.COPIES_PARAM + " must be active or any, got '"
                    + ProblemException.echo(mode) + "'");
        }
        FanOut.Part<DomainEntry> part = domainPart(wanted, mode.equals("any"), maxLag);
        Map<String, String> headers = new HashMap<>();
        headers.put(FanOut.PARTITIONS_HEADER, FanOut.formatPartitions(part.partitions()));
        headers.put(FanOut.STANDBY_PARTITIONS_HEADER, FanOut.formatPartitions(part.standby()));
        headers.put(PeerClient.READ_FROM_HEADER, part.standby().isEmpty() ? "active" : "standby");
        headers.put(PeerClient.LAG_HEADER, Long.toString(part.lag()));
        return ApiResponse.json(200, new DomainsResponse(part.items()), headers);
    }

    /** The first {@code max} packets, read a page of at most {@link #MAX_PAGE} at a time. */
    static List<StateViews.Scored<PacketState>> firstPackets(int max,
            java.util.function.BiFunction<Optional<String>, Integer, StateViews.PacketPage> read) {
        List<StateViews.Scored<PacketState>> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            StateViews.PacketPage page = read.apply(cursor, Math.min(MAX_PAGE, max - all.size()));
            all.addAll(page.packets());
            cursor = page.nextCursor();
        } while (cursor.isPresent() && all.size() < max);
        return all;
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

    private FanOut.Part<DomainEntry> domainPart(Set<Integer> partitions, boolean anyCopy, long maxLag) {
        FanOut.Part<DomainStats> part = views.localDomains(partitions, anyCopy, maxLag);
        return new FanOut.Part<>(part.items().stream().map(DomainEntry::of).toList(), part.partitions(),
                part.standby(), part.lag());
    }

    ApiResponse top(ApiRequest request) {
        String domain = domain(request);
        int k = request.intParam("k", DEFAULT_K, 1, MAX_K);
        TopFilter filter = new TopFilter(
                request.param("family").map(f -> name("family", f)),
                request.param("tag").map(t -> name("tag", t)),
                request.doubleParam("min_confidence", 0.0, 1.0));
        return owned(request, StoreNames.DOMAIN_CANDIDATES, domain, (views, partition) -> {
            requireDomain(views, domain, partition);
            List<TopK.Ranked> top = topK.top(views.candidates(domain, partition), filter, views.trust(),
                    views.nowMillis(), k);
            return ApiResponse.json(new TopResponse(domain, k,
                    top.stream().map(r -> PacketEntry.of(r.candidate(), r.score())).toList()));
        });
    }

    ApiResponse domainSynthesis(ApiRequest request) {
        String domain = domain(request);
        Optional<String> family = request.param("family").map(f -> name("family", f));
        List<String> tags = tags(request);
        return owned(request, StoreNames.DOMAIN_CANDIDATES, domain, (views, partition) -> {
            requireDomain(views, domain, partition);
            TrustLookup trust = views.trust();
            long now = views.nowMillis();
            List<Evidence> evidence = new ArrayList<>();
            for (Candidate c : views.candidates(domain, partition)) {
                evidence.add(breakdowns.evidence(c, trust, now));
            }
            Recommendation r = synthesis.recommend(new Synthesis.Context(family.orElse(""), domain, tags), evidence)
                    .orElseThrow(() -> ProblemException.notFound("domain '" + domain
                            + "' has no evidence with weight to synthesize from"));
            return ApiResponse.json(SynthesisResponse.of(domain, null, family.orElse(null), tags, r));
        });
    }

    ApiResponse packets(ApiRequest request) {
        String fp = fingerprint(request);
        int limit = request.intParam("limit", DEFAULT_PAGE, 1, MAX_PAGE);
        Optional<String> cursor = request.param("cursor");
        if (cursor.isPresent() && !(PacketId.isValid(cursor.get()) && cursor.get().startsWith(fp))) {
            throw ProblemException.badRequest("cursor must be a packet id of fingerprint " + fp + ", got '"
                    + ProblemException.echo(cursor.get()) + "'");
        }
        return owned(request, StoreNames.PACKETS, fp, (views, partition) -> {
            StateViews.PacketPage page = views.packets(fp, cursor, limit, partition);
            return ApiResponse.json(new PacketsPage(fp,
                    page.packets().stream().map(p -> PacketEntry.of(p.value(), p.score())).toList(),
                    page.nextCursor().orElse(null)));
        });
    }

    ApiResponse fingerprintSynthesis(ApiRequest request) {
        String fp = fingerprint(request);
        return owned(request, StoreNames.PACKETS, fp, (views, partition) -> {
            List<StateViews.Scored<PacketState>> all = firstPackets(FINGERPRINT_EVIDENCE_MAX,
                    (cursor, limit) -> views.packets(fp, cursor, limit, partition));
            if (all.isEmpty()) {
                throw ProblemException.notFound("fingerprint " + fp + " has no packets");
            }
            PacketFacts context = all.get(0).value().facts();
            TrustLookup trust = views.trust();
            long now = views.nowMillis();
            List<Evidence> evidence = all.stream().map(p -> breakdowns.evidence(p.value(), trust, now)).toList();
            Recommendation r = synthesis.recommend(
                            new Synthesis.Context(context.family(), context.task(), context.tags()), evidence)
                    .orElseThrow(() -> ProblemException.notFound("fingerprint " + fp
                            + " has no evidence with weight to synthesize from"));
            return ApiResponse.json(SynthesisResponse.of(context.task(), fp, context.family(), context.tags(), r));
        });
    }

    ApiResponse packet(ApiRequest request) {
        String id = request.pathParam("packet_id");
        if (!PacketId.isValid(id)) {
            throw ProblemException.badRequest("packet_id must be <16 hex fingerprint>-<16 hex>, got '" + ProblemException.echo(id) + "'");
        }
        int limit = request.intParam("reports_limit", DEFAULT_REPORTS, 0, MAX_PAGE);
        Optional<String> after = request.param("reports_after");
        if (after.isPresent()) {
            try {
                FieldRules.checkNodeId("reports_after", after.get());
            } catch (ProtocolException e) {
                throw ProblemException.badRequest(e.detail());
            }
        }
        String fp = id.substring(0, Fingerprint.LENGTH);
        return owned(request, StoreNames.PACKETS, fp, (views, partition) -> {
            StateViews.Scored<PacketState> scored = views.packet(id, partition)
                    .orElseThrow(() -> ProblemException.notFound("no packet " + id));
            StateViews.ReportPage reports = limit == 0
                    ? new StateViews.ReportPage(List.of(), Optional.empty())
                    : views.reports(id, after, limit, partition);
            return ApiResponse.json(detail(scored, reports, views.trust()));
        });
    }

    ApiResponse node(ApiRequest request) {
        String nodeId = request.pathParam("node_id");
        try {
            FieldRules.checkNodeId("node_id", nodeId);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.getMessage());
        }
        // node trust is a global store: every instance answers from its own copy, nothing to forward
        NodeTally tally = views.node(nodeId).orElseThrow(() -> ProblemException.notFound("no node " + nodeId
                + " has published an accepted packet"));
        return ApiResponse.json(new NodeResponse(nodeId, tally.trust(), tally.packets(), tally.successes(),
                tally.failures()));
    }

    /**
     * Answers a keyed read from the partition's active copy: here, or by passing the request to the active instance
     * and its answer back. When the active copy cannot answer (its instance is dead or unreachable, the partition is
     * moving or restoring), a standby copy at most {@code max_lag} records behind answers instead (KIP-535): this
     * instance's own, else another instance's. The answer says which copy it came from ({@code Qis-Read-From}) and,
     * for a standby, how far behind it was ({@code Qis-Lag}).
     */
    private ApiResponse owned(ApiRequest request, String store, String routingKey,
                              BiFunction<StateViews, Integer, ApiResponse> local) {
        int maxLag = request.intParam(MAX_LAG, DEFAULT_MAX_LAG, 0, Integer.MAX_VALUE);
        OwnerLocator.Placement placement = locator.placement(store, routingKey, KEYS);
        int partition = placement.partition();
        StateUnavailableException activeFailure;
        try {
            if (placement.active().filter(locator.self()::equals).isPresent()) {
                return freshness(local.apply(views, partition), "active", null);
            }
            if (placement.active().isEmpty()) {
                throw new StateUnavailableException("no instance is active for store " + store + " partition "
                        + partition + " yet");
            }
            if (request.forwarded()) {
                throw new StateUnavailableException("this instance was asked for '" + routingKey + "', but "
                        + PeerClient.address(placement.active().get()) + " owns it now (ownership is moving)");
            }
            PeerClient.PeerResponse answer = peers.get(placement.active().get(), request.pathAndQuery());
            if (answer.status() != 503) {
                return passedBack(answer);
            }
            throw new StateUnavailableException("the active instance " + PeerClient.address(placement.active().get())
                    + " cannot answer now (503)");
        } catch (StateUnavailableException e) {
            activeFailure = e;
        }
        // any copy this instance holds of the partition (a standby, or an active one still restoring) may answer
        Optional<Long> lag;
        try {
            lag = views.lag(store, partition);
        } catch (StateUnavailableException e) {
            activeFailure.addSuppressed(e);
            lag = Optional.empty();
        }
        if (lag.isPresent() && lag.get() <= maxLag) {
            try {
                return freshness(local.apply(views.withStandbys(), partition), "standby", lag.get());
            } catch (StateUnavailableException e) {
                activeFailure.addSuppressed(e);
            } catch (ProblemException e) {
                if (e.problem().status() != 404) {
                    throw e;
                }
                // a copy that is behind cannot tell that something does not exist: only the active copy says 404
                activeFailure.addSuppressed(e);
            }
        }
        if (!request.forwarded()) {
            // the standbys the assignment names; while it is being rebalanced (none named), any other instance
            Set<HostInfo> asked = new java.util.LinkedHashSet<>(placement.standbys());
            if (placement.standbys().isEmpty() && placement.active().isEmpty()) {
                asked.addAll(locator.others());
            }
            for (HostInfo standby : asked) {
                if (standby.equals(locator.self())) {
                    continue;
                }
                try {
                    PeerClient.PeerResponse answer = peers.get(standby, request.pathAndQuery());
                    if (answer.status() != 503) {
                        return passedBack(answer);
                    }
                } catch (StateUnavailableException e) {
                    activeFailure.addSuppressed(e);
                }
            }
        }
        throw new StateUnavailableException(activeFailure.getMessage() + "; no standby copy within " + MAX_LAG + "="
                + maxLag + " records could answer either", activeFailure);
    }

    private static ApiResponse passedBack(PeerClient.PeerResponse answer) {
        Map<String, String> headers = new HashMap<>(answer.freshness());
        answer.retryAfter().ifPresent(v -> headers.put("Retry-After", v));
        return new ApiResponse(answer.status(), answer.contentType(), answer.body(), headers);
    }

    private static ApiResponse freshness(ApiResponse answer, String readFrom, Long lag) {
        Map<String, String> headers = new HashMap<>(answer.headers());
        headers.put(PeerClient.READ_FROM_HEADER, readFrom);
        if (lag != null) {
            headers.put(PeerClient.LAG_HEADER, Long.toString(lag));
        }
        return new ApiResponse(answer.status(), answer.contentType(), answer.body(), headers);
    }

    private static void requireDomain(StateViews views, String domain, int partition) {
        if (views.domain(domain, partition).isEmpty()) {
            throw ProblemException.notFound("no packet has been accepted for domain '" + domain + "'");
        }
    }

    private PacketDetail detail(StateViews.Scored<PacketState> scored, StateViews.ReportPage page, TrustLookup trust) {
        PacketState s = scored.value();
        PacketFacts f = s.facts();
        List<ReportEntry> reports = new ArrayList<>();
        for (StateViews.Report r : page.reports()) {
            VoteEntry e = r.entry();
            reports.add(new ReportEntry(r.reporter(), e.reportId(), Instant.ofEpochMilli(e.issuedAt()).toString(),
                    e.observedScore(), e.observedGain(), e.nEvalSamples(), e.reproduced(), r.backed(),
                    trust.trust(r.reporter())));
        }
        FidelityScore score = scored.score();
        return new PacketDetail(f.packetId(), f.nodeId(), f.fingerprint(), Instant.ofEpochMilli(f.issuedAt()).toString(),
                f.family(), f.task(), f.tags(), f.dataScale(), f.benchmark(), f.metric(), f.baselineScore(),
                f.outcomeScore(), f.higherIsBetter(), f.methodType(), f.hyperparams(), f.heldOutEval(),
                f.nEvalSamples(), f.confidence(), f.informedBy(), f.gain(),
                new PacketDetail.Elections(score.curate(), s.citations(), score.vote(), s.successes(), s.failures(),
                        s.votes(), reports, page.nextReporter().orElse(null), score.trust(), score.decay(),
                        score.fidelity(), score.routed(), score.expectedGain(), score.expectedGainLow(), score.expectedGainHigh(),
                        score.evidenceWeight()));
    }

    private static String domain(ApiRequest request) {
        String domain = request.pathParam("domain");
        try {
            FieldRules.checkTask(domain);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest("domain " + e.detail());
        }
        return domain;
    }

    private static String fingerprint(ApiRequest request) {
        String fp = request.pathParam("fingerprint");
        if (!Fingerprint.isValid(fp)) {
            throw ProblemException.badRequest("fingerprint must be 16 lower-case hex characters, got '" + ProblemException.echo(fp) + "'");
        }
        return fp;
    }

    private static String name(String param, String value) {
        try {
            FieldRules.checkName(param, value);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.detail()); // the detail names the parameter
        }
        return value;
    }

    private static List<String> tags(ApiRequest request) {
        List<String> tags = request.param("tags").map(t -> Arrays.asList(t.split(",", -1))).orElse(List.of());
        try {
            FieldRules.checkTags(tags);
        } catch (ProtocolException e) {
            throw ProblemException.badRequest(e.detail());
        }
        return tags;
    }
}
