package dev.qis.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serdes of the store values and internal events: JSON, so a changelog or repartition record can be read by
 * eye, except where a stage reads and writes one on every record: the packet state's values ({@link PacketState},
 * {@link VoteEntry}), the nodes' tallies ({@link NodeTally}), the domain view's ({@link Candidate}, {@link DomainStats}) and the events from ingest to the
 * packet state ({@link CompactSerdes#packetEvent()}) are compact binary ({@link CompactSerdes}).
 * Whole numbers read back as Long (hyperparameters keep their protocol types); doubles round-trip exactly;
 * an infinite rank key (a packet with no gain) is written as the string "-Infinity".
 */
public final class StoreSerdes {
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_LONG_FOR_INTS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private StoreSerdes() {
    }

    /** Compact binary ({@link CompactSerdes}): the packet state reads and writes one per event. */
    public static Serde<PacketState> packetState() {
        return CompactSerdes.packetState();
    }

    /** Compact binary ({@link CompactSerdes}): one per report. */
    public static Serde<VoteEntry> voteEntry() {
        return CompactSerdes.voteEntry();
    }

    /** Compact binary ({@link CompactSerdes}): the domain view reads and writes one per update. */
    public static Serde<Candidate> candidate() {
        return CompactSerdes.candidate();
    }

    /** Compact binary ({@link CompactSerdes}). */
    public static Serde<DomainStats> domainStats() {
        return CompactSerdes.domainStats();
    }

    /** Compact binary ({@link CompactSerdes}): one per accepted packet and per backed report, on three paths. */
    public static Serde<NodeTally> nodeTally() {
        return CompactSerdes.nodeTally();
    }

    public static Serde<HeldRecord> heldRecord() {
        return json(HeldRecord.class);
    }

    public static Serde<PendingRoutedPacket> pendingRoutedPacket() {
        return json(PendingRoutedPacket.class);
    }

    public static <T> Serde<T> json(Class<T> type) {
        Serializer<T> ser = (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(value);
            } catch (IOException e) {
                throw new SerializationException("cannot write " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        };
        Deserializer<T> de = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return MAPPER.readValue(bytes, type);
            } catch (IOException e) {
                throw new SerializationException("not a " + type.getSimpleName() + " (" + bytes.length + " bytes): "
                        + e.getMessage(), e);
            }
        };
        return Serdes.serdeFrom(ser, de);
    }

    /** For tests and tools: the JSON form of a value. */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
