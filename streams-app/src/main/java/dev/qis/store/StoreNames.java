package dev.qis.store;

/**
 * The names of every state store and internal resource of the topology, and how to query each from outside
 * with IQv2 ({@code StateQueryRequest.inStore(name).withQuery(KeyQuery/RangeQuery).requireActive()}).
 * All stores are plain key-value stores with String keys (serdes in {@link StoreSerdes}); IQv2 key and range
 * queries return the value types below directly.
 */
public final class StoreNames {
    /**
     * Packet state. Key {@link StoreKeys#packet(String) "fingerprint/packet_id"}, value {@link PacketState}.
     * Owner: {@code queryMetadataForKey(PACKETS, fingerprint, Serdes.String().serializer())} (the FINGERPRINT, not
     * the store key: the store's input is partitioned by fingerprint). A fingerprint's packets are one range
     * ({@link StoreKeys#packetRangeFrom}/{@link StoreKeys#packetRangeTo}). An entry with
     * {@link PacketState#isPending()} holds votes or citations for a packet not seen yet: skip it in listings.
     * The value stays small: reports and citations are entries of {@link #PACKET_VOTES} and {@link #PACKET_CITATIONS}.
     * Breakdown at read time: {@link dev.qis.query.Breakdowns#of(PacketState, dev.qis.fidelity.TrustLookup, long)}.
     */
    public static final String PACKETS = "qis-packets";

    /**
     * One report per reporter and packet, each its own entry so no value grows with the number of reporters. Key
     * {@link StoreKeys#entry(String, String) "fingerprint/packet_id/reporter"}, value {@link VoteEntry}; a packet's
     * reports are one range ({@link StoreKeys#entryRangeFrom}/{@link StoreKeys#entryRangeTo}), in reporter order.
     * Owner: as {@link #PACKETS}.
     */
    public static final String PACKET_VOTES = "qis-packet-votes";

    /**
     * Citations: key {@link StoreKeys#entry(String, String) "fingerprint/packet_id/citing_packet_id"}, value the
     * citing packet's author. Keyed by citing packet id, so a citing packet counts once however often and wherever
     * it is replayed. Owner: as {@link #PACKETS}.
     */
    public static final String PACKET_CITATIONS = "qis-packet-citations";

    /**
     * How many packets of each node cite a packet: key {@link StoreKeys#entry(String, String)
     * "fingerprint/packet_id/node_id"}, value a Long (&gt; 0). A node's report is backed when it has an entry here.
     */
    public static final String PACKET_BACKERS = "qis-packet-backers";

    /**
     * Packets held pending (reports or citations came, the packet did not), by the earliest record timestamp held:
     * key {@link StoreKeys#pending(long, String)}, value the packet id. Expired after {@code qis.pending.retention}
     * of stream time.
     */
    public static final String PACKETS_PENDING = "qis-packets-pending";

    /**
     * Per-domain candidates, bounded (default 200 per domain) by the time-invariant rank key
     * {@link Candidate#logScore()}. Key {@link StoreKeys#candidate(String, String) "domain/packet_id"}, value
     * {@link Candidate}. Owner: {@code queryMetadataForKey(DOMAIN_CANDIDATES, domain, Serdes.String().serializer())}
     * (input repartitioned by domain). Read a domain with a range query
     * ({@link StoreKeys#candidateRangeFrom}/{@link StoreKeys#candidateRangeTo}), then compute each breakdown
     * with {@link dev.qis.query.Breakdowns#of(Candidate, dev.qis.fidelity.TrustLookup, long)} (current trust and
     * decay), sort by fidelity, keep routed ones, at most {@code maxPerNode} per node, trim to k.
     */
    public static final String DOMAIN_CANDIDATES = "qis-domain-candidates";

    /**
     * Per-domain stats. Key: the domain; value {@link DomainStats}. Owner: same as {@link #DOMAIN_CANDIDATES}
     * (same partitioning). Every domain: a range/all query fanned out to every instance.
     */
    public static final String DOMAIN_STATS = "qis-domain-stats";

