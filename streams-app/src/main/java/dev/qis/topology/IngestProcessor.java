package dev.qis.topology;

import dev.qis.config.UnknownNodeGrace;
import dev.qis.fidelity.Elections;
import dev.qis.handlers.Rejections;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.ProtocolCodec;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.store.PacketEvent;
import dev.qis.store.PacketFacts;
import dev.qis.store.StoreNames;
import dev.qis.store.HeldRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ingest (design §5.1): decodes, validates and verifies every record of the outcome topics and the votes topic
 * against the registered node keys, drops byte-identical duplicates, and turns each accepted packet into a
 * {@link PacketEvent.Accepted} (its facts, bytes and content digest) plus one {@link PacketEvent.Cited} per
 * {@code informed_by} entry (keyed by the CITED fingerprint), and each accepted report into a
 * {@link PacketEvent.Voted}. This is the only place a record is decoded: later steps read the events' fields.
 * Every refusal becomes a dead letter with its reason code.
 *
 * <p>Node keys arrive through a global store that trails {@code qis.nodes}, so a record whose only fault is an
 * unknown node waits in {@link StoreNames#INGEST_HELD}, keyed by its node id. When that node's key arrives
 * ({@link NodeKeyArrivals}) its records, and only its, are verified again, oldest first; a record still waiting
 * after the grace period is rejected as UNKNOWN_NODE. Bounds, so that a flood of records under random node ids
 * cannot push out records of nodes that do register: one node may hold {@code maxHeldPerNode} (past it, that node's
 * own oldest is rejected), and all nodes {@code maxHeld} (past it, the NEW record is rejected at once; records
 * already waiting stay). Every rejection is a dead letter with the original bytes, so nothing is lost.
 */
final class IngestProcessor implements Processor<byte[], byte[], String, IngestOutput> {
    private final Clock clock;
    private final Elections elections;
    private final UnknownNodeGrace grace;
    private final NodeKeyArrivals arrivals;
    private final HeldIndex index = new HeldIndex();
    private ProcessorContext<String, IngestOutput> context;
    private KeyValueStore<String, byte[]> history;
    private KeyValueStore<String, HeldRecord> held;
    private KeyValueStore<String, byte[]> keys;
    private long arrivalsRead;
    private PacketVerifier verifier;

    IngestProcessor(Clock clock, Elections elections, UnknownNodeGrace grace, NodeKeyArrivals arrivals) {
        this.clock = clock;
        this.elections = elections;
        this.grace = grace;
        this.arrivals = arrivals;
    }

    @Override
    public void init(ProcessorContext<String, IngestOutput> context) {
        this.context = context;
        this.history = context.getStateStore(StoreNames.INGEST_HISTORY);
        this.held = context.getStateStore(StoreNames.INGEST_HELD);
        this.keys = context.getStateStore(StoreNames.NODE_KEYS);
        this.verifier = new PacketVerifier(new StoreNodeDirectory(keys), clock);
        // the store is restored before init, so this indexes what a previous owner of the task left waiting;
        // init may run again on the same instance when a task is revived, so index from scratch
        index.clear();
        // keys may have arrived while the task was elsewhere: the first look checks each waiting node's key once
        arrivalsRead = -1;
        try (KeyValueIterator<String, HeldRecord> it = held.all()) {
            while (it.hasNext()) {
                KeyValue<String, HeldRecord> e = it.next();
                String node = e.value.nodeId() != null ? e.value.nodeId() : nodeIdOf(e.value.topic(), e.value.value());
                index.add(new HeldIndex.Entry(e.value.firstSeen(), e.key, node));
            }
        }
        context.schedule(grace.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::recheckHeld);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        readArrivals();
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        HeldRecord in = new HeldRecord(record.key(), record.value(), record.timestamp(), meta.topic(),
                meta.partition(), meta.offset(), context.currentSystemTimeMs(), null);
        Optional<String> unknownNode = ingest(in);
        if (unknownNode.isPresent()) {
            hold(new HeldRecord(in.key(), in.value(), in.timestamp(), in.topic(), in.partition(), in.offset(),
                    in.firstSeen(), nodeIdOf(in.topic(), in.value())), unknownNode.get());
        }
    }

    /**
     * Verifies one record and emits its events or its dead letter, except when its node has no key (yet): then
     * nothing is emitted and the UNKNOWN_NODE detail is returned, for the caller to hold or reject the record.
     */
    private Optional<String> ingest(HeldRecord in) {
        return Topics.VOTES.equals(in.topic()) ? ingestReport(in) : ingestPacket(in);
    }

    private Optional<String> ingestPacket(HeldRecord in) {
        Verdict<OutcomePacket> verdict = verifier.verifyPacket(in.value(),
                id -> Optional.ofNullable(history.get(id)));
        // A Verdict.Duplicate (a producer retry or a replay) falls through: a no-op by design.
        if (verdict instanceof Verdict.Rejected<OutcomePacket> r) {
            return rejectUnlessUnknownNode(in, r.reason(), r.detail());
        } else if (verdict instanceof Verdict.Accepted<OutcomePacket> a) {
            OutcomePacket packet = a.record();
            String fingerprint = PacketId.fingerprintOf(packet.getPacketId()).value();
            if (!keyIs(in.key(), fingerprint)) {
                reject(in, ReasonCode.INVALID_FIELD, "record key " + describe(in.key())
                        + " is not the packet's fingerprint " + fingerprint);
                return Optional.empty();
            }
            history.put(packet.getPacketId(), a.contentHash());
            emit(in, fingerprint, new PacketEvent.Accepted(PacketFacts.of(packet, elections), in.value(),
                    a.contentHash()));
            for (String cited : packet.getInformedBy()) {
                emit(in, PacketId.fingerprintOf(cited).value(),
                        new PacketEvent.Cited(cited, packet.getPacketId(), packet.getNodeId()));
            }
        }
        return Optional.empty();
    }

    private Optional<String> ingestReport(HeldRecord in) {
        Verdict<ValidationReport> verdict = verifier.verifyReport(in.value());
        // Replayed reports are idempotent downstream (the same report never supersedes itself).
        if (verdict instanceof Verdict.Rejected<ValidationReport> r) {
            return rejectUnlessUnknownNode(in, r.reason(), r.detail());
        } else if (verdict instanceof Verdict.Accepted<ValidationReport> a) {
            ValidationReport report = a.record();
            String fingerprint = PacketId.fingerprintOf(report.getPacketId()).value();
            if (!keyIs(in.key(), fingerprint)) {
                reject(in, ReasonCode.INVALID_FIELD, "record key " + describe(in.key())
                        + " is not the voted packet's fingerprint " + fingerprint);
                return Optional.empty();
            }
            emit(in, fingerprint, new PacketEvent.Voted(report.getPacketId(), report.getNodeId(),
                    report.getReportId(), report.getIssuedAt().toEpochMilli(), report.getObservedScore(),
                    report.getBaselineScore(), report.getNEvalSamples()));
        }
        return Optional.empty();
    }

    private Optional<String> rejectUnlessUnknownNode(HeldRecord in, ReasonCode reason, String detail) {
        if (reason == ReasonCode.UNKNOWN_NODE) {
            return Optional.of(detail);
        }
        reject(in, reason, detail);
        return Optional.empty();
    }

    /**
     * Holds a record for its node's key. A node at its own cap gives up its oldest record; when all nodes together are
     * at the cap, the new record is rejected at once, so records already waiting are never pushed out by newcomers.
     */
    private void hold(HeldRecord in, String unknownNode) {
        String node = in.nodeId();
        if (index.count(node) >= grace.maxHeldPerNode()) {
            HeldIndex.Entry oldest = index.oldestOf(node).orElseThrow();
            HeldRecord early = held.get(oldest.key());
            release(oldest.key());
            if (early != null) {
                reject(early, ReasonCode.UNKNOWN_NODE, "no key registered for node " + node + " after waiting "
                        + waited(early, in.firstSeen()) + "; released early because " + grace.maxHeldPerNode()
                        + " records of this node were waiting (qis.unknown.node.max.held.per.node)");
            }
        } else if (index.size() >= grace.maxHeld()) {
            reject(in, ReasonCode.UNKNOWN_NODE, unknownNode + "; not held, because " + grace.maxHeld()
                    + " records are already waiting for node keys (qis.unknown.node.max.held)");
            return;
        }
        // the key is unique per source record; putIfAbsent keeps the index exact even if one came twice
        if (held.putIfAbsent(in.storeKey(), in) == null) {
            index.add(new HeldIndex.Entry(in.firstSeen(), in.storeKey(), node));
        }
    }

    /**
     * The wall-clock punctuation: records of nodes whose key has arrived are verified again, and records waiting
     * longer than the grace period are verified a last time and rejected if their node is still unknown.
     */
    private void recheckHeld(long now) {
        readArrivals();
        for (Optional<HeldIndex.Entry> e = index.oldest();
             e.isPresent() && now - e.get().firstSeen() > grace.grace().toMillis(); e = index.oldest()) {
            String key = e.get().key();
            HeldRecord h = held.get(key);
            release(key);
            if (h != null) {
                ingest(h).ifPresent(unknownNode -> reject(h, ReasonCode.UNKNOWN_NODE, unknownNode + " (waited "
                        + waited(h, now) + " for its registration)"));
            }
        }
    }

    /** Verifies again the records of every node whose key has arrived since the last look. */
    private void readArrivals() {
        long end = arrivals.end();
        if (end == arrivalsRead || index.size() == 0) {
            arrivalsRead = end;
            return;
        }
        Optional<List<String>> arrived = arrivals.since(arrivalsRead);
        if (arrived.isPresent()) {
            arrivalsRead += arrived.get().size();
            arrived.get().stream().distinct().forEach(this::recheckNode);
        } else {
            // fell behind the kept arrivals: look up each waiting node's key once
            arrivalsRead = end;
            index.nodes().stream().filter(node -> keys.get(node) != null).forEach(this::recheckNode);
        }
    }

    private void recheckNode(String node) {
        for (HeldIndex.Entry e : index.of(node)) {
            HeldRecord h = held.get(e.key());
            if (h == null) {
                index.remove(e.key());
            } else if (ingest(h).isEmpty()) {
                release(e.key());
            } else {
                return; // the key is not there after all: the rest of this node's records wait too
            }
        }
    }

    private void release(String heldKey) {
        held.delete(heldKey);
        index.remove(heldKey);
    }

    /** The node a record names; only asked of records that decoded and failed on the node's missing key. */
    private static String nodeIdOf(String topic, byte[] value) {
        return Topics.VOTES.equals(topic) ? ProtocolCodec.decodeReport(value).getNodeId()
                : ProtocolCodec.decodePacket(value).getNodeId();
    }

    private static String waited(HeldRecord in, long now) {
        return Duration.ofMillis(Math.max(0, now - in.firstSeen())).toString();
    }

    private void emit(HeldRecord in, String fingerprint, PacketEvent event) {
        context.forward(new Record<String, IngestOutput>(fingerprint, new IngestOutput.Event(event),
                in.timestamp()));
    }

    private void reject(HeldRecord in, ReasonCode reason, String detail) {
        byte[] rejection = Rejections.encode(reason, detail, in.topic(), in.partition(), in.offset(),
                in.key(), in.value(), clock.millis());
        context.forward(new Record<String, IngestOutput>(null,
                new IngestOutput.DeadLetter(Rejections.key(in.key()), rejection), in.timestamp()));
    }

    private static boolean keyIs(byte[] key, String fingerprint) {
        return key != null && fingerprint.equals(new String(key, StandardCharsets.UTF_8));
    }

    private static String describe(byte[] key) {
        return key == null ? "(none)" : "'" + new String(key, StandardCharsets.UTF_8) + "'";
    }
}
