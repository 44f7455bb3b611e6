package dev.qis.query;

import dev.qis.fidelity.Evidence;
import dev.qis.fidelity.Recommendation;
import dev.qis.fidelity.Synthesis;
import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.StoreNames;
import dev.qis.fidelity.TopK;
import dev.qis.fidelity.TrustLookup;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.state.HostInfo;

/**
 * The read path of every query: locate the copy that holds the key, read it here or forward to the instance that
 * holds it, and score what was read with current trust and decay. Answers are typed values; turning them into HTTP
 * is the REST layer's part. A keyed read is answered here when this instance owns the key and forwarded to the owner
 * otherwise; a request that was itself forwarded is never forwarded again (unavailable instead: ownership moved
 * between the two lookups). All-instance views fan out to every instance and merge only complete answers.
 */
public final class QueryService {
    /** Most packets one read of a fingerprint's packets returns: the largest page a client may ask for. */
    public static final int READ_PAGE = 1000;
    /**
     * Most packets a fingerprint's synthesis reads: the first in packet-id order. Ids are digests, so they are a
     * sample of the fingerprint's packets independent of when or by whom they were published; the read and the
     * answer's cost stay bounded however many packets one fingerprint collects.
     */
    public static final int FINGERPRINT_EVIDENCE_MAX = 2000;

    private static final Serializer<String> KEYS = new StringSerializer();

    private final StateViews views;
    private final OwnerLocator locator;
    private final PeerClient peers;
    private final FanOut fanOut;
    private final Breakdowns breakdowns;
    private final Synthesis synthesis;
    private final TopK<Candidate> topK;

    /** A packet with its breakdown, one page of its reports with each reporter's current trust, and what follows. */
    public record PacketRead(StateViews.Scored<PacketState> packet, List<ReportRead> reports,
                             Optional<String> nextReporter) {
        public PacketRead {
            reports = List.copyOf(reports);
        }
    }

    /** One report on a packet and its reporter's current trust. */
    public record ReportRead(StateViews.Report report, double reporterTrust) {
    }

    /** A fingerprint's recommendation and the facts of its first packet, which name the context it is for. */
    public record FingerprintSynthesis(PacketFacts context, Recommendation recommendation) {
    }

    /** {@code views} must score with the same {@code breakdowns}: one scoring for every answer. */
    public QueryService(StateViews views, OwnerLocator locator, PeerClient peers, FanOut fanOut,
                        Breakdowns breakdowns, Synthesis synthesis, int maxPerNode) {
        this.views = views;
        this.locator = locator;
        this.peers = peers;
        this.fanOut = fanOut;
        this.breakdowns = breakdowns;
        this.synthesis = synthesis;
        this.topK = new TopK<>(breakdowns::of, maxPerNode);
    }

    // ---- domains: an all-instance view --------------------------------------------------------------------------

    /** Every partition of the stores' input topics. */
    public Set<Integer> allPartitions() {
        return fanOut.allPartitions();
    }

    /**
     * Every domain, merged from one copy of each partition (see {@link FanOut}); {@code path} is asked of the other
     * instances, whose answers {@code parse} reads into the same items {@code item} makes of this instance's.
     */
    public <T> FanOut.View<T> domains(String path, long maxLag, Function<DomainStats, T> item,
                                      Function<byte[], List<T>> parse) {
        return fanOut.collect(StoreNames.DOMAIN_STATS, path, maxLag,
                (wanted, anyCopy, bound) -> domainsHere(wanted, anyCopy, bound, item), parse);
    }

    /** This instance's part of the domains: those of {@code partitions} it holds a copy of that may answer. */
    public <T> FanOut.Part<T> domainsHere(Set<Integer> partitions, boolean anyCopy, long maxLag,
                                          Function<DomainStats, T> item) {
        FanOut.Part<DomainStats> part = views.localDomains(partitions, anyCopy, maxLag);
        return new FanOut.Part<>(part.items().stream().map(item).toList(), part.partitions(), part.standby(),
                part.lag());
    }

    // ---- keyed reads ----------------------------------------------------------------------------------------------

    /** A domain's top {@code k} listed candidates that pass {@code filter}, best first, with their breakdowns. */
    public Answer<List<TopK.Ranked<Candidate>>> top(Request request, String domain, TopFilter filter, int k) {
        return owned(request, StoreNames.DOMAIN_CANDIDATES, domain, (views, partition) -> {
            if (views.domain(domain, partition).isEmpty()) {
                return noDomain(domain);
            }
            return Answer.Found.of(topK.top(views.candidates(domain, partition), filter, views.trust(),
                    views.nowMillis(), k));
        });
    }

    /** The recommendation synthesized from a domain's candidates for a family and tags. */
    public Answer<Recommendation> domainSynthesis(Request request, String domain, Optional<String> family,
                                                  List<String> tags) {
        return owned(request, StoreNames.DOMAIN_CANDIDATES, domain, (views, partition) -> {
            if (views.domain(domain, partition).isEmpty()) {
                return noDomain(domain);
            }
            TrustLookup trust = views.trust();
            long now = views.nowMillis();
            List<Evidence> evidence = new ArrayList<>();
            for (Candidate c : views.candidates(domain, partition)) {
                evidence.add(breakdowns.evidence(c, trust, now));
            }
            return synthesis.recommend(new Synthesis.Context(family.orElse(""), domain, tags), evidence)
                    .<Answer<Recommendation>>map(Answer.Found::of)
                    .orElseGet(() -> new Answer.Missing<>("domain '" + domain
                            + "' has no evidence with weight to synthesize from"));
        });
    }