    /**
     * The domain view's rank index, so an update finds the candidate to evict without reading the domain: key
     * {@link StoreKeys#domainRank "domain/r/rank"} for every candidate of a domain and
     * {@link StoreKeys#nodeRank "domain/n/node_id/rank"} for each node's share, where {@link StoreKeys#rank} sorts
     * as {@link Candidate#ranksBelow} (the lowest is the first key of a range); value the candidate's node id.
     * Internal to the domain view (same partitioning as {@link #DOMAIN_CANDIDATES}).
     */
    public static final String DOMAIN_RANK = "qis-domain-rank";

    /**
     * Who published in a domain, one entry per key so {@link DomainStats} stays small: key
     * {@link StoreKeys#domainFingerprint "domain/f/fingerprint"}, value that fingerprint's packets in the domain;
     * key {@link StoreKeys#domainNode "domain/n/node_id"}, value the node's candidates in the domain's set now.
     * Same partitioning as {@link #DOMAIN_CANDIDATES}.
     */
    public static final String DOMAIN_MEMBERS = "qis-domain-members";

    /**
     * Node tallies on the node-owning instance. Key: node id; value {@link NodeTally}. Owner:
     * {@code queryMetadataForKey(NODE_TALLIES, nodeId, Serdes.String().serializer())} (input repartitioned by node).
     * Prefer {@link #NODE_TRUST}: the same values, readable on EVERY instance without forwarding.
     */
    public static final String NODE_TALLIES = "qis-node-tallies";

    /**
     * Node trust, a GLOBAL store (every instance holds all nodes; read it locally, no owner lookup). Key: node
     * id; value {@link NodeTally} ({@link NodeTally#trust()}; a node with no entry has trust 1). Fed from
     * {@link #NODE_TRUST_TOPIC}, so it trails {@link #NODE_TALLIES} by a commit. IQv2 does not serve global stores:
     * read it with {@code streams.store(StoreQueryParameters.fromNameAndType(NODE_TRUST,
     * QueryableStoreTypes.keyValueStore()))} and pass {@code TrustLookup.of(store::get)} to
     * {@link dev.qis.query.Breakdowns}.
     */
    public static final String NODE_TRUST = "qis-node-trust";

    /** Registered node keys, a GLOBAL store fed from {@code qis.nodes}: node id → NodeKey bytes. */
    public static final String NODE_KEYS = "qis-node-keys";

    /** Ingest-side history: packet id → content hash of the accepted packet (duplicates and collisions). */
    public static final String INGEST_HISTORY = "qis-ingest-history";

    /**
     * Ingest-side records waiting for their node's key (the node-key store is global, so it may trail a
     * registration sent just before the node's first record). Key {@link HeldRecord#storeKey()} (by node, oldest first),
     * value {@link HeldRecord}. Changelogged: a record is held, or handled, exactly once.
     */
    public static final String INGEST_HELD = "qis-ingest-held";

    /**
     * Routed packets waiting for the schema registry (only with {@code schema.registry.url} set): while the
     * registry cannot give a schema id, a routed packet is kept here and written to its domain topic, in order,
     * once it can. Key {@link PendingRoutedPacket#storeKey(long)} (arrival order within a partition, so the same
     * key can be found in several partitions), value
     * {@link PendingRoutedPacket}. Changelogged, so a crash neither loses nor repeats one.
     */
    public static final String DOMAIN_PENDING = "qis-domain-pending";

    /** The compacted topic that carries node tallies to the {@link #NODE_TRUST} global store. */
    public static final String NODE_TRUST_TOPIC = "qis.node-trust";

    /** Repartition topics (prefixed by the application id, suffixed "-repartition"). */
    public static final String EVENTS_REPARTITION = "qis-events";
    public static final String BY_NODE_REPARTITION = "qis-by-node";
    public static final String BY_DOMAIN_REPARTITION = "qis-by-domain";

    private StoreNames() {
    }
}
