package dev.qis.topology;

import dev.qis.config.UnknownNodeGrace;
import dev.qis.protocol.PacketId;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.store.StoreNames;
import dev.qis.store.HeldRecord;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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
 * PACKET event plus one CITATION event per {@code informed_by} entry (keyed by the CITED fingerprint), and each
 * accepted report into a VOTE event. Every refusal becomes a dead letter with its reason code.
 *
 * <p>Node keys arrive through a global store that trails {@code qis.nodes}, so a record whose only fault is an
 * unknown node waits in {@link StoreNames#INGEST_HELD} and is verified again on a wall-clock schedule: it takes
 * the normal path once the key is there, or is rejected as UNKNOWN_NODE after the grace period.
 */
final class IngestProcessor implements Processor<byte[], byte[], String, IngestOutput> {
    private final Clock clock;
    private final UnknownNodeGrace grace;
    private ProcessorContext<String, IngestOutput> context;
    private KeyValueStore<String, byte[]> history;
    private KeyValueStore<String, HeldRecord> held;
    private long heldCount;
    private PacketVerifier verifier;

    IngestProcessor(Clock clock, UnknownNodeGrace grace) {
        this.clock = clock;
        this.grace = grace;
    }

    @Override
    public void init(ProcessorContext<String, IngestOutput> context) {
        this.context = context;
        this.history = context.getStateStore(StoreNames.INGEST_HISTORY);
        this.held = context.getStateStore(StoreNames.INGEST_HELD);
        KeyValueStore<String, byte[]> keys = context.getStateStore(StoreNames.NODE_KEYS);
        this.verifier = new PacketVerifier(new StoreNodeDirectory(keys), clock);
        // the store is restored before init, so this counts what a previous owner of the task left waiting;
        // init may run again on the same instance when a task is revived, so count from zero
        heldCount = 0;
        try (KeyValueIterator<String, HeldRecord> it = held.all()) {
            while (it.hasNext()) {
                it.next();
                heldCount++;
            }
        }
        context.schedule(grace.recheckInterval(), PunctuationType.WALL_CLOCK_TIME, this::recheckHeld);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        HeldRecord in = new HeldRecord(record.key(), record.value(), record.timestamp(), meta.topic(),
                meta.partition(), meta.offset(), context.currentSystemTimeMs());
        if (ingest(in).isPresent()) {
            hold(in);
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
            emit(in, fingerprint, StreamEvent.packet(packet.getPacketId(), in.value()));
            for (String cited : packet.getInformedBy()) {
                emit(in, PacketId.fingerprintOf(cited).value(),
                        StreamEvent.citation(cited, packet.getPacketId(), packet.getNodeId()));
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
            emit(in, fingerprint, StreamEvent.vote(report.getPacketId(), report.getNodeId(),
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

    /** Holds a record for its node's key; when the store is full the oldest waiting record is rejected first. */
    private void hold(HeldRecord in) {
        if (heldCount >= grace.maxHeld()) {
            KeyValue<String, HeldRecord> oldest;
            try (KeyValueIterator<String, HeldRecord> it = held.all()) {
                oldest = it.hasNext() ? it.next() : null;
            }
            if (oldest == null) {
                heldCount = 0; // the count had drifted from the store: nothing is waiting
            } else {
                release(oldest.key);
                reject(oldest.value, ReasonCode.UNKNOWN_NODE, "no key registered for its node after waiting "
                        + waited(oldest.value, in.firstSeen()) + "; released early because " + grace.maxHeld()
                        + " records were waiting for node keys");
            }
        }
        // the key is unique per source record; putIfAbsent keeps the count exact even if one came twice
        if (held.putIfAbsent(in.storeKey(), in) == null) {
            heldCount++;
        }
    }

    /** The wall-clock punctuation: every waiting record is verified again, oldest first. */
    private void recheckHeld(long now) {
        if (heldCount == 0) {
            return;
        }
        List<KeyValue<String, HeldRecord>> waiting = new ArrayList<>();
        try (KeyValueIterator<String, HeldRecord> it = held.all()) {
            it.forEachRemaining(waiting::add);
        }
        for (KeyValue<String, HeldRecord> entry : waiting) {
            Optional<String> unknownNode = ingest(entry.value);
            if (unknownNode.isEmpty()) {
                release(entry.key);
            } else if (now - entry.value.firstSeen() > grace.grace().toMillis()) {
                release(entry.key);
                reject(entry.value, ReasonCode.UNKNOWN_NODE, unknownNode.get() + " (waited "
                        + waited(entry.value, now) + " for its registration)");
            }
        }
    }

    private void release(String heldKey) {
        held.delete(heldKey);
        heldCount--;
    }

    private static String waited(HeldRecord in, long now) {
        return Duration.ofMillis(Math.max(0, now - in.firstSeen())).toString();
    }

    private void emit(HeldRecord in, String fingerprint, StreamEvent event) {
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
