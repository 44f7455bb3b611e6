package dev.qis.topology;

import dev.qis.store.Candidate;
import dev.qis.store.DomainStats;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import java.util.TreeSet;
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
 */
final class DomainViewProcessor implements Processor<String, PacketOutput.CandidateUpdate, Void, Void> {
    private final int maxCandidates;
    private final int maxStoredPerNode;
    private KeyValueStore<String, Candidate> candidates;
    private KeyValueStore<String, DomainStats> stats;

    DomainViewProcessor(int maxCandidates, int maxStoredPerNode) {
        this.maxCandidates = maxCandidates;
        this.maxStoredPerNode = maxStoredPerNode;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.candidates = context.getStateStore(StoreNames.DOMAIN_CANDIDATES);
        this.stats = context.getStateStore(StoreNames.DOMAIN_STATS);
    }

    @Override
    public void process(Record<String, PacketOutput.CandidateUpdate> record) {
        String domain = record.key();
        Candidate c = record.value().candidate();
        DomainStats old = stats.get(domain);
        DomainStats s = old == null ? DomainStats.empty(domain) : old;
        long packets = s.packets();
        TreeSet<String> fingerprints = s.fingerprints();
        TreeSet<String> nodes = s.nodes();
        long lastSeen = s.lastSeen();
        if (record.value().first()) {
            packets++;
            fingerprints = new TreeSet<>(fingerprints);
            fingerprints.add(c.facts().fingerprint());
            nodes = new TreeSet<>(nodes);
            nodes.add(c.facts().nodeId());
            lastSeen = Math.max(lastSeen, c.facts().issuedAt());
        }
        int count = s.candidates();
        String key = StoreKeys.candidate(domain, c.packetId());
        boolean present = candidates.get(key) != null;
        candidates.put(key, c);
        if (!present) {
            count++;
            // no node can be over its share while the whole domain is within it: scan only when one may be
            boolean overBound = count > maxCandidates;
            if ((overBound || count > maxStoredPerNode) && evict(domain, c.facts().nodeId(), overBound)) {
                count--;
            }
        }
        stats.put(domain, new DomainStats(domain, packets, fingerprints, nodes, lastSeen, count));
    }

    /** Evicts the node's lowest candidate when it is over its share, else the domain's lowest when asked to. */
    private boolean evict(String domain, String nodeId, boolean overBound) {
        String lowestKey = null;
        Candidate lowest = null;
        String nodeLowestKey = null;
        Candidate nodeLowest = null;
        int ofNode = 0;
        try (KeyValueIterator<String, Candidate> it = candidates.range(StoreKeys.candidateRangeFrom(domain),
                StoreKeys.candidateRangeTo(domain))) {
            while (it.hasNext()) {
                KeyValue<String, Candidate> kv = it.next();
                if (lowest == null || kv.value.ranksBelow(lowest)) {
                    lowest = kv.value;
                    lowestKey = kv.key;
                }
                if (kv.value.facts().nodeId().equals(nodeId)) {
                    ofNode++;
                    if (nodeLowest == null || kv.value.ranksBelow(nodeLowest)) {
                        nodeLowest = kv.value;
                        nodeLowestKey = kv.key;
                    }
                }
            }
        }
        String victim = ofNode > maxStoredPerNode ? nodeLowestKey : overBound ? lowestKey : null;
        if (victim == null) {
            return false;
        }
        candidates.delete(victim);
        return true;
    }
}
