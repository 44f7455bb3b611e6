package dev.qis.query;

import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Finds the instance that owns a key with {@code queryMetadataForKey}: one lookup in the assignment, no hops. The
 * key and serializer must be the ones the store's input was partitioned by.
 */
public final class OwnerLocator {
    private final KafkaStreams streams;
    private final HostInfo self;
    /** Partitions of the stores' input topics; 0 when unknown (then no placement without the assignment). */
    private final int partitions;

    public OwnerLocator(KafkaStreams streams, HostInfo self) {
        this(streams, self, 0);
    }

    public OwnerLocator(KafkaStreams streams, HostInfo self, int partitions) {
        this.streams = streams;
        this.self = self;
        this.partitions = partitions;
    }

    public HostInfo self() {
        return self;
    }

    /**
     * Where a key's partition lives: its active instance (empty while none is assigned) and the instances that hold
     * standby copies, as the last assignment says. Answered while the group rebalances too, so that a standby can
     * answer when the active instance has died.
     */
    public record Placement(int partition, Optional<HostInfo> active, Set<HostInfo> standbys) {
        /** Only the partition is known (the assignment is being rebalanced): whatever copy is here may answer. */
        static Placement partitionOnly(int partition) {
            return new Placement(partition, Optional.empty(), Set.of());
        }

        public Placement {
            standbys = Set.copyOf(standbys);
        }
    }

    /**
     * Every other instance of the app the last assignment names, whether or not it is known to hold the store: while
     * the group rebalances, a copy may be anywhere.
     */
    public java.util.List<HostInfo> others() {
        try {
            return streams.metadataForAllStreamsClients().stream()
                    .map(org.apache.kafka.streams.StreamsMetadata::hostInfo)
                    .filter(h -> !h.equals(self) && !HostInfo.unavailable().equals(h))
                    .distinct()
                    .toList();
        } catch (RuntimeException e) {
            return java.util.List.of();
        }
    }

    public <K> Placement placement(String store, K key, Serializer<K> serializer) {
        KafkaStreams.State state = streams.state();
        if (state != KafkaStreams.State.RUNNING && state != KafkaStreams.State.REBALANCING) {
            throw new StateUnavailableException("the stream app is " + state + ", not RUNNING");
        }
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(store, key, serializer);
        } catch (RuntimeException e) {
            throw new StateUnavailableException("metadata for store " + store + " is not available: " + e.getMessage(), e);
        }
        if (metadata == null) {
            throw new IllegalStateException("store " + store + " is not in the topology");
        }
        if (KeyQueryMetadata.NOT_AVAILABLE.equals(metadata)) {
            if (partitions > 0) {
                // the key's partition, as the producer's default partitioner chose it for the store's input
                byte[] bytes = serializer.serialize(null, key);
                return Placement.partitionOnly(Utils.toPositive(Utils.murmur2(bytes)) % partitions);
            }
            throw new StateUnavailableException("metadata for store " + store + " is not available (rebalancing)");
        }
        HostInfo active = metadata.activeHost();
        boolean known = active != null && !HostInfo.unavailable().equals(active);
        return new Placement(metadata.partition(), known ? Optional.of(active) : Optional.empty(),
                metadata.standbyHosts());
    }
}