    /** One page of a fingerprint's packets in packet-id order, after {@code cursor} when one is given. */
    public Answer<StateViews.PacketPage> packets(Request request, String fingerprint, Optional<String> cursor,
                                                 int limit) {
        return owned(request, StoreNames.PACKETS, fingerprint,
                (views, partition) -> Answer.Found.of(views.packets(fingerprint, cursor, limit, partition)));
    }

    /** The recommendation synthesized from a fingerprint's first {@link #FINGERPRINT_EVIDENCE_MAX} packets. */
    public Answer<FingerprintSynthesis> fingerprintSynthesis(Request request, String fingerprint) {
        return owned(request, StoreNames.PACKETS, fingerprint, (views, partition) -> {
            List<StateViews.Scored<PacketState>> all = firstPackets(FINGERPRINT_EVIDENCE_MAX,
                    (cursor, limit) -> views.packets(fingerprint, cursor, limit, partition));
            if (all.isEmpty()) {
                return new Answer.Missing<>("fingerprint " + fingerprint + " has no packets");
            }
            PacketFacts context = all.get(0).value().facts();
            TrustLookup trust = views.trust();
            long now = views.nowMillis();
            List<Evidence> evidence = all.stream().map(p -> breakdowns.evidence(p.value(), trust, now)).toList();
            return synthesis.recommend(new Synthesis.Context(context.family(), context.task(), context.tags()),
                            evidence)
                    .<Answer<FingerprintSynthesis>>map(r -> Answer.Found.of(new FingerprintSynthesis(context, r)))
                    .orElseGet(() -> new Answer.Missing<>("fingerprint " + fingerprint
                            + " has no evidence with weight to synthesize from"));
        });
    }

    /**
     * One packet with its breakdown and a page of its reports after {@code afterReporter}, at most {@code limit}
     * (0: none); {@code fingerprint} is the packet id's own, which places it.
     */
    public Answer<PacketRead> packet(Request request, String packetId, String fingerprint,
                                     Optional<String> afterReporter, int limit) {
        return owned(request, StoreNames.PACKETS, fingerprint, (views, partition) -> {
            Optional<StateViews.Scored<PacketState>> scored = views.packet(packetId, partition);
            if (scored.isEmpty()) {
                return new Answer.Missing<>("no packet " + packetId);
            }
            StateViews.ReportPage page = limit == 0
                    ? new StateViews.ReportPage(List.of(), Optional.empty())
                    : views.reports(packetId, afterReporter, limit, partition);
            TrustLookup trust = views.trust();
            List<ReportRead> reports = page.reports().stream()
                    .map(r -> new ReportRead(r, trust.trust(r.reporter()))).toList();
            return Answer.Found.of(new PacketRead(scored.get(), reports, page.nextReporter()));
        });
    }

    /** A node's tallies: node trust is a global store, so every instance answers from its own copy. */
    public Optional<NodeTally> node(String nodeId) {
        return views.node(nodeId);
    }

    /** The first {@code max} packets, read a page of at most {@link #READ_PAGE} at a time. */
    public static List<StateViews.Scored<PacketState>> firstPackets(int max,
            BiFunction<Optional<String>, Integer, StateViews.PacketPage> read) {
        List<StateViews.Scored<PacketState>> all = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        do {
            StateViews.PacketPage page = read.apply(cursor, Math.min(READ_PAGE, max - all.size()));
            all.addAll(page.packets());
            cursor = page.nextCursor();
        } while (cursor.isPresent() && all.size() < max);
        return all;
    }

    private static <T> Answer<T> noDomain(String domain) {
        return new Answer.Missing<>("no packet has been accepted for domain '" + domain + "'");
    }

    /**
     * Answers a keyed read from the partition's active copy: here, or by passing the request to the active instance
     * and its answer back. When the active copy cannot answer (its instance is dead or unreachable, the partition is
     * moving or restoring), a standby copy at most {@code max_lag} records behind answers instead (KIP-535): this
     * instance's own, else another instance's. The answer says which copy it came from and, for a standby, how far
     * behind it was.
     */
    private <T> Answer<T> owned(Request request, String store, String routingKey,
                                BiFunction<StateViews, Integer, Answer<T>> local) {
        OwnerLocator.Placement placement = locator.placement(store, routingKey, KEYS);
        int partition = placement.partition();
        StateUnavailableException activeFailure;
        try {
            if (placement.active().filter(locator.self()::equals).isPresent()) {
                return read(local.apply(views, partition), Answer.ACTIVE, null);
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
                return new Answer.Passed<>(answer);
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
        if (lag.isPresent() && lag.get() <= request.maxLag()) {
            try {
                Answer<T> standby = local.apply(views.withStandbys(), partition);
                if (!(standby instanceof Answer.Missing<T> missing)) {
                    return read(standby, Answer.STANDBY, lag.get());
                }
                // a copy that is behind cannot tell that something does not exist: only the active copy says so
                activeFailure.addSuppressed(new StateUnavailableException(missing.detail()));
            } catch (StateUnavailableException e) {
                activeFailure.addSuppressed(e);
            }
        }
        if (!request.forwarded()) {
            // the standbys the assignment names; while it is being rebalanced (none named), any other instance
            Set<HostInfo> asked = new LinkedHashSet<>(placement.standbys());
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
                        return new Answer.Passed<>(answer);
                    }
                } catch (StateUnavailableException e) {
                    activeFailure.addSuppressed(e);
                }
            }
        }
        throw new StateUnavailableException(activeFailure.getMessage() + "; no standby copy within max_lag="
                + request.maxLag() + " records could answer either", activeFailure);
    }

    private static <T> Answer<T> read(Answer<T> answer, String copy, Long lag) {
        return answer instanceof Answer.Found<T> found ? found.from(copy, lag) : answer;
    }
}
