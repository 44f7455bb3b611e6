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
 * Domain views (design §5.5), partitioned by domain: keeps each domain's candidate set, bounded to
 * {@code maxCandidates} by the stored rank key, and its stats.
 *
 * <p>Bound: an update of a packet already in the set replaces it in place; a packet not in the set is added and,
 * when the set is then over the bound, the entry with the lowest rank key (then the smallest packet id) leaves.
 * A packet that left comes back on its next change if it then ranks high enough. While a domain holds no more
 * packets than the bound, its set is exactly all its packets with their latest entries.
 */
final class DomainViewProcessor implements Processor<String, PacketOutput.CandidateUpdate, Void, Void> {
    private final int maxCandidates;
    private KeyValueStore<String, Candidate> candidates;
    private KeyValueStore<String, DomainStats> stats;

    DomainViewProcessor(int maxCandidates) {
        this.maxCandidates = maxCandidates;
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
            if (count > maxCandidates) {
                evictLowest(domain);
                count--;
            }
        }
        stats.put(domain, new DomainStats(domain, packets, fingerprints, nodes, lastSeen, count));
    }

    private void evictLowest(String domain) {
        String lowestKey = null;
        Candidate lowest = null;
        try (KeyValueIterator<String, Candidate> it = candidates.range(StoreKeys.candidateRangeFrom(domain),
                StoreKeys.candidateRangeTo(domain))) {
            while (it.hasNext()) {
                KeyValue<String, Candidate> kv = it.next();
                if (lowest == null || ranksBelow(kv.value, lowest)) {
                    lowest = kv.value;
                    lowestKey = kv.key;
                }
            }
        }
        if (lowestKey != null) {
            candidates.delete(lowestKey);
        }
    }

    private static boolean ranksBelow(Candidate a, Candidate b) {
        int byScore = Double.compare(a.logScore(), b.logScore());
        return byScore < 0 || (byScore == 0 && a.packetId().compareTo(b.packetId()) < 0);
    }
}
