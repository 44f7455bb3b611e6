package dev.qis.query;

import dev.qis.fidelity.FidelityScore;
import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.NodeTally;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.fidelity.TrustLookup;
import dev.qis.store.VoteEntry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * The topology's state as this instance holds it: domain stats and candidates, packets, node trust, each scored
 * at read time with current trust and decay. Partitioned reads take the partition the owner lookup named.
 */
public final class StateViews {
    private final KafkaStreams streams;
    private final LocalState local;
    private final Breakdowns breakdowns;
    private final Clock clock;

    /** A stored value with its breakdown at the time of reading. */
    public record Scored<T>(T value, FidelityScore score) {
    }

    /** One page of a fingerprint's packets; {@code nextCursor} is the last packet id when more follow. */
    public record PacketPage(List<Scored<PacketState>> packets, Optional<String> nextCursor) {
    }

    public StateViews(KafkaStreams streams, Breakdowns breakdowns, Clock clock) {
        this(streams, new LocalState(streams), breakdowns, clock);
    }

    private StateViews(KafkaStreams streams, LocalState local, Breakdowns breakdowns, Clock clock) {
        this.streams = streams;
        this.local = local;
        this.breakdowns = breakdowns;
        this.clock = clock;
    }

    /** The same views read from any copy this instance holds (standby or restoring included): see {@link #lag}. */
    public StateViews withStandbys() {
        return new StateViews(streams, local.withStandbys(), breakdowns, clock);
    }

    /** Records this instance's copy of a store partition is behind its changelog; empty when it holds none. */
    public Optional<Long> lag(String store, int partition) {
        return local.lag(store, partition);
    }

    /**
     * The domain stats of those of {@code partitions} this instance can answer for: from its active copies, or
     * ({@code anyCopy}) from any copy at most {@code maxLag} records behind, those partitions then named as standby.
     */
    public FanOut.Part<DomainStats> localDomains(Set<Integer> partitions, boolean anyCopy, long maxLag) {
        LocalState from = anyCopy ? local.withStandbys() : local;
        LocalState.Slice<String, DomainStats> slice = from.rangeOf(StoreNames.DOMAIN_STATS, partitions, maxLag,
                row -> row.value != null);
        long lag = 0;
        if (anyCopy && !slice.partitions().isEmpty()) {
            java.util.Map<Integer, Long> lags = local.lags(StoreNames.DOMAIN_STATS);
            for (int p : slice.partitions()) {
                lag = Math.max(lag, lags.getOrDefault(p, 0L));
            }
        }
        return new FanOut.Part<>(slice.rows().stream().map(r -> r.value).toList(), slice.partitions(),
                anyCopy ? slice.partitions() : Set.of(), lag);
    }

    public Optional<DomainStats> domain(String domain, int partition) {
        return local.get(StoreNames.DOMAIN_STATS, domain, partition);
    }

    /** A domain's stored candidates (score them with {@link #trust()} at {@link #nowMillis()}). */
    public List<Candidate> candidates(String domain, int partition) {
        LocalState.Slice<String, Candidate> slice = local.range(StoreNames.DOMAIN_CANDIDATES,
                StoreKeys.candidateRangeFrom(domain), StoreKeys.candidateRangeTo(domain), Optional.of(partition),
                Integer.MAX_VALUE, row -> row.value != null);
        return slice.rows().stream().map(r -> r.value).toList();
    }

    /** One packet (not a pending placeholder that holds early votes), scored now. */
    public Optional<Scored<PacketState>> packet(String packetId, int partition) {
        Optional<PacketState> state = local.get(StoreNames.PACKETS, StoreKeys.packet(packetId), partition);
        return state.filter(s -> !s.isPending()).map(s -> new Scored<>(s, breakdowns.of(s, trust(), clock.millis())));
    }

    /** One page of a packet's reports in reporter order; {@code nextReporter} is the last reporter when more follow. */
    public record ReportPage(List<Report> reports, Optional<String> nextReporter) {
    }

