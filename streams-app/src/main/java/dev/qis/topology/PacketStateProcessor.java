package dev.qis.topology;

import dev.qis.fidelity.Elections;
import dev.qis.handlers.Rejections;
import dev.qis.metrics.QisMeters;
import dev.qis.protocol.Topics;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.store.BackedReports;
import dev.qis.store.Candidate;
import dev.qis.store.CandidateReport;
import dev.qis.store.PacketEvent;
import dev.qis.store.PacketFacts;
import dev.qis.store.PacketState;
import dev.qis.store.StoreKeys;
import dev.qis.store.StoreNames;
import dev.qis.store.VoteEntry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Packet state (docs/elections.md), partitioned by fingerprint: applies ingest's events — accepted packets, votes and
 * citations, decoded there once ({@link PacketEvent}) — to
 * {@link StoreNames#PACKETS} and its per-entry stores, then emits the author's tally delta (backed S and F), the
 * packet's candidate entry for its domain, and — on acceptance — the packet for its domain topic.
 *
 * <p>Bounded values: every report is its own entry ({@link StoreNames#PACKET_VOTES}, key packet/reporter), every
 * citation too ({@link StoreNames#PACKET_CITATIONS}, key packet/citing packet), and how many packets of a node cite a
 * packet ({@link StoreNames#PACKET_BACKERS}) tells whether the node's report is backed. The packet's own value keeps
 * counts, exact sums over the backed reports and the heaviest few of them ({@link BackedReports}), so no number of
 * reporters or citing packets makes one record grow past what a changelog accepts.
 *
 * <p>Order independence: a vote or citation for a packet not seen yet is HELD under the packet's key and applied
 * when the packet arrives (it is not rejected as UNKNOWN_PACKET, because the outcome and vote topics are separate
 * logs with no order between them). Held entries of a packet that has not arrived after {@code qis.pending.retention}
 * of stream time are dropped (and counted). One vote per reporter per packet: the largest (issued_at, report_id)
 * wins. Self-votes are not kept (a vote held before its packet arrived is dropped then). A citation is kept by citing
 * packet id, so a citing packet replayed anywhere counts once; two different citing packets under one id (which only
 * a collision of the id's digest makes) keep the smaller author id. A packet arriving under the id of a stored one
 * with different content is dead-lettered ID_COLLISION (ingest catches that within its task; this catches it across).
 *
 * <p>Routing: every accepted packet goes to its domain topic once, when it is accepted, with headers computed from
 * the packet and the reports already held for it — never from the wall clock or another partition's state — so
 * the domain topics are a function of the inputs. How a packet ranks later is the query API's to answer.
 */
final class PacketStateProcessor implements Processor<String, PacketEvent, String, PacketOutput> {
    /** Entries read from a range at a time, so a packet with many entries is never held in memory whole. */
    private static final int CHUNK = 512;

    private final Elections elections;
    private final int maxReports;
    private final Duration pendingRetention;
    private final QisMeters meters;
    private ProcessorContext<String, PacketOutput> context;
    private KeyValueStore<String, PacketState> packets;
    private KeyValueStore<String, VoteEntry> votes;
    private KeyValueStore<String, String> citations;
    private KeyValueStore<String, Long> backers;
    private KeyValueStore<String, String> pending;

    PacketStateProcessor(Elections elections, int maxReports, Duration pendingRetention, QisMeters meters) {
        this.elections = elections;
        this.maxReports = maxReports;
        this.pendingRetention = pendingRetention;
        this.meters = meters;
    }

    @Override
    public void init(ProcessorContext<String, PacketOutput> context) {
        this.context = context;
        this.packets = context.getStateStore(StoreNames.PACKETS);
        this.votes = context.getStateStore(StoreNames.PACKET_VOTES);
        this.citations = context.getStateStore(StoreNames.PACKET_CITATIONS);
        this.backers = context.getStateStore(StoreNames.PACKET_BACKERS);
        this.pending = context.getStateStore(StoreNames.PACKETS_PENDING);
        // stream time, not the wall clock: what expires depends on the inputs' timestamps, not on when they ran
        Duration every = Duration.ofMillis(Math.max(1000, Math.min(Duration.ofHours(1).toMillis(),
                pendingRetention.toMillis() / 4)));
        context.schedule(every, PunctuationType.STREAM_TIME, this::expirePending);
    }

    @Override
    public void process(Record<String, PacketEvent> record) {
        PacketEvent event = record.value();
        String key = StoreKeys.packet(event.packetId());
        PacketState before = packets.get(key);
        PacketState after;
        if (event instanceof PacketEvent.Accepted accepted) {
            after = packet(before, accepted, record);
        } else if (event instanceof PacketEvent.Voted voted) {
            after = vote(held(before, event, record.timestamp()), voted);
        } else if (event instanceof PacketEvent.Cited cited) {
            after = cite(held(before, event, record.timestamp()), cited);
        } else {
            throw new IllegalStateException("an event of no known kind: " + event);
        }
        if (after == null) {
            return; // nothing changed: a replayed packet, a replayed citation, or a vote that does not supersede
        }
        save(key, before, after);
        if (after.isPending()) {
            return;
        }
        boolean first = before == null || before.isPending();
        Candidate candidate = Candidate.of(after, elections);
        long dPackets = first ? 1 : 0;
        long dS = after.successes() - (first ? 0 : before.successes());
        long dF = after.failures() - (first ? 0 : before.failures());
        if (dPackets != 0 || dS != 0 || dF != 0) {
            forward(after.facts().nodeId(), new PacketOutput.NodeDelta(dPackets, dS, dF), record.timestamp());
        }
        forward(after.facts().task(), new PacketOutput.CandidateUpdate(candidate, first), record.timestamp());
        if (event instanceof PacketEvent.Accepted) {
            route(after, candidate, record.timestamp());
        }
    }

    /** The state a vote or citation applies to: a new pending one, or the stored one held since the earliest record. */
    private static PacketState held(PacketState before, PacketEvent event, long timestamp) {
        if (before == null) {
            return PacketState.pending(event.packetId(), Math.max(timestamp, 0));
        }
        if (before.isPending() && timestamp >= 0 && timestamp < before.heldSince()) {
            return before.with(before.votes(), before.citations(), timestamp, before.backed());
        }
        return before;
    }

    private void save(String key, PacketState before, PacketState after) {
        boolean wasHeld = before != null && before.isPending();
        if (wasHeld && (!after.isPending() || after.heldSince() != before.heldSince())) {
            pending.delete(StoreKeys.pending(before.heldSince(), before.packetId()));
        }
        if (after.isPending() && (!wasHeld || after.heldSince() != before.heldSince())) {
            pending.put(StoreKeys.pending(after.heldSince(), after.packetId()), after.packetId());
        }
        packets.put(key, after);
    }

    private PacketState packet(PacketState before, PacketEvent.Accepted event, Record<String, PacketEvent> record) {
        if (before == null || before.isPending()) {
            return accept(before == null ? PacketState.pending(event.packetId(), -1) : before, event);
        }
        if (!sameContent(before, event)) {
            deadLetter(event, record);
        }
        return null; // the same packet again (a replay through another partition): stored once already
    }

    /**
     * Whether a packet arriving under a stored id is the stored one: the same digest of the signed content, as
     * ingest computed both (the same bytes, for a value stored before the digest was kept).
     */
    private static boolean sameContent(PacketState stored, PacketEvent.Accepted event) {
        return stored.contentHash() != null ? Arrays.equals(stored.contentHash(), event.contentHash())
                : Arrays.equals(stored.packetBytes(), event.bytes());
    }

    private PacketState accept(PacketState held, PacketEvent.Accepted event) {
        PacketFacts facts = event.facts();
        String pid = held.packetId();
        long reporters = 0;
        BackedReports backed = BackedReports.none();
        for (List<KeyValue<String, VoteEntry>> chunk : chunks(votes, pid)) {
            for (KeyValue<String, VoteEntry> v : chunk) {
                String reporter = StoreKeys.subOf(v.key);
                if (reporter.equals(facts.nodeId())) {
                    votes.delete(v.key); // a node cannot vote on its own packet
                    continue;
                }
                VoteEntry judged = judge(facts, v.value);
                votes.put(v.key, judged);
                reporters++;
                if (backers.get(StoreKeys.entry(pid, reporter)) != null) {
                    backed = replace(pid, backed, reporter, null, report(judged));
                }
            }
        }
        Long selfCitations = backers.get(StoreKeys.entry(pid, facts.nodeId()));
        double curate = elections.claimWeight(facts.confidence(), facts.nEvalSamples(), facts.heldOutEval());
        return new PacketState(pid, event.bytes(), event.contentHash(), facts, curate, reporters,
                held.citations() - (selfCitations == null ? 0 : selfCitations), -1, backed);
    }

    private PacketState vote(PacketState state, PacketEvent.Voted event) {
        String reporter = event.reporterId();
        if (!state.isPending() && reporter.equals(state.facts().nodeId())) {
            return null; // a node cannot vote on its own packet
        }
        VoteEntry entry = new VoteEntry(event.reportId(), event.issuedAt(), event.observedScore(),
                event.baselineScore(), event.nEvalSamples(), null, null);
        if (!state.isPending()) {
            entry = judge(state.facts(), entry);
        }
        String vkey = StoreKeys.entry(state.packetId(), reporter);
        VoteEntry old = votes.get(vkey);
        if (!entry.supersedes(old)) {
            return null;
        }
        votes.put(vkey, entry);
        BackedReports backed = state.backed();
        if (!state.isPending() && backers.get(vkey) != null) {
            backed = replace(state.packetId(), backed, reporter, old == null ? null : report(old), report(entry));
        }
        return state.with(state.votes() + (old == null ? 1 : 0), state.citations(), state.heldSince(), backed);
    }

    private PacketState cite(PacketState state, PacketEvent.Cited event) {
        String pid = state.packetId();
        String ckey = StoreKeys.entry(pid, event.citingPacketId());
        String node = event.citingNodeId();
        String counted = citations.get(ckey);
        if (node.equals(counted)) {
            return null; // this citing packet was counted already
        }
        if (counted != null) {
            // two different citing packets under one id: keep the smaller author, whichever came first
            if (counted.compareTo(node) < 0) {
                return null;
            }
            state = uncite(state, counted);
        }
        citations.put(ckey, node);
        String bkey = StoreKeys.entry(pid, node);
        Long was = backers.get(bkey);
        backers.put(bkey, was == null ? 1 : was + 1);
        boolean byOther = state.isPending() || !node.equals(state.facts().nodeId());
        BackedReports backed = state.backed();
        if (was == null && !state.isPending()) {
            VoteEntry v = votes.get(bkey); // the node's report, if any, is backed from now on
            if (v != null) {
                backed = replace(pid, backed, node, null, report(v));
            }
        }
        return state.with(state.votes(), state.citations() + (byOther ? 1 : 0), state.heldSince(), backed);
    }

    /** {@code state} without one citation by {@code node}: its report stops being backed when it was its last. */
    private PacketState uncite(PacketState state, String node) {
        String bkey = StoreKeys.entry(state.packetId(), node);
        Long was = backers.get(bkey);
        BackedReports backed = state.backed();
        if (was == null || was <= 1) {
            backers.delete(bkey);
            VoteEntry v = state.isPending() ? null : votes.get(bkey);
            if (v != null) {
                backed = replace(state.packetId(), backed, node, report(v), null);
            }
        } else {
            backers.put(bkey, was - 1);
        }
        boolean byOther = state.isPending() || !node.equals(state.facts().nodeId());
        return state.with(state.votes(), state.citations() - (byOther ? 1 : 0), state.heldSince(), backed);
    }

    /**
     * The backed reports with {@code reporter}'s report changed from {@code old} to {@code now} (either null: not
     * backed). The sums are exact; the heaviest set stays the heaviest of ALL backed reports: only when a kept report
     * drops in rank while others are not kept is it rebuilt from the packet's entries.
     */
    private BackedReports replace(String pid, BackedReports backed, String reporter, CandidateReport old,
                                  CandidateReport now) {
        BackedReports b = backed;
        if (old != null) {
            b = b.minus(old, old.weight(elections));
        }
        if (now != null) {
            b = b.plus(now, now.weight(elections));
        }
        TreeMap<String, CandidateReport> kept = new TreeMap<>(b.heaviest());
        boolean wasKept = kept.containsKey(reporter);
        boolean drops = wasKept && (now == null || now.weight(elections) < old.weight(elections));
        if (drops && b.count() > maxReports) {
            return b.withHeaviest(heaviest(pid));
        }
        kept.remove(reporter);
        if (now != null) {
            kept.put(reporter, now);
            if (kept.size() > maxReports) {
                kept.remove(lightest(kept));
            }
        }
        return b.withHeaviest(kept);
    }

    /** The heaviest backed reports of a packet, from its entries: weight, then reporter id. */
    private TreeMap<String, CandidateReport> heaviest(String pid) {
        TreeMap<String, CandidateReport> kept = new TreeMap<>();
        for (List<KeyValue<String, VoteEntry>> chunk : chunks(votes, pid)) {
            for (KeyValue<String, VoteEntry> v : chunk) {
                if (v.value.reproduced() != null && backers.get(v.key) != null) {
                    kept.put(StoreKeys.subOf(v.key), report(v.value));
                    if (kept.size() > maxReports) {
                        kept.remove(lightest(kept));
                    }
                }
            }
        }
        return kept;
    }

    /** The kept report that ranks last: smallest weight, then largest reporter id. */
    private String lightest(TreeMap<String, CandidateReport> kept) {
        String last = null;
        long lastWeight = Long.MAX_VALUE;
        for (Map.Entry<String, CandidateReport> e : kept.entrySet()) {
            long w = e.getValue().weight(elections);
            if (w <= lastWeight) { // ascending ids: a later one of equal weight ranks lower
                last = e.getKey();
                lastWeight = w;
            }
        }
        return last;
    }

    private static CandidateReport report(VoteEntry v) {
        return new CandidateReport(v.observedGain(), v.nEvalSamples(), v.reproduced(), true);
    }

    /**
     * Drops what is held for packets that have not arrived within the retention: their pending state and every
     * report, citation and backer entry under it. Runs on stream time.
     */
    private void expirePending(long streamTime) {
        long cutoff = streamTime - pendingRetention.toMillis();
        if (cutoff <= 0) {
            return;
        }
        List<KeyValue<String, String>> expired = new ArrayList<>();
        try (KeyValueIterator<String, String> it = pending.range(StoreKeys.pendingUpTo(0),
                StoreKeys.pendingUpTo(cutoff))) {
            while (it.hasNext() && expired.size() < CHUNK * 8) {
                expired.add(it.next());
            }
        }
        long droppedVotes = 0;
        long droppedCitations = 0;
        for (KeyValue<String, String> e : expired) {
            pending.delete(e.key);
            String pid = e.value;
            PacketState s = packets.get(StoreKeys.packet(pid));
            if (s == null || !s.isPending()) {
                continue;
            }
            droppedVotes += deleteAll(votes, pid);
            droppedCitations += deleteAll(citations, pid);
            deleteAll(backers, pid);
            packets.delete(StoreKeys.packet(pid));
        }
        if (!expired.isEmpty()) {
            meters.pendingExpired(expired.size(), droppedVotes, droppedCitations);
        }
    }

    private long deleteAll(KeyValueStore<String, ?> store, String pid) {
        long n = 0;
        for (List<? extends KeyValue<String, ?>> chunk : chunks(store, pid)) {
            for (KeyValue<String, ?> kv : chunk) {
                store.delete(kv.key);
                n++;
            }
        }
        return n;
    }

    /** A packet's entries of one store, read a chunk at a time (each chunk read before the caller changes any). */
    private static <V> Iterable<List<KeyValue<String, V>>> chunks(KeyValueStore<String, V> store, String pid) {
        String to = StoreKeys.entryRangeTo(pid);
        return () -> new java.util.Iterator<>() {
            private String from = StoreKeys.entryRangeFrom(pid);
            private List<KeyValue<String, V>> next = read();

            private List<KeyValue<String, V>> read() {
                if (from == null) {
                    return List.of();
                }
                List<KeyValue<String, V>> rows = new ArrayList<>();
                try (KeyValueIterator<String, V> it = store.range(from, to)) {
                    while (it.hasNext() && rows.size() < CHUNK) {
                        rows.add(it.next());
                    }
                    from = it.hasNext() ? it.peekNextKey() : null;
                }
                return rows;
            }

            @Override
            public boolean hasNext() {
                return !next.isEmpty();
            }

            @Override
            public List<KeyValue<String, V>> next() {
                List<KeyValue<String, V>> out = next;
                next = read();
                return out;
            }
        };
    }

    private void deadLetter(PacketEvent.Accepted event, Record<String, PacketEvent> record) {
        RecordMetadata m = context.recordMetadata().orElse(null);
        byte[] key = event.packetId().substring(0, 16).getBytes(StandardCharsets.UTF_8);
        byte[] rejection = Rejections.encode(ReasonCode.ID_COLLISION, "packet_id " + event.packetId()
                        + " is already taken by a packet with different content (it reached the packet state through"
                        + " another partition's ingest)", m == null ? null : m.topic(), m == null ? -1 : m.partition(),
                m == null ? -1 : m.offset(), key, event.bytes(), record.timestamp());
        context.forward(new Record<String, PacketOutput>(event.packetId(),
                new PacketOutput.DeadLetter(key, rejection), record.timestamp(), new RecordHeaders()));
    }

    /** The observed gain is taken against the reporter's own baseline, or the packet's when it gave none. */
    private VoteEntry judge(PacketFacts facts, VoteEntry v) {
        double baseline = v.baselineScore() == null ? facts.baselineScore() : v.baselineScore();
        double observed = elections.gain(baseline, v.observedScore(), facts.higherIsBetter());
        return v.judged(observed, elections.reproduces(facts.gain(), observed));
    }

    /**
     * On acceptance: the packet goes to its domain topic with its elections as they stand from the inputs alone —
     * expected gain, CURATE's claim weight, VOTE — and the timestamp of the record that brought it.
     */
    private void route(PacketState s, Candidate c, long timestamp) {
        RecordHeaders headers = new RecordHeaders();
        Map<String, String> values = new LinkedHashMap<>();
        values.put(Topics.HEADER_FIDELITY, plain(c.expectedGain()));
        values.put(Topics.HEADER_CURATE, plain(c.curate()));
        values.put(Topics.HEADER_VOTE, plain(Elections.vote(c.successes(), c.failures())));
        values.put(Topics.HEADER_ROUTED_AT, Long.toString(timestamp));
        values.forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
        context.forward(new Record<String, PacketOutput>(s.facts().fingerprint(),
                new PacketOutput.RoutedPacket(s.facts().task(), s.packetBytes()), timestamp, headers));
    }

    /** Headers are plain decimal strings (no exponent), which any client can parse; every value here is finite. */
    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).toPlainString();
    }

    private void forward(String key, PacketOutput value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp, new RecordHeaders()));
    }
}
