package dev.qis.topology;

import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Domain views (docs/elections.md), partitioned by domain: keeps each domain's candidate set and its stats.
 *
 * <p>Bounds: an update of a packet already in the set replaces it in place; a packet not in the set is added and
 * then, when its node holds more than {@code maxStoredPerNode} candidates in the domain, that node's lowest-ranked
 * one leaves — so a flooding node displaces only itself — else, when the set is over {@code maxCandidates}, the
 * domain's lowest-ranked one leaves. Rank is {@link Candidate#ranksBelow}: unlisted below listed, then the stored
 * rank key, the order a top-k reads. A packet that left comes back on its next change if it then ranks high
 * enough. While a domain holds no more packets than the bounds, its set is exactly all its packets.
 *
 * <p>Work per update is bounded, whatever the domain's size: the lowest candidate of a domain, or of a node in it,
 * is the first key of a range of {@link StoreNames#DOMAIN_RANK}; a node's share is a counter in
 * {@link StoreNames#DOMAIN_MEMBERS}, which also holds the domain's fingerprints and nodes one per key.
 *
 * <p>Evicting the lowest key of a range again and again leaves the range's low end a pile of deletions, which
 * RocksDB skips one by one on every later seek until compaction removes them: read from the range's start, the
 * eviction of a popular domain's millionth packet would step over the tombstones of every packet evicted before it.
 * So each range remembers a floor ({@link #floors}): the key it last evicted, lowered by any key indexed since. Every
 * live key of the range is at or above it (the evicted key was the lowest, and whatever came after is counted), so
 * the seek starts there and skips only what lies above it. The floors are a hint held in memory, per task, and
 * forgotten whenever the task is initialized (a restart, a rebalance, a transaction rolled back): the first eviction
 * after that seeks from the range's start, and the stores are the same either way.
 */
final class DomainViewProcessor implements Processor<String, PacketOutput.CandidateUpdate, Void, Void> {
    /** Most rank ranges whose floor a task remembers: a domain's, and each node's in a domain. */
    static final int MAX_FLOORS = 100_000;
    private final int maxCandidates;
    private final int maxStoredPerNode;
    private KeyValueStore<String, Candidate> candidates;
    private KeyValueStore<String, DomainStats> stats;
    private KeyValueStore<String, String> ranks;
    private KeyValueStore<String, Long> members;
    /** Rank range's start → a key at or below its lowest live key; a bounded map, most recently used kept. */
    private final Map<String, String> floors = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_FLOORS;
        }
    };

    DomainViewProcessor(int maxCandidates, int maxStoredPerNode) {
        this.maxCandidates = maxCandidates;
        this.maxStoredPerNode = maxStoredPerNode;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.candidates = context.getStateStore(StoreNames.DOMAIN_CANDIDATES);
        this.stats = context.getStateStore(StoreNames.DOMAIN_STATS);
        this.ranks = context.getStateStore(StoreNames.DOMAIN_RANK);
        this.members = context.getStateStore(StoreNames.DOMAIN_MEMBERS);
        // the stores may have been rolled back to the last commit (an aborted transaction revives the task and
        // initializes it again): a floor raised by an eviction that was rolled back would skip a live key
        floors.clear();
    }

    @Override
    public void process(Record<String, PacketOutput.CandidateUpdate> record) {
        String domain = record.key();
        Candidate c = record.value().candidate();
        String nodeId = c.facts().nodeId();
        DomainStats old = stats.get(domain);
        DomainStats s = old == null ? DomainStats.empty(domain) : old;
        long packets = s.packets();
        int fingerprints = s.fingerprintCount();
        int nodes = s.nodeCount();
        long lastSeen = s.lastSeen();
        String nodeKey = StoreKeys.domainNode(domain, nodeId);
        Long held = members.get(nodeKey);
        if (record.value().first()) {
            packets++;
            if (increment(StoreKeys.domainFingerprint(domain, c.facts().fingerprint())) == 1) {
                fingerprints++;
            }
            lastSeen = Math.max(lastSeen, c.facts().issuedAt());
        }
        boolean heldChanged = held == null;
        if (held == null) {
            nodes++;
            held = 0L;
        }
        int count = s.candidates();
        String key = StoreKeys.candidate(domain, c.packetId());
        Candidate previous = candidates.get(key);
        candidates.put(key, c);
        String rank = StoreKeys.rank(c);
        if (previous != null) {
            String previousRank = StoreKeys.rank(previous);
            if (!previousRank.equals(rank)) {
                unindex(domain, nodeId, previousRank);
                index(domain, nodeId, rank);
            }
        } else {
            index(domain, nodeId, rank);
            count++;
            held++;
            heldChanged = true;
            if (held > maxStoredPerNode) {
                evictFirst(domain, StoreKeys.nodeRankFrom(domain, nodeId), StoreKeys.nodeRankTo(domain, nodeId));
                held--;
                count--;
            } else if (count > maxCandidates) {
                String evictedNode = evictFirst(domain, StoreKeys.domainRankFrom(domain),
                        StoreKeys.domainRankTo(domain));
                count--;
                if (evictedNode.equals(nodeId)) {
                    held--;
                } else {
                    String evictedKey = StoreKeys.domainNode(domain, evictedNode);
                    members.put(evictedKey, members.get(evictedKey) - 1);
                }
            }
        }
        if (heldChanged) {
            members.put(nodeKey, held);
        }
        DomainStats next = new DomainStats(domain, packets, fingerprints, nodes, lastSeen, count);
        if (!next.equals(old)) {
            stats.put(domain, next);
        }
    }

    /** Adds one to a member's counter; returns the new count. */
    private long increment(String memberKey) {
        Long n = members.get(memberKey);
        long next = n == null ? 1 : n + 1;
        members.put(memberKey, next);
        return next;
    }

    private void index(String domain, String nodeId, String rank) {
        ranks.put(StoreKeys.domainRank(domain, rank), nodeId);
        ranks.put(StoreKeys.nodeRank(domain, nodeId, rank), nodeId);
        lowerFloor(StoreKeys.domainRankFrom(domain), StoreKeys.domainRank(domain, rank));
        lowerFloor(StoreKeys.nodeRankFrom(domain, nodeId), StoreKeys.nodeRank(domain, nodeId, rank));
    }

    /** A key indexed below a range's floor lowers it (a range without a floor is read from its start anyway). */
    private void lowerFloor(String from, String key) {
        floors.computeIfPresent(from, (f, floor) -> below(key, floor) ? key : floor);
    }

    /** In the stores' order: the keys' UTF-8 bytes, unsigned. */
    static boolean below(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)) < 0;
    }

    private void unindex(String domain, String nodeId, String rank) {
        ranks.delete(StoreKeys.domainRank(domain, rank));
        ranks.delete(StoreKeys.nodeRank(domain, nodeId, rank));
    }

    /** Evicts the lowest-ranked candidate of a rank range (never empty here: it holds the one just added). */
    private String evictFirst(String domain, String from, String to) {
        KeyValue<String, String> first;
        try (KeyValueIterator<String, String> it = ranks.range(floors.getOrDefault(from, from), to)) {
            first = it.next();
        }
        floors.put(from, first.key);
        String rank = first.key.substring(from.length());
        String victimNode = first.value;
        unindex(domain, victimNode, rank);
        candidates.delete(StoreKeys.candidate(domain, StoreKeys.packetIdOfRank(rank)));
        return victimNode;
    }
}
