package dev.qis.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The app's own counters, called where the topology decides. Under exactly-once a counter can count a record
 * twice when a task replays after a crash: these meters are for dashboards, the stores are the truth.
 * In Prometheus: qis_packets_accepted_total (ingest verified them), qis_packets_stored_total (stored and scored by
 * the packet state and handed to the domain view: what end-to-end throughput counts), qis_packets_rejected_total{reason},
 * qis_votes_total{outcome}, qis_citations_total,
 * qis_pending_expired_total{kind}.
 */
public final class QisMeters {
    public static final String PACKETS_ACCEPTED = "qis.packets.accepted";
    public static final String PACKETS_STORED = "qis.packets.stored";
    public static final String PACKETS_REJECTED = "qis.packets.rejected";
    public static final String VOTES = "qis.votes";
    public static final String CITATIONS = "qis.citations";
    public static final String PENDING_EXPIRED = "qis.pending.expired";

    private final MeterRegistry registry;
    private final Counter accepted;
    private final Counter stored;
    private final Counter citations;

    public QisMeters(MeterRegistry registry) {
        this.registry = registry;
        this.accepted = Counter.builder(PACKETS_ACCEPTED).description("Outcome packets accepted").register(registry);
        this.stored = Counter.builder(PACKETS_STORED)
                .description("Outcome packets stored and scored, on their way into their domain's view").register(registry);
        this.citations = Counter.builder(CITATIONS)
                .description("informed_by citations credited to a cited packet").register(registry);
    }

    /** Meters that go nowhere, for tests and tools that do not serve metrics. */
    public static QisMeters discarding() {
        return new QisMeters(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void packetAccepted() {
        accepted.increment();
    }

    /** A new packet stored and scored (its first candidate entry reaches the domain view stage). */
    public void packetStored() {
        stored.increment();
    }

    /** A packet, vote or node key sent to the dead-letter topic, by its reason code. */
    public void rejected(String reason) {
        Counter.builder(PACKETS_REJECTED).description("Records dead-lettered, by reason code")
                .tag("reason", reason).register(registry).increment();
    }

    /** A verified vote ({@code outcome="verified"}: signature and fields checked, on its way to the tallies). */
    public void vote(String outcome) {
        Counter.builder(VOTES).description("Validation reports (votes), by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    public void citation() {
        citations.increment();
    }

    /**
     * Held for packets that never arrived and dropped after {@code qis.pending.retention}: the pending packets, and
     * the reports and citations held for them ({@code kind} = packets, votes, citations).
     */
    public void pendingExpired(long packets, long votes, long citations) {
        for (var kind : java.util.Map.of("packets", packets, "votes", votes, "citations", citations).entrySet()) {
            Counter.builder(PENDING_EXPIRED).description("Held entries of packets that never arrived, dropped")
                    .tag("kind", kind.getKey()).register(registry).increment(kind.getValue());
        }
    }
}