    /** A reporter's latest report on a packet, and whether it is backed (the reporter published a run citing it). */
    public record Report(String reporter, VoteEntry entry, boolean backed) {
    }

    /**
     * A packet's reports from {@link StoreNames#PACKET_VOTES}, after {@code afterReporter} (exclusive) when given, at
     * most {@code limit}: a packet with any number of reporters is read a page at a time.
     */
    public ReportPage reports(String packetId, Optional<String> afterReporter, int limit, int partition) {
        String from = afterReporter.map(r -> StoreKeys.entry(packetId, r)).orElse(StoreKeys.entryRangeFrom(packetId));
        LocalState.Slice<String, VoteEntry> slice = local.range(StoreNames.PACKET_VOTES, from,
                StoreKeys.entryRangeTo(packetId), Optional.of(partition), limit + 1,
                row -> row.value != null && !row.key.equals(afterReporter.map(r -> StoreKeys.entry(packetId, r))
                        .orElse(null)));
        List<Report> page = new java.util.ArrayList<>();
        for (KeyValue<String, VoteEntry> row : slice.rows().stream().limit(limit).toList()) {
            boolean backed = local.get(StoreNames.PACKET_BACKERS, row.key, partition).isPresent();
            page.add(new Report(StoreKeys.subOf(row.key), row.value, backed));
        }
        Optional<String> next = slice.rows().size() > limit
                ? Optional.of(page.get(page.size() - 1).reporter())
                : Optional.empty();
        return new ReportPage(page, next);
    }

    /** A fingerprint's packets in packet-id order, after {@code cursor} (exclusive) when one is given. */
    public PacketPage packets(String fingerprint, Optional<String> cursor, int limit, int partition) {
        String from = cursor.map(StoreKeys::packet).orElse(StoreKeys.packetRangeFrom(fingerprint));
        LocalState.Slice<String, PacketState> slice = local.range(StoreNames.PACKETS, from,
                StoreKeys.packetRangeTo(fingerprint), Optional.of(partition), limit + 1,
                row -> row.value != null && !row.value.isPending()
                        && cursor.map(c -> !c.equals(row.value.packetId())).orElse(true));
        TrustLookup trust = trust();
        long now = clock.millis();
        List<KeyValue<String, PacketState>> rows = slice.rows();
        List<Scored<PacketState>> page = rows.stream().limit(limit)
                .map(r -> new Scored<>(r.value, breakdowns.of(r.value, trust, now)))
                .toList();
        Optional<String> next = rows.size() > limit
                ? Optional.of(page.get(page.size() - 1).value().packetId())
                : Optional.empty();
        return new PacketPage(page, next);
    }

    /** A node's tallies from the global trust store, which every instance holds in full. */
    public Optional<NodeTally> node(String nodeId) {
        return Optional.ofNullable(nodeTrustStore().get(nodeId));
    }

    /** Current trust of every node as this instance sees it; 1 for a node without reports. */
    public TrustLookup trust() {
        ReadOnlyKeyValueStore<String, NodeTally> store = nodeTrustStore();
        return TrustLookup.of(store::get);
    }

    public long nowMillis() {
        return clock.millis();
    }

    private ReadOnlyKeyValueStore<String, NodeTally> nodeTrustStore() {
        KafkaStreams.State state = streams.state();
        // the global store keeps being read and updated while the group rebalances: a standby's answer needs it then
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new StateUnavailableException("the stream app is " + state + ", not RUNNING");
        }
        try {
            // a global store: IQv2 does not serve global stores, the read-only store view does
            return streams.store(StoreQueryParameters.fromNameAndType(StoreNames.NODE_TRUST,
                    QueryableStoreTypes.<String, NodeTally>keyValueStore()));
        } catch (StreamsException e) {
            throw new StateUnavailableException("store " + StoreNames.NODE_TRUST + " is not available: " + e.getMessage(), e);
        }
    }
}
