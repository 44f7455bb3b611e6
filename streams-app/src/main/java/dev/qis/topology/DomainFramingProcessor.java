package dev.qis.topology;

import dev.qis.protocol.Topics;
import dev.qis.registry.RegistryException;
import dev.qis.store.PendingRoutedPacket;
import dev.qis.store.StoreNames;
import java.io.PrintStream;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Frames each routed packet for its domain topic through the schema registry. While the registry is unreachable
 * or refuses the schema, packets wait in {@link StoreNames#DOMAIN_PENDING} (changelogged, so under exactly-once a
 * packet is written once, never dropped) and are retried on a wall-clock schedule, oldest first; a packet that
 * arrives while others wait queues behind them, so each domain topic keeps the order packets were routed in.
 * Retrying here, not in a serializer, keeps the stream thread processing (queries stay current) and keeps the
 * production exception handler out of it.
 */
final class DomainFramingProcessor implements Processor<String, PacketOutput.RoutedPacket, String, PacketOutput.RoutedPacket> {
    private final DomainFraming framing;
    private final Duration retryInterval;
    private final PrintStream console;
    private ProcessorContext<String, PacketOutput.RoutedPacket> context;
    private KeyValueStore<String, PendingRoutedPacket> pending;
    private long nextSequence;
    private long waiting;
    private boolean outageReported;

    DomainFramingProcessor(DomainFraming framing, Duration retryInterval, PrintStream console) {
        this.framing = framing;
        this.retryInterval = retryInterval;
        this.console = console;
    }

    @Override
    public void init(ProcessorContext<String, PacketOutput.RoutedPacket> context) {
        this.context = context;
        this.pending = context.getStateStore(StoreNames.DOMAIN_PENDING);
        nextSequence = 0;
        waiting = 0;
        try (KeyValueIterator<String, PendingRoutedPacket> it = pending.all()) {
            while (it.hasNext()) {
                nextSequence = Long.parseUnsignedLong(it.next().key, 16) + 1;
                waiting++;
            }
        }
        context.schedule(retryInterval, PunctuationType.WALL_CLOCK_TIME, now -> retry());
    }

    @Override
    public void process(Record<String, PacketOutput.RoutedPacket> record) {
        if (waiting == 0) {
            try {
                forward(record.key(), record.value().domain(), record.value().bytes(), record.timestamp(),
                        record.headers());
                return;
            } catch (RegistryException e) {
                reportOutage(e);
            }
        }
        Map<String, byte[]> headers = new LinkedHashMap<>();
        for (Header h : record.headers()) {
            headers.put(h.key(), h.value());
        }
        pending.put(PendingRoutedPacket.storeKey(nextSequence++), new PendingRoutedPacket(record.key(),
                record.value().domain(), record.value().bytes(), record.timestamp(), headers));
        waiting++;
    }

    /** Writes waiting packets oldest first, stopping at the first the registry still cannot frame. */
    private void retry() {
        if (waiting == 0) {
            return;
        }
        long written = 0;
        try (KeyValueIterator<String, PendingRoutedPacket> it = pending.all()) {
            while (it.hasNext()) {
                KeyValue<String, PendingRoutedPacket> next = it.next();
                PendingRoutedPacket p = next.value;
                RecordHeaders headers = new RecordHeaders();
                p.headers().forEach(headers::add);
                try {
                    forward(p.key(), p.domain(), p.bytes(), p.timestamp(), headers);
                } catch (RegistryException e) {
                    reportOutage(e);
                    return;
                }
                pending.delete(next.key);
                waiting--;
                written++;
            }
        } finally {
            if (written > 0 && waiting == 0 && outageReported) {
                console.println("qis: schema registry answers again; " + written
                        + " waiting routed packet(s) written to their domain topics");
                outageReported = false;
            }
        }
    }

    private void forward(String key, String domain, byte[] singleObject, long timestamp, Iterable<Header> headers) {
        byte[] framed = framing.frame(Topics.domain(domain), singleObject);
        RecordHeaders copy = new RecordHeaders();
        headers.forEach(copy::add);
        context.forward(new Record<>(key, new PacketOutput.RoutedPacket(domain, framed), timestamp, copy));
    }

    private void reportOutage(RegistryException e) {
        if (!outageReported) {
            console.println("qis: routed packets wait for the schema registry (retried every "
                    + retryInterval.toSeconds() + " s; nothing is dropped): " + e.getMessage());
            outageReported = true;
        }
    }
}
