package dev.qis.bridge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What the bridge has done since it started: events read, packets published, duplicates not re-sent, events
 * dead-lettered by reason. Registered on a meter registry, so {@code /metrics} shows them as
 * {@code qis_bridge_events_read_total}, {@code qis_bridge_packets_published_total},
 * {@code qis_bridge_duplicates_total} and {@code qis_bridge_dead_lettered_total{reason=...}}.
 */
public final class BridgeCounters {
    private final Counter eventsRead;
    private final Counter packetsPublished;
    private final Counter duplicates;
    private final Map<DeadLetterReason, Counter> deadLettered = new EnumMap<>(DeadLetterReason.class);

    public BridgeCounters(MeterRegistry registry) {
        eventsRead = Counter.builder("qis.bridge.events.read").description("records read from the internal topic")
                .register(registry);
        packetsPublished = Counter.builder("qis.bridge.packets.published")
                .description("signed packets the federation cluster acknowledged").register(registry);
        duplicates = Counter.builder("qis.bridge.duplicates")
                .description("packets byte-identical to one this bridge already published, not sent again")
                .register(registry);
        for (DeadLetterReason r : DeadLetterReason.values()) {
            deadLettered.put(r, Counter.builder("qis.bridge.dead.lettered").tag("reason", r.name())
                    .description("events sent to the internal dead-letter topic").register(registry));
        }
    }

    void read(int n) {
        eventsRead.increment(n);
    }

    void published(int n) {
        packetsPublished.increment(n);
    }

    void duplicate() {
        duplicates.increment();
    }

    void deadLetter(DeadLetterReason reason) {
        deadLettered.get(reason).increment();
    }

    public long eventsRead() {
        return (long) eventsRead.count();
    }

    public long packetsPublished() {
        return (long) packetsPublished.count();
    }

    public long duplicates() {
        return (long) duplicates.count();
    }

    public long deadLettered(DeadLetterReason reason) {
        return (long) deadLettered.get(reason).count();
    }

    public long deadLettered() {
        return deadLettered.values().stream().mapToLong(c -> (long) c.count()).sum();
    }

    /** One line for the console: "read 1000 events, published 812 packets, 95 duplicates, dead-lettered 93 (...)". */
    public String summary() {
        StringJoiner reasons = new StringJoiner(", ", " (", ")");
        reasons.setEmptyValue("");
        deadLettered.forEach((r, c) -> {
            if (c.count() > 0) {
                reasons.add(r.name() + " " + (long) c.count());
            }
        });
        return "read " + eventsRead() + " events, published " + packetsPublished() + " packets, " + duplicates()
                + " duplicates, dead-lettered " + deadLettered() + reasons;
    }
}
