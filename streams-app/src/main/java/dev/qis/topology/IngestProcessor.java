package dev.qis.topology;

import dev.qis.protocol.PacketId;
import dev.qis.protocol.PacketVerifier;
import dev.qis.protocol.Topics;
import dev.qis.protocol.Verdict;
import dev.qis.protocol.avro.OutcomePacket;
import dev.qis.protocol.avro.ReasonCode;
import dev.qis.protocol.avro.ValidationReport;
import dev.qis.store.StoreNames;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Ingest (design §5.1): decodes, validates and verifies every record of the outcome topics and the votes topic
 * against the registered node keys, drops byte-identical duplicates, and turns each accepted packet into a
 * PACKET event plus one CITATION event per {@code informed_by} entry (keyed by the CITED fingerprint), and each
 * accepted report into a VOTE event. Every refusal becomes a dead letter with its reason code.
 */
final class IngestProcessor implements Processor<byte[], byte[], String, IngestOutput> {
    private final Clock clock;
    private ProcessorContext<String, IngestOutput> context;
    private KeyValueStore<String, byte[]> history;
    private PacketVerifier verifier;

    IngestProcessor(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, IngestOutput> context) {
        this.context = context;
        this.history = context.getStateStore(StoreNames.INGEST_HISTORY);
        KeyValueStore<String, byte[]> keys = context.getStateStore(StoreNames.NODE_KEYS);
        this.verifier = new PacketVerifier(new StoreNodeDirectory(keys), clock);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        RecordMetadata meta = context.recordMetadata().orElseThrow();
        if (Topics.VOTES.equals(meta.topic())) {
            ingestReport(record, meta);
        } else {
            ingestPacket(record, meta);
        }
    }

    private void ingestPacket(Record<byte[], byte[]> record, RecordMetadata meta) {
        Verdict<OutcomePacket> verdict = verifier.verifyPacket(record.value(),
                id -> Optional.ofNullable(history.get(id)));
        // A Verdict.Duplicate (a producer retry or a replay) falls through: a no-op by design.
        if (verdict instanceof Verdict.Rejected<OutcomePacket> r) {
            reject(record, meta, r.reason(), r.detail());
        } else if (verdict instanceof Verdict.Accepted<OutcomePacket> a) {
            {
                OutcomePacket packet = a.record();
                String fingerprint = PacketId.fingerprintOf(packet.getPacketId()).value();
                if (!keyIs(record.key(), fingerprint)) {
                    reject(record, meta, ReasonCode.INVALID_FIELD, "record key " + describe(record.key())
                            + " is not the packet's fingerprint " + fingerprint);
                    return;
                }
                history.put(packet.getPacketId(), a.contentHash());
                emit(record, fingerprint, StreamEvent.packet(packet.getPacketId(), record.value()));
                for (String cited : packet.getInformedBy()) {
                    emit(record, PacketId.fingerprintOf(cited).value(),
                            StreamEvent.citation(cited, packet.getPacketId(), packet.getNodeId()));
                }
            }
        }
    }

    private void ingestReport(Record<byte[], byte[]> record, RecordMetadata meta) {
        Verdict<ValidationReport> verdict = verifier.verifyReport(record.value());
        // Replayed reports are idempotent downstream (the same report never supersedes itself).
        if (verdict instanceof Verdict.Rejected<ValidationReport> r) {
            reject(record, meta, r.reason(), r.detail());
        } else if (verdict instanceof Verdict.Accepted<ValidationReport> a) {
            {
                ValidationReport report = a.record();
                String fingerprint = PacketId.fingerprintOf(report.getPacketId()).value();
                if (!keyIs(record.key(), fingerprint)) {
                    reject(record, meta, ReasonCode.INVALID_FIELD, "record key " + describe(record.key())
                            + " is not the voted packet's fingerprint " + fingerprint);
                    return;
                }
                emit(record, fingerprint, StreamEvent.vote(report.getPacketId(), report.getNodeId(),
                        report.getReportId(), report.getIssuedAt().toEpochMilli(), report.getObservedScore(),
                        report.getBaselineScore(), report.getNEvalSamples()));
            }
        }
    }

    private void emit(Record<byte[], byte[]> record, String fingerprint, StreamEvent event) {
        context.forward(new Record<String, IngestOutput>(fingerprint, new IngestOutput.Event(event),
                record.timestamp()));
    }

    private void reject(Record<byte[], byte[]> record, RecordMetadata meta, ReasonCode reason, String detail) {
        byte[] rejection = Rejections.encode(reason, detail, meta.topic(), meta.partition(), meta.offset(),
                record.key(), record.value(), clock.millis());
        context.forward(new Record<String, IngestOutput>(null,
                new IngestOutput.DeadLetter(record.key(), rejection), record.timestamp()));
    }

    private static boolean keyIs(byte[] key, String fingerprint) {
        return key != null && fingerprint.equals(new String(key, StandardCharsets.UTF_8));
    }

    private static String describe(byte[] key) {
        return key == null ? "(none)" : "'" + new String(key, StandardCharsets.UTF_8) + "'";
    }
}
